package sms

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// partUnits is the size of each part's payload in the coding's units.
func partUnits(parts []Part, c Coding) []int {
	var out []int
	for _, p := range parts {
		n := len(p.Payload)
		if c == UCS2 {
			n /= 2
		}
		out = append(out, n)
	}
	return out
}

func TestSplitBoundaries(t *testing.T) {
	zh := func(n int) string { return strings.Repeat("中", n) }
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name  string
		text  string
		c     Coding
		units []int // payload size of each part, in Limits units
	}{
		{"empty", "", ASCII, []int{0}},
		{"ascii 160 single", a(160), ASCII, []int{160}},
		{"ascii 161", a(161), ASCII, []int{153, 8}},
		{"ascii 153*3", a(459), ASCII, []int{153, 153, 153}},
		{"ascii 153*3+1", a(460), ASCII, []int{153, 153, 153, 1}},
		{"ucs2 70 single", zh(70), UCS2, []int{70}},
		{"ucs2 71", zh(71), UCS2, []int{67, 4}},
		{"ucs2 67*2", zh(134), UCS2, []int{67, 67}},
		{"ucs2 67*2+1", zh(135), UCS2, []int{67, 67, 1}},
		{"ucs2 300 chinese = 5 parts", strings.Repeat("邮政", 150), UCS2, []int{67, 67, 67, 67, 32}},
		{"ucs2 35 emoji = 70 units single", strings.Repeat("😀", 35), UCS2, []int{70}},
		{"ucs2 36 emoji", strings.Repeat("😀", 36), UCS2, []int{66, 6}},
		// The pair would occupy units 67-68: it moves whole to part 2.
		{"ucs2 surrogate pair straddles 67", zh(66) + "😀" + zh(10), UCS2, []int{66, 12}},
		{"ucs2 surrogate pair ends at 67", zh(65) + "😀" + zh(10), UCS2, []int{67, 10}},
		{"gsm7 160 single", a(160), GSM7, []int{160}},
		{"gsm7 80 euro = 160 septets single", strings.Repeat("€", 80), GSM7, []int{160}},
		{"gsm7 161 septets", a(159) + "€", GSM7, []int{153, 8}},
		// The escape pair would occupy septets 153-154: it moves whole.
		{"gsm7 extension straddles 153", a(152) + "{" + a(10), GSM7, []int{152, 12}},
		{"gsm7 extension ends at 153", a(151) + "{" + a(10), GSM7, []int{153, 10}},
		{"gsm7 153*2", a(306), GSM7, []int{153, 153}},
		{"gbk 70 chinese = 140 bytes single", zh(70), GBK, []int{140}},
		{"gbk 71 chinese", zh(71), GBK, []int{134, 8}},
		// 'a' shifts every double byte by one: 133 bytes, not a split character.
		{"gbk double byte straddles 134", "a" + zh(70), GBK, []int{133, 8}},
		{"latin1 141", strings.Repeat("é", 141), Latin1, []int{134, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := Split(tt.text, tt.c, 0x2a)
			if err != nil {
				t.Fatal(err)
			}
			if got := partUnits(parts, tt.c); fmt.Sprint(got) != fmt.Sprint(tt.units) {
				t.Fatalf("part sizes %v, want %v", got, tt.units)
			}
			checkParts(t, parts, tt.text, tt.c, 0x2a)
		})
	}
}

