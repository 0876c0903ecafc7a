package storetest

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"hongyan/internal/store"
)

// The address book: personal and shared groups listed by owner, names
// unique per owner, contacts added once per number, searched, paged,
// edited and removed with their group.
func testAddressBook(t *testing.T, s store.Store) {
	f := newFx(t, s)
	mine := &store.ContactGroup{Name: "客户", OwnerID: 7, CreatedBy: "ops", Note: "n", CreatedAt: base}
	f.must(s.CreateGroup(f.ctx, mine))
	theirs := &store.ContactGroup{Name: "客户", OwnerID: 8, CreatedAt: base}
	f.must(s.CreateGroup(f.ctx, theirs))
	city := &store.ContactGroup{Name: "全市网点", OrgID: 2, CreatedAt: base}
	f.must(s.CreateGroup(f.ctx, city))
	county := &store.ContactGroup{Name: "客户", OrgID: 3, CreatedAt: base}
	f.must(s.CreateGroup(f.ctx, county))
	if mine.ID == 0 || !city.Shared() || mine.Shared() {
		t.Fatalf("groups: %+v %+v", mine, city)
	}
	wantErr(t, s.CreateGroup(f.ctx, &store.ContactGroup{Name: "客户", OwnerID: 7}), store.ErrDuplicate, "a second personal group of a name")
	wantErr(t, s.CreateGroup(f.ctx, &store.ContactGroup{Name: "全市网点", OrgID: 2}), store.ErrDuplicate, "a second shared group of a name")

	ids := func(gs []*store.ContactGroup) []int64 {
		var out []int64
		for _, g := range gs {
			out = append(out, g.ID)
		}
		return out
	}
	gs, err := s.Groups(f.ctx, store.GroupQuery{OwnerID: 7, Orgs: []int64{2}})
	f.must(err)
	sameIDs(t, "groups of user 7 and org 2", ids(gs), []int64{city.ID, mine.ID})
	gs, err = s.Groups(f.ctx, store.GroupQuery{AllOrgs: true})
	f.must(err)
	sameIDs(t, "every shared group", ids(gs), []int64{city.ID, county.ID})
	if gs, err := s.Groups(f.ctx, store.GroupQuery{}); err != nil || len(gs) != 0 {
		t.Fatalf("Groups of nobody = %v, %v", gs, err)
	}

	// Contacts: a number already in the group (or twice in one call) is kept once.
	n, err := s.AddContacts(f.ctx, mine.ID, []*store.Contact{{Number: "13800138000", Name: "张三", Note: "VIP"},
		{Number: "13800138001", Name: "李四"}, {Number: "13800138000", Name: "again"}})
	f.must(err)
	if n != 2 {
		t.Fatalf("AddContacts added %d, want 2", n)
	}
	n, err = s.AddContacts(f.ctx, mine.ID, []*store.Contact{{Number: "13800138001"}, {Number: "13800138002", Name: "王_五%"}})
	f.must(err)
	if n != 1 {
		t.Fatalf("AddContacts again added %d, want 1", n)
	}
	if _, err := s.AddContacts(f.ctx, 987654, []*store.Contact{{Number: "13800138000"}}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("AddContacts to no group: %v", err)
	}
	// The same number in another group is another contact.
	if n, err := s.AddContacts(f.ctx, theirs.ID, []*store.Contact{{Number: "13800138000"}}); err != nil || n != 1 {
		t.Fatalf("AddContacts to another group: %d, %v", n, err)
	}
	g, err := s.GetGroup(f.ctx, mine.ID)
	f.must(err)
	if g.Contacts != 3 || g.Name != "客户" || g.OwnerID != 7 || g.CreatedBy != "ops" || g.Note != "n" || !g.CreatedAt.Equal(base) {
		t.Fatalf("GetGroup = %+v", g)
	}
	cs, err := s.Contacts(f.ctx, store.ContactQuery{GroupID: mine.ID})
	f.must(err)
	if len(cs) != 3 || cs[0].Number != "13800138000" || cs[0].Name != "张三" || cs[0].Note != "VIP" || cs[0].GroupID != mine.ID {
		t.Fatalf("Contacts = %+v", cs)
	}
	search := func(q string, want ...string) {
		t.Helper()
		cs, err := s.Contacts(f.ctx, store.ContactQuery{GroupID: mine.ID, Search: q})
		f.must(err)
		var got []string
		for _, c := range cs {
			got = append(got, c.Number)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("search %q = %v, want %v", q, got, want)
		}
		if n, err := s.CountContacts(f.ctx, store.ContactQuery{GroupID: mine.ID, Search: q}); err != nil || n != len(want) {
			t.Fatalf("count %q = %d, %v", q, n, err)
		}
	}
	search("李", "13800138001")
	search("8002", "13800138002")
	search("_", "13800138002") // LIKE's wildcards match themselves
	search("%", "13800138002")
	search("013", "13800138000", "13800138001", "13800138002")
	page, err := s.Contacts(f.ctx, store.ContactQuery{GroupID: mine.ID, AfterID: cs[0].ID, Limit: 1})
	f.must(err)
	if len(page) != 1 || page[0].ID != cs[1].ID {
		t.Fatalf("page after %d = %+v", cs[0].ID, page)
	}

	c := cs[1]
	c.Number, c.Name, c.Note = "13900139000", "李四四", "moved"
	f.must(s.UpdateContact(f.ctx, c))
	c.Number = "13800138000"
	wantErr(t, s.UpdateContact(f.ctx, c), store.ErrDuplicate, "a contact's number taken in its group")
	wantErr(t, s.UpdateContact(f.ctx, &store.Contact{ID: c.ID, GroupID: theirs.ID, Number: "1"}), store.ErrNotFound, "a contact of another group")
	wantErr(t, s.DeleteContact(f.ctx, theirs.ID, c.ID), store.ErrNotFound, "delete through another group")
	f.must(s.DeleteContact(f.ctx, mine.ID, c.ID))
	wantErr(t, s.DeleteContact(f.ctx, mine.ID, c.ID), store.ErrNotFound, "a deleted contact")

	g.Name, g.Note, g.UpdatedAt = "老客户", "changed", base.Add(time.Hour)
	f.must(s.UpdateGroup(f.ctx, g))
	g2, err := s.GetGroup(f.ctx, mine.ID)
	f.must(err)
	if g2.Name != "老客户" || g2.Note != "changed" || !g2.UpdatedAt.Equal(base.Add(time.Hour)) || g2.Contacts != 2 {
		t.Fatalf("after update: %+v", g2)
	}
	theirs.Name = "老客户"
	f.must(s.UpdateGroup(f.ctx, theirs)) // another owner's name may be the same
	county.Name = "全市网点"
	f.must(s.UpdateGroup(f.ctx, county))
	city.Name = "客户"
	f.must(s.UpdateGroup(f.ctx, city))
	wantErr(t, s.UpdateGroup(f.ctx, &store.ContactGroup{ID: 987654, Name: "x"}), store.ErrNotFound, "update of no group")

	// Many at once (over a statement's chunk), then the group removed with them.
	var many []*store.Contact
	for i := range 1000 {
		many = append(many, &store.Contact{Number: fmt.Sprintf("1370%07d", i)})
	}
	if n, err := s.AddContacts(f.ctx, county.ID, many); err != nil || n != 1000 {
		t.Fatalf("AddContacts 1000: %d, %v", n, err)
	}
	f.must(s.DeleteGroup(f.ctx, county.ID))
	wantErr(t, s.DeleteGroup(f.ctx, county.ID), store.ErrNotFound, "a deleted group")
	if _, err := s.GetGroup(f.ctx, county.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetGroup of a deleted group: %v", err)
	}
	if n, err := s.CountContacts(f.ctx, store.ContactQuery{GroupID: county.ID}); err != nil || n != 0 {
		t.Fatalf("contacts of a deleted group: %d, %v", n, err)
	}
	t.Run("Fields", func(t *testing.T) { testContactFields(t, s, f) })
}

