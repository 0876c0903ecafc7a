package smpp

import "testing"

func TestIDFormats(t *testing.T) {
	for _, tc := range []struct {
		f          IDFormat
		resp, text string
		match      bool
		respKey    string
	}{
		{IDAsIs, "abc-123", "abc-123", true, "abc-123"},
		{IDAsIs, " abc ", "abc", true, "abc"},
		{IDAsIs, "0123", "123", false, "0123"},
		{IDDec, "000123", "123", true, "123"},
		{IDDec, "0", "000", true, "0"},
		{IDHex, "0A1B", "a1b", true, "a1b"},
		{IDHex, "0x1A2B", "1a2b", true, "1a2b"},
		{IDHexToDec, "1A2B", "6699", true, "1a2b"},
		{IDHexToDec, "00001a2b", "0000006699", true, "1a2b"},
		{IDHexToDec, "1A2B", "6698", false, "1a2b"},
		{IDDecToHex, "6699", "1A2B", true, "6699"},
		{IDDecToHex, "6699", "00001a2b", true, "6699"},
		// Ids longer than 64 bits.
		{IDHexToDec, "FFFFFFFFFFFFFFFFFF", "4722366482869645213695", true, "ffffffffffffffffff"},
		// An id that is not in the configured base still matches itself.
		{IDHexToDec, "msg-1", "msg-1", true, "msg-1"},
		{IDDec, "-5", "5", false, "-5"},
	} {
		if got := tc.f.MatchID(tc.resp, tc.text); got != tc.match {
			t.Errorf("%s %q vs %q: %v", tc.f, tc.resp, tc.text, got)
		}
		if got := tc.f.RespKey(tc.resp); got != tc.respKey {
			t.Errorf("%s RespKey(%q) = %q, want %q", tc.f, tc.resp, got, tc.respKey)
		}
	}
	for _, tc := range []struct {
		resp, text string
		want       IDFormat
		ok         bool
	}{
		{"123", "123", IDAsIs, true},
		{"0123", "123", IDDec, true},
		{"0A1B", "a1b", IDHex, true},
		{"1A2B", "6699", IDHexToDec, true},
		{"6699", "1a2b", IDDecToHex, true},
		{"1A2B", "1", IDAsIs, false},
	} {
		if f, ok := DetectIDFormat(tc.resp, tc.text); f != tc.want || ok != tc.ok {
			t.Errorf("Detect(%q, %q) = %s %v", tc.resp, tc.text, f, ok)
		}
	}
	for s, want := range map[string]IDFormat{"": IDAsIs, "as-is": IDAsIs, "dec": IDDec, "HEX": IDHex, "hex2dec": IDHexToDec,
		"hex-dec": IDHexToDec, "hex→dec": IDHexToDec, "dec_hex": IDDecToHex} {
		if f, err := ParseIDFormat(s); err != nil || f != want {
			t.Errorf("ParseIDFormat(%q) = %s %v", s, f, err)
		}
	}
	if _, err := ParseIDFormat("base64"); err == nil {
		t.Error("base64 accepted")
	}
	if IDHexToDec.String() != "hex-dec" {
		t.Error("String")
	}
}