// checkParts asserts the invariants of a Split result: numbering, headers
// that parse back, limits, no split character, and the text back whole.
func checkParts(t *testing.T, parts []Part, text string, c Coding, ref uint8) {
	t.Helper()
	single, per := byteLimits(c)
	var joined []byte
	for i, p := range parts {
		if p.Seq != i+1 || p.Total != len(parts) {
			t.Fatalf("part %d numbered %d/%d of %d", i, p.Seq, p.Total, len(parts))
		}
		if len(parts) == 1 {
			if p.UDH != nil || len(p.Payload) > single {
				t.Fatalf("single part has UDH % x, %d bytes", p.UDH, len(p.Payload))
			}
		} else {
			if len(p.Payload) > per || len(p.Payload) == 0 {
				t.Fatalf("part %d has %d bytes, limit %d", p.Seq, len(p.Payload), per)
			}
			want := []byte{5, 0, 3, ref, byte(len(parts)), byte(p.Seq)}
			if !bytes.Equal(p.UDH, want) {
				t.Fatalf("part %d UDH % x, want % x", p.Seq, p.UDH, want)
			}
			cc, ok, payload, err := ParseUDH(p.Content())
			if err != nil || !ok || cc != (Concat{Ref: uint16(ref), Total: len(parts), Seq: p.Seq}) || !bytes.Equal(payload, p.Payload) {
				t.Fatalf("ParseUDH(part %d) = %+v %v % x %v", p.Seq, cc, ok, payload, err)
			}
			// Each part decodes on its own: no character was cut.
			if _, err := Decode(p.Payload, c); err != nil {
				t.Fatalf("part %d does not decode alone: %v", p.Seq, err)
			}
		}
		joined = append(joined, p.Payload...)
	}
	got, err := Decode(joined, c)
	if err != nil || got != text {
		t.Fatalf("joined parts decode to %q, %v; want %q", got, err, text)
	}
}

func TestSplitUDHVector(t *testing.T) {
	parts, err := Split(strings.Repeat("邮", 150), UCS2, 0x2a)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	if want := unhex(t, "05 00 03 2a 03 01"); !bytes.Equal(parts[0].UDH, want) {
		t.Errorf("UDH % x, want % x", parts[0].UDH, want)
	}
	c := parts[2].Content()
	if want := unhex(t, "05 00 03 2a 03 03 90ae"); !bytes.Equal(c[:8], want) || len(c) != 6+2*(150-134) {
		t.Errorf("part 3 content % x", c)
	}
	// Content is a copy; appending to one part's slices leaves the next intact.
	_ = append(parts[0].UDH, 0xEE)
	_ = append(parts[0].Payload, 0xEE, 0xEE)
	if parts[1].UDH[0] != 5 || parts[1].Payload[0] != 0x90 {
		t.Error("append to part 1 overwrote part 2")
	}
}

func TestSplitErrors(t *testing.T) {
	if _, err := Split("中", ASCII, 1); !errors.Is(err, ErrUnencodable) {
		t.Errorf("Split(中, ASCII) error %v", err)
	}
	if _, err := Split("abc", Binary, 1); !errors.Is(err, ErrNotText) {
		t.Errorf("Split(Binary) error %v", err)
	}
	longest := strings.Repeat("中", 67*MaxParts)
	if parts, err := Split(longest, UCS2, 1); err != nil || len(parts) != MaxParts {
		t.Errorf("Split(67*255) = %d parts, %v", len(parts), err)
	}
	if _, err := Split(longest+"中", UCS2, 1); !errors.Is(err, ErrTooLong) {
		t.Errorf("Split(67*255+1) error %v, want ErrTooLong", err)
	}
	if _, err := Split(strings.Repeat("x", 1<<20), ASCII, 1); !errors.Is(err, ErrTooLong) {
		t.Errorf("Split(1 MiB) error %v, want ErrTooLong", err)
	}
}

func TestSplitBinary(t *testing.T) {
	b := make([]byte, 134*MaxParts)
	for i := range b {
		b[i] = byte(i)
	}
	tests := []struct{ n, parts int }{{0, 1}, {140, 1}, {141, 2}, {268, 2}, {269, 3}, {134 * MaxParts, MaxParts}}
	for _, tt := range tests {
		parts := SplitBinary(b[:tt.n], 7)
		if len(parts) != tt.parts {
			t.Errorf("SplitBinary(%d bytes) = %d parts, want %d", tt.n, len(parts), tt.parts)
			continue
		}
		var joined []byte
		for _, p := range parts {
			if tt.parts > 1 && !bytes.Equal(p.UDH, []byte{5, 0, 3, 7, byte(tt.parts), byte(p.Seq)}) {
				t.Errorf("part %d UDH % x", p.Seq, p.UDH)
			}
			joined = append(joined, p.Payload...)
		}
		if !bytes.Equal(joined, b[:tt.n]) {
			t.Errorf("SplitBinary(%d bytes) parts do not join back", tt.n)
		}
	}
	if parts := SplitBinary(make([]byte, 134*MaxParts+1), 7); parts != nil {
		t.Errorf("SplitBinary(too long) = %d parts, want nil", len(parts))
	}
}