// Contacts' fields: stored with a new contact (not with one already
// there), read back on every page size, replaced or kept by an update,
// listed as the group's columns in order of first use, gone with their
// contact and group.
func testContactFields(t *testing.T, s store.Store, f *fx) {
	g := &store.ContactGroup{Name: "带字段", OwnerID: 9, CreatedAt: base}
	f.must(s.CreateGroup(f.ctx, g))
	other := &store.ContactGroup{Name: "另一组", OwnerID: 9, CreatedAt: base}
	f.must(s.CreateGroup(f.ctx, other))
	n, err := s.AddContacts(f.ctx, g.ID, []*store.Contact{
		{Number: "13800138000", Name: "张三", Fields: map[string]string{"单位": "邮政", "地址": "广州"}},
		{Number: "13800138001", Name: "李四"},
		{Number: "13800138000", Fields: map[string]string{"单位": "重复"}}, // repeated: the first is kept
		{Number: "13800138002", Fields: map[string]string{"生日": "3月4日", "空": ""}},
	})
	f.must(err)
	if n != 3 {
		t.Fatalf("AddContacts added %d, want 3", n)
	}
	// A number already in the group keeps its fields.
	if n, err := s.AddContacts(f.ctx, g.ID, []*store.Contact{{Number: "13800138001", Fields: map[string]string{"单位": "新"}}}); err != nil || n != 0 {
		t.Fatalf("AddContacts of a number there: %d, %v", n, err)
	}
	if _, err := s.AddContacts(f.ctx, other.ID, []*store.Contact{{Number: "13800138000", Fields: map[string]string{"部门": "x"}}}); err != nil {
		t.Fatal(err)
	}
	fields := func(what string, want ...string) {
		t.Helper()
		got, err := s.GroupFields(f.ctx, g.ID)
		f.must(err)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: GroupFields = %q, want %q", what, got, want)
		}
	}
	fields("after adding", "单位", "地址", "生日") // the first contact's by name (bytes), then the third's
	cs, err := s.Contacts(f.ctx, store.ContactQuery{GroupID: g.ID})
	f.must(err)
	if len(cs) != 3 || fmt.Sprint(cs[0].Fields) != fmt.Sprint(map[string]string{"单位": "邮政", "地址": "广州"}) ||
		cs[1].Fields != nil || fmt.Sprint(cs[2].Fields) != fmt.Sprint(map[string]string{"生日": "3月4日"}) {
		t.Fatalf("Contacts with fields = %+v %+v %+v", cs[0], cs[1], cs[2])
	}
	page, err := s.Contacts(f.ctx, store.ContactQuery{GroupID: g.ID, Search: "李"})
	f.must(err)
	if len(page) != 1 || page[0].Fields != nil {
		t.Fatalf("search page = %+v", page)
	}

	// Nil keeps the fields; a map replaces them.
	c := cs[0]
	c.Name, c.Fields = "张三丰", nil
	f.must(s.UpdateContact(f.ctx, c))
	c.Fields = map[string]string{"单位": "银行", "职务": "经理"}
	f.must(s.UpdateContact(f.ctx, c))
	cs1 := cs[1]
	cs1.Fields = map[string]string{"地址": "深圳"}
	f.must(s.UpdateContact(f.ctx, cs1))
	cs, err = s.Contacts(f.ctx, store.ContactQuery{GroupID: g.ID})
	f.must(err)
	if cs[0].Name != "张三丰" || fmt.Sprint(cs[0].Fields) != fmt.Sprint(map[string]string{"单位": "银行", "职务": "经理"}) ||
		fmt.Sprint(cs[1].Fields) != fmt.Sprint(map[string]string{"地址": "深圳"}) {
		t.Fatalf("after update = %+v %+v", cs[0], cs[1])
	}
	fields("after update", "单位", "职务", "地址", "生日")
	f.must(s.DeleteContact(f.ctx, g.ID, cs[2].ID))
	fields("after a delete", "单位", "职务", "地址")

	// Many with fields (over a statement's chunk and a read page's size).
	var many []*store.Contact
	for i := range 700 {
		many = append(many, &store.Contact{Number: fmt.Sprintf("1371%07d", i), Fields: map[string]string{"序号": fmt.Sprint(i)}})
	}
	if n, err := s.AddContacts(f.ctx, g.ID, many); err != nil || n != 700 {
		t.Fatalf("AddContacts 700: %d, %v", n, err)
	}
	cs, err = s.Contacts(f.ctx, store.ContactQuery{GroupID: g.ID, Limit: 500})
	f.must(err)
	if len(cs) != 500 {
		t.Fatalf("a page of 500: %d", len(cs))
	}
	for _, c := range cs[2:] {
		if i, _ := strconv.Atoi(c.Number[4:]); c.Fields["序号"] != strconv.Itoa(i) || len(c.Fields) != 1 {
			t.Fatalf("contact %s fields %v", c.Number, c.Fields)
		}
	}
	f.must(s.DeleteGroup(f.ctx, g.ID))
	fields("after the group's deletion")
	ocs, err := s.Contacts(f.ctx, store.ContactQuery{GroupID: other.ID})
	f.must(err)
	if len(ocs) != 1 || ocs[0].Fields["部门"] != "x" {
		t.Fatalf("another group's contact = %+v", ocs)
	}
}

