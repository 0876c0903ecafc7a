package sms

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// gb18030FFFD is the GB18030 form of U+FFFD: the one byte sequence whose
// decoding may legitimately be the replacement character.
var gb18030FFFD = []byte{0x84, 0x31, 0xA4, 0x37}

// appendGBK encodes with the GBK (code page 936) repertoire only: gateways
// behind CMPP "GB" and SGIP "GBK" do not all take GB18030's 4-byte forms, so a
// character outside GBK (an emoji, a rare ideograph) is ErrUnencodable and
// the caller falls back to UCS2. Every byte sequence written here decodes
// back with the GB18030 decoder (0x80 = € included).
func appendGBK(dst []byte, text string) ([]byte, error) {
	enc := simplifiedchinese.GBK.NewEncoder()
	var src [utf8.UTFMax]byte
	var out [4]byte
	for i, r := range text {
		if r < utf8.RuneSelf {
			dst = append(dst, byte(r))
			continue
		}
		if r == utf8.RuneError {
			return nil, unencodable(text, i, r, GBK)
		}
		n := utf8.EncodeRune(src[:], r)
		enc.Reset()
		nDst, _, err := enc.Transform(out[:], src[:n], true)
		if err != nil || nDst == 0 {
			return nil, unencodable(text, i, r, GBK)
		}
		dst = append(dst, out[:nDst]...)
	}
	return dst, nil
}

// gbkCharLen is the length of the GB18030 character starting at b[0]
// (1, 2 or 4), or 0 if no valid character can start there. It mirrors the
// structure the x/text decoder accepts.
func gbkCharLen(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	c0 := b[0]
	switch {
	case c0 <= 0x80: // ASCII, and 0x80 = € (code page 936)
		return 1
	case c0 == 0xFF || len(b) < 2:
		return 0
	}
	switch c1 := b[1]; {
	case c1 >= 0x40 && c1 <= 0x7E, c1 >= 0x80 && c1 <= 0xFE:
		return 2
	case c1 >= 0x30 && c1 <= 0x39:
		if len(b) >= 4 && b[2] >= 0x81 && b[2] <= 0xFE && b[3] >= 0x30 && b[3] <= 0x39 {
			return 4
		}
	}
	return 0
}

// decodeGBK reads GBK/GB18030 one character at a time so that an invalid or
// unassigned sequence is reported (the x/text decoder silently writes U+FFFD).
// Not strict: each bad byte becomes U+FFFD and decoding resumes after it.
func decodeGBK(b []byte, strict bool) (string, error) {
	dec := simplifiedchinese.GB18030.NewDecoder()
	var sb strings.Builder
	sb.Grow(len(b) * 3 / 2)
	var out [2 * utf8.UTFMax]byte
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			sb.WriteByte(b[i])
			i++
			continue
		}
		n := gbkCharLen(b[i:])
		if n > 0 {
			dec.Reset()
			nDst, nSrc, err := dec.Transform(out[:], b[i:i+n], true)
			r, size := utf8.DecodeRune(out[:nDst])
			if err == nil && nSrc == n && size == nDst &&
				(r != utf8.RuneError || bytes.Equal(b[i:i+n], gb18030FFFD)) {
				sb.WriteRune(r)
				i += n
				continue
			}
		}
		if strict {
			end := min(i+4, len(b))
			return "", fmt.Errorf("%w: invalid GBK/GB18030 sequence % x at offset %d", ErrUndecodable, b[i:end], i)
		}
		sb.WriteRune(utf8.RuneError)
		i++
	}
	return sb.String(), nil
}
