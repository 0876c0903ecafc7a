package core

import (
	"testing"

	"hongyan/internal/store"
)

func TestMORouteMatch(t *testing.T) {
	accounts := map[int64]*store.Account{
		1: {ID: 1, ServiceCode: "10658000"},
		2: {ID: 2, ServiceCode: "106590"},
		3: {ID: 3}, // no number of its own: reached only through routes
	}
	routes := []*store.MORoute{
		{ID: 10, ServiceCode: "10658000", Keyword: "CX", AccountID: 3, Business: "query"},
		{ID: 11, ServiceCode: "10658000", Keyword: "CXYE", AccountID: 2, Business: "balance"},
		{ID: 12, ServiceCode: "10658000", Keyword: "查询", AccountID: 3, Business: "query"},
		{ID: 13, ServiceCode: "10658000", Keyword: "T", AccountID: 1, Business: "unsub"},
		{ID: 14, ServiceCode: "1065800012", AccountID: 2, Business: "survey"},
		{ID: 15, ServiceCode: "106590", Keyword: "", AccountID: 3, Business: "override"},
	}
	tab := newMORouteTable(routes, accounts)
	cases := []struct {
		to, text string
		want     int64 // route id; 0 = the implicit route of account 1's service code; -1 = none
		acct     int64
	}{
		{"10658000", "CX 12345", 10, 3},
		{"10658000", "cx12345", 10, 3},  // case and no separator before digits
		{"10658000", "ＣＸ", 10, 3},       // full-width
		{"10658000", "  #CX", 10, 3},    // leading blanks and punctuation
		{"106580009", "CXYE", 11, 2},    // longest keyword wins
		{"10658000", "CXY", 0, 1},       // CX runs on into a Latin letter: no keyword match
		{"10658000", "查询余额", 12, 3},     // CJK keywords match as a prefix
		{"10658000", "T", 13, 1},        // unsubscribe keyword
		{"10658000", "TEST", 0, 1},      // …but not the start of a word
		{"10658000", "T【中国移动】", 13, 1},  // operator's appended signature
		{"10658000", "hello", 0, 1},     // catch-all: the account's own service code
		{"1065800012", "CX", 14, 2},     // a longer service code beats the parent's keywords
		{"10659012", "anything", 15, 3}, // an explicit catch-all replaces the implicit one
		{"10690000", "CX", -1, 0},       // nobody's number
		{"1065", "CX", -1, 0},           // shorter than every service code
	}
	for _, c := range cases {
		r := tab.match(c.to, c.text)
		switch {
		case c.want == -1:
			if r != nil {
				t.Errorf("match(%q, %q) = route %+v, want none", c.to, c.text, r)
			}
		case r == nil:
			t.Errorf("match(%q, %q) = none, want route %d", c.to, c.text, c.want)
		case r.ID != c.want || r.AccountID != c.acct:
			t.Errorf("match(%q, %q) = route %d of account %d, want route %d of account %d", c.to, c.text, r.ID, r.AccountID, c.want, c.acct)
		}
	}
}

func TestKeywordOf(t *testing.T) {
	for in, want := range map[string]string{
		"TD":         "TD",
		"td":         "TD",
		" ＴＤ ":       "TD",
		"TD【中国移动】":   "TD",
		"退订":         "退订",
		"退订。谢谢":      "退订",
		"CX 123":     "CX",
		"查询123":      "查询123",
		"":           "",
		"【签名】":       "签名", // leading punctuation is skipped
		"n,thanks":   "N",
		"Y#1":        "Y",
		"\t\n回复1 好的": "回复1",
	} {
		if got := MOKeyword(in); got != want {
			t.Errorf("MOKeyword(%q) = %q, want %q", in, got, want)
		}
	}
}