// The inbox: MO of some accounts, newest first, by number, business and
// time, paged.
func testInbox(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("other").ID
	mos := []*store.MO{
		{AccountID: f.acct, From: "13800138000", To: "1065800001", Content: "一", Business: "notice", ReceivedAt: base},
		{AccountID: other, From: "13800138000", To: "10690000", Content: "二", ReceivedAt: base.Add(time.Second)},
		{AccountID: 0, From: "13700137000", To: "999", Content: "三", ReceivedAt: base.Add(2 * time.Second)},
		{AccountID: f.acct, From: "13800138001", To: "10658000", Content: "四", Business: "survey", ReceivedAt: base.Add(3 * time.Second)},
		{AccountID: f.acct, From: "13800138000", To: "1065800001", Content: "五", Business: "notice", ReceivedAt: base.Add(4 * time.Second)},
	}
	f.must(s.InsertMO(f.ctx, mos))
	got := func(q store.MOQuery, want ...int) {
		t.Helper()
		list, err := s.MOs(f.ctx, q)
		f.must(err)
		var g, w []int64
		for _, m := range list {
			g = append(g, m.ID)
		}
		for _, i := range want {
			w = append(w, mos[i].ID)
		}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Fatalf("MOs(%+v) = %v, want %v", q, g, w)
		}
	}
	got(store.MOQuery{}, 4, 3, 2, 1, 0)
	got(store.MOQuery{Accounts: []int64{}})
	got(store.MOQuery{Accounts: []int64{f.acct}}, 4, 3, 0)
	got(store.MOQuery{Accounts: []int64{f.acct, other}, From: "13800138000"}, 4, 1, 0)
	got(store.MOQuery{Accounts: []int64{f.acct}, Business: "notice"}, 4, 0)
	got(store.MOQuery{Since: base.Add(time.Second), Until: base.Add(3 * time.Second)}, 2, 1)
	got(store.MOQuery{Accounts: []int64{f.acct}, BeforeID: mos[4].ID, Limit: 1}, 3)
	m, err := s.GetMO(f.ctx, mos[3].ID)
	f.must(err)
	if m.From != "13800138001" || m.To != "10658000" || m.Content != "四" || m.Business != "survey" || m.AccountID != f.acct ||
		!m.ReceivedAt.Equal(base.Add(3*time.Second)) {
		t.Fatalf("GetMO = %+v", m)
	}
	if _, err := s.GetMO(f.ctx, 987654321); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetMO of none: %v", err)
	}
}
