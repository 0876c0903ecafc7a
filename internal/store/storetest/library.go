package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"hongyan/internal/store"
)

var libraryTests = []Test{
	{"NumberLibrary", testNumberLibrary},
	{"NumbersFromTraffic", testNumbersFromTraffic},
	{"NumberCategoryUpdate", testNumberCategoryUpdate},
	{"Customers", testCustomers},
}

func numbersOf(es []store.NumberEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Number)
	}
	return out
}

func testNumberLibrary(t *testing.T, s store.Store) {
	f := newFx(t, s)
	vip := &store.NumberCategory{OrgID: 7, Name: "VIP", CreatedBy: "wang", CreatedAt: base}
	f.must(s.CreateNumberCategory(f.ctx, vip))
	if err := s.CreateNumberCategory(f.ctx, &store.NumberCategory{OrgID: 7, Name: "VIP"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("same name in one organisation: %v, want ErrDuplicate", err)
	}
	other := &store.NumberCategory{OrgID: 8, Name: "VIP"}
	f.must(s.CreateNumberCategory(f.ctx, other))
	n, err := s.AddNumbers(f.ctx, []store.NumberEntry{
		{CategoryID: vip.ID, Number: "13800138001", Province: "广东", City: "广州", Operator: "cmcc", Tags: []string{"gold", "new"}},
		{CategoryID: vip.ID, Number: "13800138002", Province: "广东", City: "深圳", Tags: []string{"gold"}},
		{CategoryID: vip.ID, Number: "13900139003", Province: "湖南", City: "长沙"},
		{CategoryID: other.ID, Number: "13800138001", Province: "广东", City: "广州"},
	})
	f.must(err)
	if n != 4 {
		t.Fatalf("added %d, want 4", n)
	}
	// Again: an update, nothing new.
	n, err = s.AddNumbers(f.ctx, []store.NumberEntry{{CategoryID: vip.ID, Number: "13900139003", Province: "湖南", City: "株洲", Tags: []string{"silver"}}})
	f.must(err)
	if n != 0 {
		t.Fatalf("re-adding: %d new, want 0", n)
	}
	c, err := s.NumberCategory(f.ctx, vip.ID)
	f.must(err)
	if c.Count != 3 || c.Name != "VIP" || c.OrgID != 7 || c.CreatedBy != "wang" || !c.CreatedAt.Equal(base) {
		t.Fatalf("category = %+v", c)
	}
	search := func(q store.NumberQuery, want ...string) {
		t.Helper()
		es, err := s.SearchNumbers(f.ctx, q)
		f.must(err)
		if got := numbersOf(es); !slices.Equal(got, want) {
			t.Fatalf("SearchNumbers(%+v) = %v, want %v", q, got, want)
		}
	}
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID}}, "13800138001", "13800138002", "13900139003")
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID}, Province: "广东", City: "广州"}, "13800138001")
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID}, Tag: "gold"}, "13800138001", "13800138002")
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID}, Tag: "gol"})
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID}, City: "株洲"}, "13900139003")
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID}, Prefix: "1380"}, "13800138001", "13800138002")
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID}, After: "13800138001", Limit: 1}, "13800138002")
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID, other.ID}, City: "广州"}, "13800138001", "13800138001")
	search(store.NumberQuery{})
	es, err := s.SearchNumbers(f.ctx, store.NumberQuery{CategoryIDs: []int64{vip.ID}, Limit: 1})
	f.must(err)
	if e := es[0]; e.Operator != "cmcc" || !slices.Equal(e.Tags, []string{"gold", "new"}) || e.CreatedAt.IsZero() {
		t.Fatalf("entry = %+v", e)
	}

	f.must(s.SetNumberGrants(f.ctx, vip.ID, []int64{8, 9, 9}))
	g, err := s.NumberGrants(f.ctx)
	f.must(err)
	if !slices.Equal(g[vip.ID], []int64{8, 9}) || len(g) != 1 {
		t.Fatalf("grants = %v", g)
	}
	f.must(s.SetNumberGrants(f.ctx, vip.ID, []int64{9}))
	if g, _ = s.NumberGrants(f.ctx); !slices.Equal(g[vip.ID], []int64{9}) {
		t.Fatalf("grants replaced = %v", g)
	}
	if err := s.SetNumberGrants(f.ctx, 999999, []int64{1}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("grant of no category: %v", err)
	}

	f.must(s.RemoveNumber(f.ctx, vip.ID, "13800138002"))
	if err := s.RemoveNumber(f.ctx, vip.ID, "13800138002"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing twice: %v", err)
	}
	cs, err := s.NumberCategories(f.ctx)
	f.must(err)
	if len(cs) != 2 || cs[0].ID != vip.ID || cs[0].Count != 2 || cs[1].Count != 1 {
		t.Fatalf("categories = %+v %+v", cs[0], cs[1])
	}
	f.must(s.DeleteNumberCategory(f.ctx, vip.ID))
	if _, err := s.NumberCategory(f.ctx, vip.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted category: %v", err)
	}
	search(store.NumberQuery{CategoryIDs: []int64{vip.ID}})
	if g, _ = s.NumberGrants(f.ctx); len(g) != 0 {
		t.Fatalf("grants of a deleted category: %v", g)
	}
	if err := s.DeleteNumberCategory(f.ctx, vip.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

// testNumberCategoryUpdate renames a category: its owner, numbers and
// grants stay; a name its organisation uses is ErrDuplicate, and nothing
// changes.
func testNumberCategoryUpdate(t *testing.T, s store.Store) {
	f := newFx(t, s)
	a := &store.NumberCategory{OrgID: 7, Name: "A", Note: "old", CreatedBy: "wang"}
	b := &store.NumberCategory{OrgID: 7, Name: "B"}
	f.must(s.CreateNumberCategory(f.ctx, a))
	f.must(s.CreateNumberCategory(f.ctx, b))
	_, err := s.AddNumbers(f.ctx, []store.NumberEntry{{CategoryID: a.ID, Number: "13800138001"}})
	f.must(err)
	f.must(s.SetNumberGrants(f.ctx, a.ID, []int64{9}))
	f.must(s.UpdateNumberCategory(f.ctx, &store.NumberCategory{ID: a.ID, Name: "A2", Note: "new"}))
	c, err := s.NumberCategory(f.ctx, a.ID)
	f.must(err)
	if c.Name != "A2" || c.Note != "new" || c.OrgID != 7 || c.CreatedBy != "wang" || c.Count != 1 {
		t.Fatalf("renamed category = %+v", c)
	}
	if g, _ := s.NumberGrants(f.ctx); !slices.Equal(g[a.ID], []int64{9}) {
		t.Fatalf("grants after a rename: %v", g)
	}
	if err := s.UpdateNumberCategory(f.ctx, &store.NumberCategory{ID: a.ID, Name: "B", Note: "x"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("taking B's name: %v, want ErrDuplicate", err)
	}
	if c, _ = s.NumberCategory(f.ctx, a.ID); c.Name != "A2" || c.Note != "new" {
		t.Fatalf("a refused rename changed it: %+v", c)
	}
	// Another organisation's category may have the name.
	f.must(s.CreateNumberCategory(f.ctx, &store.NumberCategory{OrgID: 8, Name: "C"}))
	f.must(s.UpdateNumberCategory(f.ctx, &store.NumberCategory{ID: b.ID, Name: "C"}))
	if err := s.UpdateNumberCategory(f.ctx, &store.NumberCategory{ID: 999999, Name: "Z"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no such category: %v", err)
	}
}

func testNumbersFromTraffic(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(3, 1) // to 13800130000 … 13800130002
	f.queue(ids[0], "gw", 1)
	f.submit(ids[0], 1, "gw", "op-1")
	if o := f.report("gw", "op-1", store.Delivered, "DELIVRD"); o.Final != store.Delivered {
		t.Fatalf("report: %+v", o)
	}
	other := f.account("other")
	it := f.item(other.ID, "", 1, 1)
	it.Messages[0].To = "13700137000"
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	f.queue(it.Messages[0].ID, "gw", 1)
	f.submit(it.Messages[0].ID, 1, "gw", "op-2")
	f.report("gw", "op-2", store.Delivered, "DELIVRD")
	f.must(s.InsertMO(f.ctx, []*store.MO{
		{AccountID: f.acct, From: "13600136000", To: "10658000", Content: "hi", Operator: "cmcc", ReceivedAt: base},
		{AccountID: f.acct, From: "13800130000", To: "10658000", Content: "again", Operator: "cmcc", ReceivedAt: base},
		{AccountID: f.acct, From: "13500135000", To: "10658000", Content: "old", ReceivedAt: base.Add(-48 * time.Hour)},
	}))

	cat := &store.NumberCategory{Name: "active"}
	f.must(s.CreateNumberCategory(f.ctx, cat))
	from, until := base.Add(-time.Hour), base.Add(time.Hour)
	n, err := s.NumbersFromTraffic(f.ctx, store.TrafficQuery{CategoryID: cat.ID, AccountIDs: []int64{f.acct}, From: from, Until: until,
		Delivered: true, Replied: true, Tags: []string{"traffic"}})
	f.must(err)
	if n != 2 {
		t.Fatalf("added %d, want 2 (one delivered that also replied, one reply)", n)
	}
	es, err := s.SearchNumbers(f.ctx, store.NumberQuery{CategoryIDs: []int64{cat.ID}, Tag: "traffic"})
	f.must(err)
	if got := numbersOf(es); !slices.Equal(got, []string{"13600136000", "13800130000"}) {
		t.Fatalf("numbers = %v", got)
	}
	if es[1].Operator != "cmcc" {
		t.Fatalf("operator = %q", es[1].Operator)
	}
	// Every account, delivered only: the other account's number joins; the rest are there already.
	if n, err = s.NumbersFromTraffic(f.ctx, store.TrafficQuery{CategoryID: cat.ID, From: from, Until: until, Delivered: true}); err != nil || n != 1 {
		t.Fatalf("every account: %d, %v; want 1", n, err)
	}
	if n, err = s.NumbersFromTraffic(f.ctx, store.TrafficQuery{CategoryID: cat.ID, AccountIDs: []int64{}, Delivered: true}); err != nil || n != 0 {
		t.Fatalf("no accounts: %d, %v", n, err)
	}
	if _, err = s.NumbersFromTraffic(f.ctx, store.TrafficQuery{CategoryID: 999999, Delivered: true}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no category: %v", err)
	}
}

func testCustomers(t *testing.T, s store.Store) {
	f := newFx(t, s)
	a := &store.Customer{OrgID: 7, Phone: "13800138001", Name: "张三", Occupation: "教师", Age: 35, Income: "5000-10000",
		Fields: map[string]string{"爱好": "书法"}, Source: "form", CreatedAt: base}
	b := &store.Customer{OrgID: 7, Phone: "13800138002", Name: "李四", Occupation: "医生", Age: 52, Source: "import"}
	c := &store.Customer{OrgID: 8, Phone: "13800138001", Name: "王五", Occupation: "教师", Age: 17, Source: "sms"}
	n, err := s.SaveCustomers(f.ctx, []*store.Customer{a, b, c})
	f.must(err)
	if n != 3 || a.ID == 0 || c.ID == a.ID {
		t.Fatalf("saved %d new, ids %d %d", n, a.ID, c.ID)
	}
	// The same phone in the same organisation merges.
	again := &store.Customer{OrgID: 7, Phone: "13800138001", Age: 36, Fields: map[string]string{"车": "有"}, Source: "sms"}
	n, err = s.SaveCustomers(f.ctx, []*store.Customer{again})
	f.must(err)
	if n != 0 || again.ID != a.ID {
		t.Fatalf("merge: %d new, id %d want %d", n, again.ID, a.ID)
	}
	got, err := s.GetCustomer(f.ctx, a.ID)
	f.must(err)
	if got.Name != "张三" || got.Occupation != "教师" || got.Age != 36 || got.Income != "5000-10000" || got.Source != "sms" ||
		got.Fields["爱好"] != "书法" || got.Fields["车"] != "有" || !got.CreatedAt.Equal(base) || got.UpdatedAt.IsZero() {
		t.Fatalf("merged = %+v", got)
	}
	find := func(q store.CustomerQuery, want ...int64) {
		t.Helper()
		cs, err := s.Customers(f.ctx, q)
		f.must(err)
		var ids []int64
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("Customers(%+v) = %v, want %v", q, ids, want)
		}
	}
	find(store.CustomerQuery{}, c.ID, b.ID, a.ID)
	find(store.CustomerQuery{OrgIDs: []int64{7}}, b.ID, a.ID)
	find(store.CustomerQuery{OrgIDs: []int64{}})
	find(store.CustomerQuery{Text: "张"}, a.ID)
	find(store.CustomerQuery{Text: "138002"}, b.ID)
	find(store.CustomerQuery{Occupation: "教师"}, c.ID, a.ID)
	find(store.CustomerQuery{BeforeID: c.ID, Limit: 1}, b.ID)

	st, err := s.CustomerStats(f.ctx, []int64{7, 8})
	f.must(err)
	if st.Total != 3 || st.ByOccupation["教师"] != 2 || st.ByAge["30-39"] != 1 || st.ByAge["50-59"] != 1 || st.ByAge["<18"] != 1 ||
		st.ByIncome["5000-10000"] != 1 || st.ByIncome[""] != 2 {
		t.Fatalf("stats = %+v", st)
	}
	if st, _ = s.CustomerStats(f.ctx, []int64{}); st.Total != 0 {
		t.Fatalf("stats of nothing = %+v", st)
	}

	b.Phone = "13800138001"
	if err := s.UpdateCustomer(f.ctx, b); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("update to a taken phone: %v", err)
	}
	b.Phone, b.Name, b.Fields = "13800138003", "李四四", nil
	f.must(s.UpdateCustomer(f.ctx, b))
	if got, _ = s.GetCustomer(f.ctx, b.ID); got.Name != "李四四" || got.Phone != "13800138003" {
		t.Fatalf("updated = %+v", got)
	}
	f.must(s.DeleteCustomer(f.ctx, b.ID))
	if err := s.DeleteCustomer(f.ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := s.GetCustomer(f.ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if err := s.UpdateCustomer(f.ctx, b); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update deleted: %v", err)
	}

	sv := &store.Survey{OrgID: 7, Keyword: "DC", Reply: "谢谢"}
	f.must(s.CreateSurvey(f.ctx, sv))
	if err := s.CreateSurvey(f.ctx, &store.Survey{OrgID: 7, Keyword: "DC"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate keyword: %v", err)
	}
	f.must(s.CreateSurvey(f.ctx, &store.Survey{OrgID: 8, Keyword: "DC"}))
	svs, err := s.Surveys(f.ctx)
	f.must(err)
	if len(svs) != 2 || svs[0].Keyword != "DC" || svs[0].Reply != "谢谢" || svs[0].OrgID != 7 {
		t.Fatalf("surveys = %+v", svs)
	}
	f.must(s.DeleteSurvey(f.ctx, sv.ID))
	if err := s.DeleteSurvey(f.ctx, sv.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete survey twice: %v", err)
	}
}
