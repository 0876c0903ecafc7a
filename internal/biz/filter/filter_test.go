package filter

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// at is an expected hit: rule ID and the original text it spans, found at
// its first occurrence at or after byte from.
type at struct {
	id   int64
	span string
	from int
}

func (a at) hit(t *testing.T, f *Filter, rules []Rule, text string) Hit {
	t.Helper()
	i := strings.Index(text[a.from:], a.span)
	if i < 0 {
		t.Fatalf("test bug: %q not in %q", a.span, text)
	}
	for _, r := range rules {
		if r.ID == a.id {
			return Hit{Rule: r, Start: a.from + i, End: a.from + i + len(a.span)}
		}
	}
	t.Fatalf("test bug: no rule %d", a.id)
	return Hit{}
}

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []Rule
		text  string
		all   []at // FindAll, in order
		check *at  // Check; nil for clean
	}{{
		name:  "exact",
		rules: []Rule{{1, "违禁词", Reject}},
		text:  "这里有违禁词。",
		all:   []at{{1, "违禁词", 0}},
		check: &at{1, "违禁词", 0},
	}, {
		name:  "inserted spaces kept in the span, outer ones not",
		rules: []Rule{{1, "违禁词", Reject}},
		text:  "请勿发送 违 禁 词 ！",
		all:   []at{{1, "违 禁 词", 0}},
		check: &at{1, "违 禁 词", 0},
	}, {
		name:  "punctuation, zero width and full width between",
		rules: []Rule{{1, "违禁词", Review}},
		text:  "违*禁*词 违\u200b禁词 违，禁。词 违　禁　词",
		all:   []at{{1, "违*禁*词", 0}, {1, "违\u200b禁词", 0}, {1, "违，禁。词", 0}, {1, "违　禁　词", 0}},
		check: &at{1, "违*禁*词", 0},
	}, {
		name:  "full width and case",
		rules: []Rule{{1, "falun", Reject}},
		text:  "ＦＡＬＵＮ / f.a.l.u.n / FaLuN",
		all:   []at{{1, "ＦＡＬＵＮ", 0}, {1, "f.a.l.u.n", 0}, {1, "FaLuN", 0}},
		check: &at{1, "ＦＡＬＵＮ", 0},
	}, {
		name:  "full width word matches plain text",
		rules: []Rule{{1, "Ｖ Ｘ：ａｂｃ", Review}},
		text:  "加vx abc领取",
		all:   []at{{1, "vx abc", 0}},
		check: &at{1, "vx abc", 0},
	}, {
		name:  "overlapping he she his hers",
		rules: []Rule{{1, "he", Review}, {2, "she", Review}, {3, "his", Review}, {4, "hers", Review}},
		text:  "ushers",
		all:   []at{{2, "she", 0}, {4, "hers", 0}, {1, "he", 0}},
		check: &at{2, "she", 0},
	}, {
		name:  "word inside another",
		rules: []Rule{{1, "违禁", Review}, {2, "违禁词", Review}, {3, "禁词", Review}},
		text:  "这是违禁词",
		all:   []at{{2, "违禁词", 0}, {1, "违禁", 0}, {3, "禁词", 0}},
		check: &at{2, "违禁词", 0}, // leftmost, then longest
	}, {
		name:  "repeated and overlapping occurrences of one word",
		rules: []Rule{{1, "aa", Review}},
		text:  "a a A",
		all:   []at{{1, "a a", 0}, {1, "a A", 2}},
		check: &at{1, "a a", 0},
	}, {
		name:  "Chinese, Latin and digits mixed",
		rules: []Rule{{1, "加微信abc123", Reject}, {2, "QQ群", Review}, {3, "8折", Review}},
		text:  "加 微 信 ＡＢＣ-１２３，进ｑｑ群享8.折",
		all:   []at{{1, "加 微 信 ＡＢＣ-１２３", 0}, {2, "ｑｑ群", 0}, {3, "8.折", 0}},
		check: &at{1, "加 微 信 ＡＢＣ-１２３", 0},
	}, {
		name:  "reject beats an earlier review",
		rules: []Rule{{1, "发票", Review}, {2, "赌博", Reject}},
		text:  "代开发票，网上赌博",
		all:   []at{{1, "发票", 0}, {2, "赌博", 0}},
		check: &at{2, "赌博", 0},
	}, {
		name:  "leftmost reject among rejects",
		rules: []Rule{{1, "发票", Review}, {2, "赌博", Reject}, {3, "博彩", Reject}, {4, "彩票", Reject}},
		text:  "发票 赌博彩票",
		all:   []at{{1, "发票", 0}, {2, "赌博", 0}, {3, "博彩", 0}, {4, "彩票", 0}},
		check: &at{2, "赌博", 0},
	}, {
		name:  "a later, longer reject that starts first wins",
		rules: []Rule{{1, "bc", Reject}, {2, "abcd", Reject}},
		text:  "xabcd",
		all:   []at{{2, "abcd", 0}, {1, "bc", 0}},
		check: &at{2, "abcd", 0},
	}, {
		name:  "clean text",
		rules: []Rule{{1, "违禁词", Reject}, {2, "falun", Reject}},
		text:  "【邮政】您的包裹已到达，请凭取件码 1234 到驿站领取。违规词语",
	}, {
		name:  "a word is not split across skipped letters",
		rules: []Rule{{1, "违禁词", Reject}},
		text:  "违a禁词 违禁",
	}, {
		name:  "empty text",
		rules: []Rule{{1, "违禁词", Reject}},
	}, {
		name: "no rules",
		text: "违禁词",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := New(tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			var want []Hit
			for _, a := range tc.all {
				want = append(want, a.hit(t, f, tc.rules, tc.text))
			}
			if got := f.FindAll(tc.text); !slices.Equal(got, want) {
				t.Errorf("FindAll(%q)\n got %v\nwant %v", tc.text, got, want)
			}
			h, ok := f.Check(tc.text)
			switch {
			case tc.check == nil && ok:
				t.Errorf("Check(%q) = %v, want clean", tc.text, h)
			case tc.check != nil && (!ok || h != tc.check.hit(t, f, tc.rules, tc.text)):
				t.Errorf("Check(%q) = %v, %v; want %v", tc.text, h, ok, tc.check.hit(t, f, tc.rules, tc.text))
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		rule Rule
		want error
	}{
		{Rule{7, "", Reject}, ErrEmptyWord},
		{Rule{7, "   ", Reject}, ErrEmptyWord},
		{Rule{7, "，。！★-_|", Review}, ErrEmptyWord},
		{Rule{7, "\u200b\ufeff\u3000", Review}, ErrEmptyWord},
		{Rule{7, "违禁词", "block"}, ErrUnknownAction},
		{Rule{7, "违禁词", ""}, ErrUnknownAction},
		{Rule{7, "违禁词", "REJECT"}, ErrUnknownAction},
	} {
		f, err := New([]Rule{{1, "好词", Reject}, tc.rule})
		if !errors.Is(err, tc.want) || f != nil {
			t.Errorf("New(%+v) = %v, %v; want %v", tc.rule, f, err, tc.want)
		} else if !strings.Contains(err.Error(), "rule 7") {
			t.Errorf("error %q does not name the rule", err)
		}
	}
}

func TestDuplicates(t *testing.T) {
	rules := []Rule{
		{1, "违禁词", Review},
		{2, "违 禁 词", Reject}, // same word, stronger
		{3, "违禁词", Reject},   // same strength, given later
		{4, "ＷＪＣ", Review},
		{5, "wjc", Review},
		{6, "w.j.c", Review},
	}
	f, err := New(rules)
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 2 {
		t.Errorf("Len = %d, want 2", f.Len())
	}
	want := []Hit{{rules[1], 0, 9}, {rules[3], 9, 12}}
	if got := f.FindAll("违禁词wjc"); !slices.Equal(got, want) {
		t.Errorf("FindAll = %v, want %v", got, want)
	}
}

// TestLongWord covers words longer than the stack ring of start offsets.
func TestLongWord(t *testing.T) {
	long := strings.Repeat("长", ringSize+10)
	f, err := New([]Rule{{1, long, Reject}, {2, "长长", Review}})
	if err != nil {
		t.Fatal(err)
	}
	text := "开头 " + strings.Join(strings.Split(long, ""), " ") + " 结尾"
	h, ok := f.Check(text)
	start := strings.Index(text, "长")
	if !ok || h.Rule.ID != 1 || h.Start != start || h.End != strings.LastIndex(text, "长")+len("长") {
		t.Errorf("Check = %v, %v; want rule 1 from %d", h, ok, start)
	}
	if n := len(f.FindAll(text)); n != ringSize+10 { // the long word and 长长 at each of the other runes
		t.Errorf("FindAll found %d hits, want %d", n, ringSize+10)
	}
}

// TestNoAllocation: the common case, a clean text, must not allocate; nor
// does Check on a text with hits.
func TestNoAllocation(t *testing.T) {
	f := benchFilter(t, 10000)
	texts := benchTexts(t, f)
	for _, name := range []string{"clean70", "clean500", "hits"} {
		text := texts[name]
		if n := testing.AllocsPerRun(100, func() { f.Check(text) }); n != 0 {
			t.Errorf("Check(%s) allocates %v times", name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { f.FindAll(texts["clean500"]) }); n != 0 {
		t.Errorf("FindAll(clean) allocates %v times", n)
	}
}

func ExampleFilter_Check() {
	f, err := New([]Rule{
		{ID: 1, Word: "违禁词", Action: Reject},
		{ID: 2, Word: "加微信", Action: Review},
	})
	if err != nil {
		panic(err)
	}
	text := "加 微 信，有违 禁 词！"
	h, ok := f.Check(text)
	fmt.Println(ok, h.Rule.ID, h.Rule.Action, text[h.Start:h.End])
	fmt.Println(Normalize(text))
	// Output:
	// true 1 reject 违 禁 词
	// 加微信有违禁词
}
