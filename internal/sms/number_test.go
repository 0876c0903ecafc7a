package sms

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeNumber(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"13800138000", "13800138000"},
		{"+86 138 0013 8000", "13800138000"},
		{"0086-13800138000", "13800138000"},
		{"8613800138000", "13800138000"},
		{"+8613800138000", "13800138000"},
		{"(+86) 138.0013.8000", "13800138000"},
		{" 199 9999 9999\t", "19999999999"},
		{"１３８００１３８０００", "13800138000"}, // full-width digits
		{"＋８６　１３８－００１３－８０００", "13800138000"},
		{"+447911123456", "+447911123456"},
		{"0044 7911 123456", "+447911123456"},
		{"+1 (555) 123-4567", "+15551234567"},
		{"+85212345678", "+85212345678"},
		{"+123456789012345", "+123456789012345"}, // 15 digits
		{"+12345678", "+12345678"},               // 8 digits
	}
	for _, tt := range tests {
		got, err := NormalizeNumber(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeNumberInvalid(t *testing.T) {
	tests := []struct {
		in, why string
	}{
		{"12345", "5 digits, a mainland mobile number has 11"},
		{"", "empty"},
		{"  - ", "empty"},
		{"138OO138OOO", `contains 'O'`},
		{"abc", `contains 'a'`},
		{"138 0013 8000 ext", `contains 'e'`},
		{"12800138000", "prefix 128 is not a mainland mobile prefix"},
		{"01012345678", "prefix 010 is not a mainland mobile prefix"},
		{"+8612800138000", "prefix 128"},
		{"+86 10 1234 5678", "10 digits"},
		{"861380013800", "12 digits"}, // 12 digits: no 86 stripping
		{"138001380001", "12 digits"},
		{"+", "no digits after the international prefix"},
		{"00", "no digits after the international prefix"},
		{"+0123456789", "country code cannot start with 0"},
		{"+1234567", "7 digits, want 8 to 15"},
		{"+1234567890123456", "16 digits, want 8 to 15"},
		{"138+00138000", "'+' inside the number"},
		{"++8613800138000", "'+' inside the number"},
		{"138\xff", "not valid UTF-8"},
		{strings.Repeat("1", 40), "too long (over 32 digits)"},
	}
	for _, tt := range tests {
		got, err := NormalizeNumber(tt.in)
		if !errors.Is(err, ErrInvalidNumber) || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("NormalizeNumber(%q) = %q, %v; want ErrInvalidNumber saying %q", tt.in, got, err, tt.why)
		}
	}
	// The error quotes the input, shortened when long.
	_, err := NormalizeNumber("12345")
	if err == nil || err.Error() != `invalid number "12345": 5 digits, a mainland mobile number has 11` {
		t.Errorf("error text %q", err)
	}
	_, err = NormalizeNumber(strings.Repeat("中", 30))
	if err == nil || len(err.Error()) > 120 || !strings.Contains(err.Error(), "…") {
		t.Errorf("long input error %q", err)
	}
}

func TestIsMainland(t *testing.T) {
	for n, want := range map[string]bool{
		"13800138000": true, "19999999999": true, "13000000000": true,
		"12800138000": false, "1380013800": false, "138001380000": false,
		"+447911123456": false, "1380013800a": false, "": false, "23800138000": false,
	} {
		if got := IsMainland(n); got != want {
			t.Errorf("IsMainland(%q) = %v, want %v", n, got, want)
		}
	}
}
