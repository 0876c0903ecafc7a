package core

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"hongyan/internal/store"
)

func TestSendingWindow(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, sh) }
	day, night := [2]int{8 * 60, 21 * 60}, [2]int{22 * 60, 6 * 60}
	cases := []struct {
		win  [2]int
		t    time.Time
		want time.Time
	}{
		{day, at(4, 12, 0), at(4, 12, 0)},   // inside: now
		{day, at(4, 8, 0), at(4, 8, 0)},     // the start is inside
		{day, at(4, 7, 59), at(4, 8, 0)},    // before: today's start
		{day, at(4, 21, 0), at(5, 8, 0)},    // the end is outside: tomorrow's start
		{day, at(4, 23, 30), at(5, 8, 0)},   // late: tomorrow
		{day, at(31, 22, 0), at(32, 8, 0)},  // across a month's end (Date normalises)
		{night, at(4, 23, 0), at(4, 23, 0)}, // over midnight, inside
		{night, at(4, 3, 0), at(4, 3, 0)},   // after midnight, inside
		{night, at(4, 6, 0), at(4, 22, 0)},  // outside: tonight
		{night, at(4, 12, 0), at(4, 22, 0)}, // outside: tonight
		{[2]int{0, 0}, at(4, 3, 0), at(4, 3, 0)},
	}
	for _, c := range cases {
		if got := windowStart(c.t, c.win[0], c.win[1], sh); !got.Equal(c.want) {
			t.Errorf("windowStart(%s, %s) = %s, want %s", c.t.Format("01-02 15:04"), FormatHours(c.win[0], c.win[1]), got.Format("01-02 15:04"), c.want.Format("01-02 15:04"))
		}
	}
	// In another zone the window is still the platform's: 23:30 UTC is 07:30 in Shanghai.
	if got := windowStart(time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC), day[0], day[1], sh); !got.Equal(at(5, 8, 0)) {
		t.Errorf("UTC time: %s", got)
	}
}

func TestParseHours(t *testing.T) {
	for in, want := range map[string][2]int{
		"08:00-21:00": {480, 1260}, " 8:30 - 21:05 ": {510, 1265}, "22:00-06:00": {1320, 360},
		"00:00-24:00": {0, 0}, "": {0, 0}, "any": {0, 0}, "08:00–21:00": {480, 1260},
	} {
		f, u, err := ParseHours(in)
		if in == "00:00-24:00" {
			if err == nil {
				t.Errorf("ParseHours(%q): a whole day must be given as \"\"", in)
			}
			continue
		}
		if err != nil || f != want[0] || u != want[1] {
			t.Errorf("ParseHours(%q) = %d, %d, %v; want %v", in, f, u, err, want)
		}
	}
	for _, bad := range []string{"8-21", "08:00", "25:00-26:00", "08:60-09:00", "08:00-08:00", "ab:cd-ef:gh"} {
		if _, _, err := ParseHours(bad); err == nil {
			t.Errorf("ParseHours(%q) accepted", bad)
		}
	}
	if FormatHours(480, 1260) != "08:00-21:00" || FormatHours(0, 0) != "" {
		t.Error("FormatHours")
	}
}

func TestLimiterTakesDebt(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := newLimiter(2, t0)
	for i := range 2 {
		if l.take(1, t0) != 0 {
			t.Fatalf("a full bucket of 2 refused message %d", i+1)
		}
	}
	if w := l.take(1, t0); w != 500*time.Millisecond {
		t.Fatalf("third message in the same instant: wait %s, want 500ms", w)
	}
	if l.take(1, t0.Add(500*time.Millisecond)) != 0 {
		t.Fatal("one token after 500ms at 2/s")
	}
	// A batch bigger than the bucket goes, and the debt holds the next back.
	l = newLimiter(10, t0)
	if l.take(100, t0) != 0 {
		t.Fatal("a batch refused for its size alone")
	}
	// 10 - 100 = -90 tokens; 5s later -40: one token takes 4.1s more.
	if w := l.take(1, t0.Add(5*time.Second)); w != 4100*time.Millisecond {
		t.Fatalf("after a 100-message batch at 10/s, 5s later: wait %s, want 4.1s", w)
	}
	if l.take(1, t0.Add(9100*time.Millisecond)) != 0 {
		t.Fatal("the debt is paid after 9.1s")
	}
	// Idle time refills at most one second's worth.
	l = newLimiter(3, t0)
	for i := range 3 {
		if l.take(1, t0.Add(time.Hour)) != 0 {
			t.Fatalf("message %d after an idle hour", i+1)
		}
	}
	if l.take(1, t0.Add(time.Hour)) == 0 {
		t.Fatal("an idle hour saved more than a second of budget")
	}
}

