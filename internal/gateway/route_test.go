package gateway

import (
	"strings"
	"testing"
)

func TestShippedSegments(t *testing.T) {
	s := DefaultSegments()
	cases := map[string]string{
		"13800138000": CMCC, "13912345678": CMCC, "13012345678": CUCC, "13312345678": CTCC,
		"19212345678": CBN, "13491234567": CTCC, // 1349 satellite beats 134
		"13401234567": CMCC, "17031234567": CMCC, "17001234567": CTCC, "17041234567": CUCC,
		"+447911123456": Intl, "12012345678": "",
	}
	for n, want := range cases {
		if got := s.Operator(n); got != want {
			t.Errorf("Operator(%s) = %q, want %q", n, got, want)
		}
	}
	if s.Len() < 60 {
		t.Errorf("shipped table has only %d prefixes", s.Len())
	}
}

func TestOverridesWinForPortedNumbers(t *testing.T) {
	s, err := DefaultSegments().WithOverrides(map[string]string{"13800138000": CTCC})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Operator("13800138000"); got != CTCC {
		t.Errorf("ported number routed to %q, want ctcc", got)
	}
	if got := s.Operator("13800138001"); got != CMCC {
		t.Errorf("neighbour of a ported number routed to %q, want cmcc", got)
	}
	if _, err := DefaultSegments().WithOverrides(map[string]string{"13800138000": "nope"}); err == nil {
		t.Error("unknown operator in overrides accepted")
	}
}

func TestParseSegmentsErrors(t *testing.T) {
	for _, bad := range []string{"13a,cmcc", "138", "138,xyz"} {
		if _, err := ParseSegments(strings.NewReader(bad), nil); err == nil {
			t.Errorf("ParseSegments(%q) accepted bad input", bad)
		}
	}
}