func TestLimits(t *testing.T) {
	for c, want := range map[Coding][2]int{ASCII: {160, 153}, GSM7: {160, 153}, UCS2: {70, 67}, GBK: {140, 134}, Binary: {140, 134}, Latin1: {140, 134}} {
		if s, p := c.Limits(); s != want[0] || p != want[1] {
			t.Errorf("%v.Limits() = %d, %d; want %v", c, s, p, want)
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		text string
		n    int
		c    Coding
	}{
		{"", 1, ASCII},
		{strings.Repeat("a", 160), 1, ASCII},
		{strings.Repeat("a", 161), 2, ASCII},
		{strings.Repeat("a", 153*4), 4, ASCII},
		{strings.Repeat("中", 70), 1, UCS2},
		{strings.Repeat("中", 71), 2, UCS2},
		{strings.Repeat("邮政", 150), 5, UCS2},
		{strings.Repeat("中", 66) + "😀" + strings.Repeat("中", 67), 3, UCS2},
		{strings.Repeat("中", 67*300), 300, UCS2}, // beyond MaxParts: still counted
	}
	for _, tt := range tests {
		n, c := Count(tt.text)
		if n != tt.n || c != tt.c {
			t.Errorf("Count(%d bytes) = %d, %v; want %d, %v", len(tt.text), n, c, tt.n, tt.c)
		}
	}
}

// randomText mixes the characters that matter at boundaries.
func randomText(rng *rand.Rand, n int) string {
	pool := []string{"a", "Z", " ", "\n", "中", "邮", "😀", "𠀀", "é", "€", "{", "\xff"}
	var sb strings.Builder
	for range n {
		sb.WriteString(pool[rng.Intn(len(pool))])
	}
	return sb.String()
}

func TestCountMatchesSplit(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := range 2000 {
		var text string
		if i%2 == 0 {
			text = strings.Repeat("x", rng.Intn(700)) // ASCII only
		} else {
			text = randomText(rng, rng.Intn(400))
		}
		n, c := Count(text)
		parts, err := Split(text, c, uint8(i))
		if err != nil {
			t.Fatalf("Split(%q, %v): %v", text, c, err)
		}
		if n != len(parts) {
			t.Fatalf("Count(%q) = %d, Split gave %d parts", text, n, len(parts))
		}
		if !strings.Contains(text, "\xff") {
			checkParts(t, parts, text, c, uint8(i))
		}
	}
}

func TestSplitRoundTripAllCodings(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	pools := map[Coding]string{
		ASCII:  "abc XYZ~`\r\n\t",
		GSM7:   "abc@£Δ€{}[]^|~\\ß\n",
		UCS2:   "a中😀𠀀é ",
		GBK:    "a中文邮政，€ ",
		Latin1: "abcéÿ ",
	}
	for c, pool := range pools {
		runes := []rune(pool)
		for range 300 {
			var sb strings.Builder
			for range rng.Intn(500) {
				sb.WriteRune(runes[rng.Intn(len(runes))])
			}
			text := sb.String()
			parts, err := Split(text, c, 9)
			if err != nil {
				t.Fatalf("Split(%q, %v): %v", text, c, err)
			}
			checkParts(t, parts, text, c, 9)
		}
	}
}

func TestCountDoesNotAllocate(t *testing.T) {
	long := strings.Repeat("邮政😀", 200) // 800 UTF-16 units, pairs at every cut
	var n int
	if allocs := testing.AllocsPerRun(100, func() { n, _ = Count(long) }); allocs != 0 || n != 12 {
		t.Errorf("Count = %d segments (want 12) with %v allocations per call", n, allocs)
	}
}

func BenchmarkSplit(b *testing.B) {
	text := strings.Repeat("您的邮件已到达，请凭取件码 1234 领取。", 8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Split(text, UCS2, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCount(b *testing.B) {
	text := strings.Repeat("您的邮件已到达，请凭取件码 1234 领取。", 8)
	b.ReportAllocs()
	for b.Loop() {
		if n, _ := Count(text); n != 3 {
			b.Fatalf("Count = %d", n)
		}
	}
}