func testCore(s *bizSnap) *Core {
	c := &Core{biz: newBizState(nil), m: newMetrics()}
	c.biz.snap.Store(s)
	return c
}

func TestCheckIP(t *testing.T) {
	nets := func(ss ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, s := range ss {
			p, err := parsePrefix(s)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	c := testCore(&bizSnap{limits: map[int64]*acctLimits{
		1: {AccountLimits: store.AccountLimits{AccountID: 1, IPAllow: []string{"10.1.0.0/16", "192.0.2.7", "2001:db8::/32"}},
			nets: nets("10.1.0.0/16", "192.0.2.7", "2001:db8::/32")},
		2: {AccountLimits: store.AccountLimits{AccountID: 2, TPS: 5}},
	}})
	acc := &store.Account{ID: 1, Name: "partner"}
	for remote, ok := range map[string]bool{
		"10.1.2.3:5555": true, "10.2.0.1:5555": false, "192.0.2.7:80": true, "192.0.2.8:80": false,
		"[2001:db8::1]:443": true, "[2001:db9::1]:443": false, "[::ffff:10.1.0.9]:1": true, "10.1.0.1": true,
	} {
		err := c.CheckIP(acc, remote)
		var ce *Error
		switch {
		case ok && err != nil:
			t.Errorf("%s refused: %v", remote, err)
		case !ok && (!errors.As(err, &ce) || ce.Code != "ip_not_allowed" || ce.Status != 403):
			t.Errorf("%s: %v, want 403 ip_not_allowed", remote, err)
		}
	}
	err := c.CheckIP(acc, "10.2.0.1:5555")
	if ce := err.(*Error); ce.Message != "account partner may not be used from 10.2.0.1 (allowed: 10.1.0.0/16, 192.0.2.7, 2001:db8::/32)" {
		t.Errorf("message %q", ce.Message)
	}
	for _, id := range []int64{2, 3} { // limits without a list, no limits: any address
		if err := c.CheckIP(&store.Account{ID: id}, "203.0.113.1:1"); err != nil {
			t.Errorf("account %d: %v", id, err)
		}
	}
}

func TestGrantsInheritDownTheTree(t *testing.T) {
	set := func(codes ...string) grantSet {
		var g grantSet
		for _, c := range codes {
			g.add(c)
		}
		return g
	}
	// Province 1 grants notice to everyone; city 2 adds marketing; county 3
	// is below the city; city 4 has nothing of its own.
	s := &bizSnap{
		orgs: map[int64]*store.Org{1: {ID: 1}, 2: {ID: 2, ParentID: 1}, 3: {ID: 3, ParentID: 2}, 4: {ID: 4, ParentID: 1}},
		accountGrants: map[int64]grantSet{
			10: set("verify"), 11: set("*"), 12: set("verify"),
		},
	}
	own := map[int64]grantSet{1: set("notice"), 2: set("marketing")}
	s.orgGrants = map[int64]grantSet{}
	for id := range s.orgs {
		var eff grantSet
		for _, o := range s.chain(id) {
			for c := range own[o].codes {
				eff.add(c)
			}
		}
		s.orgGrants[id] = eff
	}
	cases := []struct {
		acc  store.Account
		code string
		want bool
	}{
		{store.Account{ID: 20, OrgID: 3, Kind: store.KindUnit}, "notice", true},     // from the province
		{store.Account{ID: 20, OrgID: 3, Kind: store.KindUnit}, "marketing", true},  // from the city
		{store.Account{ID: 20, OrgID: 4, Kind: store.KindUnit}, "marketing", false}, // another city's
		{store.Account{ID: 20, OrgID: 1, Kind: store.KindUnit}, "marketing", false}, // grants go down, not up
		{store.Account{ID: 10, OrgID: 4, Kind: store.KindUnit}, "verify", true},     // the unit's own grant adds
		{store.Account{ID: 12, OrgID: 3, Kind: store.KindPartner}, "verify", true},  // a partner's own
		{store.Account{ID: 12, OrgID: 3, Kind: store.KindPartner}, "notice", false}, // …and not its organisation's
		{store.Account{ID: 11, Kind: store.KindPartner}, "anything", true},          // "*"
		{store.Account{ID: 21}, "notice", false},                                    // no organisation, no grant
	}
	for _, c := range cases {
		if got := s.granted(&c.acc, c.code); got != c.want {
			t.Errorf("account %d (org %d, %s) may use %s: %v, want %v", c.acc.ID, c.acc.OrgID, c.acc.Kind, c.code, got, c.want)
		}
	}
	// A cycle in bad data ends the walk.
	s.orgs[5], s.orgs[6] = &store.Org{ID: 5, ParentID: 6}, &store.Org{ID: 6, ParentID: 5}
	if n := len(s.chain(5)); n > len(s.orgs)+1 {
		t.Fatalf("chain of a cycle: %d", n)
	}
}

func TestMOBusinessByTypeKeywords(t *testing.T) {
	c := testCore(&bizSnap{moTypes: []moType{
		{serviceCode: "1065800021", business: "survey"},
		{serviceCode: "106580002", keyword: "CXYE", business: "balance"},
		{serviceCode: "106580002", keyword: "CX", business: "query"},
		{serviceCode: "106580002", business: "marketing"},
		{serviceCode: "10658000", keyword: "查询", business: "query"},
	}})
	for _, tc := range []struct{ to, text, want string }{
		{"106580002", "cx 123", "query"},
		{"1065800029", "CXYE", "balance"},
		{"106580002", "hello", "marketing"}, // the type of the service code without keywords
		{"1065800021", "CX", "survey"},      // a longer service code wins
		{"10658000", "查询余额", "query"},
		{"10658000", "hello", ""}, // keywords only, none matches
		{"10690000", "CX", ""},
	} {
		if got := c.moBusiness(tc.to, tc.text); got != tc.want {
			t.Errorf("moBusiness(%q, %q) = %q, want %q", tc.to, tc.text, got, tc.want)
		}
	}
}

func TestCheckBusinessType(t *testing.T) {
	ok := &store.BusinessType{Code: "marketing", Name: "营销", Priority: 2, FeePerSegment: 40, ReportRequired: true,
		ServiceCode: "106580002", MOKeywords: []string{"yx", "ＴＧ", "yx"}, SendFrom: 480, SendUntil: 1260}
	if err := CheckBusinessType(ok); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ok.MOKeywords, []string{"TG", "YX"}) || ok.ChargeMode != store.ChargePerMessage || ok.ChargeOn != store.ChargeDelivered {
		t.Fatalf("normalised: %+v", ok)
	}
	for name, bad := range map[string]store.BusinessType{
		"code with space":          {Code: "a b"},
		"star code":                {Code: "*"},
		"priority":                 {Code: "x", Priority: 3},
		"negative fee":             {Code: "x", FeePerSegment: -1},
		"mode":                     {Code: "x", ChargeMode: "weekly"},
		"monthly without fee":      {Code: "x", ChargeMode: store.ChargeMonthly},
		"capped without cap":       {Code: "x", ChargeMode: store.ChargeMonthlyCapped, FeePerSegment: 10},
		"delivery without reports": {Code: "x", FeePerSegment: 10},
		"service code letters":     {Code: "x", ServiceCode: "1065a"},
		"keyword two words":        {Code: "x", ServiceCode: "1065", MOKeywords: []string{"CX 1"}},
		"keyword without code":     {Code: "x", MOKeywords: []string{"CX"}},
		"hours":                    {Code: "x", SendFrom: 1440},
	} {
		b := bad
		var ce *Error
		if err := CheckBusinessType(&b); !errors.As(err, &ce) || ce.Code != "invalid_business_type" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Free and submit-charged types need no reports.
	for _, b := range []store.BusinessType{{Code: "f", FeePerSegment: 10, ChargeMode: store.ChargeFree}, {Code: "s", FeePerSegment: 10, ChargeOn: store.ChargeSubmitted}} {
		if err := CheckBusinessType(&b); err != nil {
			t.Errorf("%s: %v", b.Code, err)
		}
	}
	other := &store.BusinessType{Code: "other", ServiceCode: "106580002", MOKeywords: []string{"YX"}}
	if err := checkMOClash(ok, []*store.BusinessType{ok, other}); err == nil {
		t.Error("two types with one service code and keyword")
	}
	other.MOKeywords = []string{"ZZ"}
	if err := checkMOClash(ok, []*store.BusinessType{ok, other}); err != nil {
		t.Error(err)
	}
}

func TestNormalizeGrants(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"notice", " verify", "notice", ""}, []string{"notice", "verify"}},
		{[]string{"notice", "*"}, []string{"*"}},
		{nil, []string{}},
	} {
		if got := NormalizeGrants(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("NormalizeGrants(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
