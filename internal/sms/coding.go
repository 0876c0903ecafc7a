package sms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Coding is an abstract text coding; protocols map it to their own byte.
type Coding uint8

// The codings. The numeric values are internal; use FormatByte or
// SMPPDataCoding on the wire.
const (
	ASCII  Coding = iota // 8-bit ASCII (CMPP/SGIP/SMGP/CNGP format 0)
	GSM7                 // GSM 03.38 default alphabet, unpacked one septet per octet (SMPP data_coding 0)
	Binary               // format 4
	UCS2                 // format 8, UTF-16BE
	GBK                  // format 15 (GB18030 decoder accepts GBK)
	// Latin1 is ISO-8859-1, SMPP data_coding 3. It exists so that MO text
	// from international SMSCs decodes; PickCoding never chooses it and the
	// Chinese protocols have no format byte for it.
	Latin1
)

// Errors returned (wrapped, with detail) by this package.
var (
	// ErrUnencodable: a character of the text has no representation in the coding.
	ErrUnencodable = errors.New("sms: text not encodable")
	// ErrUndecodable: the bytes are not valid in the coding.
	ErrUndecodable = errors.New("sms: bytes not decodable")
	// ErrNotText: the coding (Binary, or an unknown value) carries no text.
	ErrNotText = errors.New("sms: coding carries no text")
)

// String names the coding for logs and storage.
func (c Coding) String() string {
	switch c {
	case ASCII:
		return "ASCII"
	case GSM7:
		return "GSM7"
	case Binary:
		return "Binary"
	case UCS2:
		return "UCS2"
	case GBK:
		return "GBK"
	case Latin1:
		return "Latin1"
	}
	return "Coding(" + strconv.Itoa(int(c)) + ")"
}

// ParseCoding is the inverse of String (case-insensitive), for
// configuration and stored values.
func ParseCoding(s string) (Coding, error) {
	for c := ASCII; c <= Latin1; c++ {
		if strings.EqualFold(s, c.String()) {
			return c, nil
		}
	}
	return Binary, fmt.Errorf("sms: unknown coding %q", s)
}

// FormatByte is the Msg_Fmt / MessageCoding / MsgFormat byte of CMPP, SGIP,
// SMGP and CNGP. Those protocols know no GSM alphabet, so GSM7 maps to 0 like
// ASCII (the two agree on letters and digits), and Latin1, which they cannot
// carry as text, maps to binary.
func (c Coding) FormatByte() uint8 {
	switch c {
	case ASCII, GSM7:
		return 0
	case UCS2:
		return 8
	case GBK:
		return 15
	}
	return 4
}

// CodingFromFormat reads a CMPP/SGIP/SMGP/CNGP format byte: 0 ASCII; 3 (SIM
// write), 4, 245 and 246 (GSM 03.38 8-bit data classes) binary; 8 UCS2;
// 15 GBK. Values from 0x10 up are read as a GSM 03.38 data coding scheme
// (SGIP says so explicitly) only as far as it names UCS2 — gateways send 0x18 for a
// UCS2 flash message — and are Binary otherwise, so the bytes are kept rather
// than misread.
func CodingFromFormat(b uint8) Coding {
	switch b {
	case 0:
		return ASCII
	case 8:
		return UCS2
	case 15:
		return GBK
	case 3, 4, 245, 246:
		return Binary
	}
	if b >= 0x10 && dcs(b) == UCS2 {
		return UCS2
	}
	return Binary
}

// SMPPDataCoding is the SMPP 3.4 data_coding (§5.2.19): GSM7 0, ASCII 1
// (IA5), Latin1 3, Binary 4, UCS2 8, GBK 15.
func (c Coding) SMPPDataCoding() uint8 {
	switch c {
	case GSM7:
		return 0
	case ASCII:
		return 1
	case Latin1:
		return 3
	case UCS2:
		return 8
	case GBK:
		return 15
	}
	return 4
}

// CodingFromSMPP reads an SMPP data_coding: 0 GSM7 (the "SMSC default
// alphabet" is GSM 03.38 in practice), 1 ASCII, 2 and 4 Binary, 3 Latin1,
// 8 UCS2, 15 GBK; values from 0x10 up as a GSM 03.38 data coding scheme
// (message class, message waiting groups) by their alphabet; anything else
// Binary.
func CodingFromSMPP(dc uint8) Coding {
	switch dc {
	case 0:
		return GSM7
	case 1:
		return ASCII
	case 2, 4:
		return Binary
	case 3:
		return Latin1
	case 8:
		return UCS2
	case 15:
		return GBK
	}
	if dc < 0x10 {
		return Binary // SMPP's own character sets (JIS, Cyrillic, …) we cannot read
	}
	return dcs(dc)
}

// dcs reads a GSM 03.38 / 3GPP 23.038 data coding scheme by its alphabet.
// Compressed text and reserved groups are Binary: we cannot read them.
func dcs(b uint8) Coding {
	switch {
	case b < 0x80: // general data coding (0x40-0x7F: same, marked for automatic deletion)
		if b&0x20 != 0 {
			return Binary // compressed
		}
		switch (b >> 2) & 3 {
		case 0:
			return GSM7
		case 2:
			return UCS2
		}
		return Binary
	case b >= 0xC0 && b < 0xE0: // message waiting, GSM 7-bit
		return GSM7
	case b >= 0xE0 && b < 0xF0: // message waiting, UCS2
		return UCS2
	case b >= 0xF0: // data coding / message class
		if b&0x04 != 0 {
			return Binary
		}
		return GSM7
	}
	return Binary
}

// PickCoding chooses the coding for outgoing text: ASCII when every rune is
// printable ASCII (or CR/LF), UCS2 otherwise. GBK is never chosen: handsets
// receive UCS2, and a GBK message holds no more characters per segment.
func PickCoding(text string) Coding {
	for i := 0; i < len(text); i++ {
		if b := text[i]; (b < 0x20 || b > 0x7E) && b != '\r' && b != '\n' {
			return UCS2
		}
	}
	return ASCII
}

// Encode turns text into the bytes of coding c. An invalid UTF-8 byte in
// text counts as U+FFFD (as in a Go range loop), so only UCS2 can carry it.
// Binary and unknown codings give ErrNotText.
func Encode(text string, c Coding) ([]byte, error) {
	return appendEncoded(make([]byte, 0, encodedCap(text, c)), text, c)
}

func appendEncoded(dst []byte, text string, c Coding) ([]byte, error) {
	switch c {
	case ASCII, Latin1:
		limit := rune(0x7F)
		if c == Latin1 {
			limit = 0xFF
		}
		for i, r := range text {
			if r > limit {
				return nil, unencodable(text, i, r, c)
			}
			dst = append(dst, byte(r))
		}
		return dst, nil
	case UCS2:
		for _, r := range text {
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				dst = append(dst, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			} else {
				dst = append(dst, byte(r>>8), byte(r))
			}
		}
		return dst, nil
	case GSM7:
		return appendGSM7(dst, text)
	case GBK:
		return appendGBK(dst, text)
	}
	return nil, fmt.Errorf("encode as %v: %w", c, ErrNotText)
}

// unencodable describes the first rune that does not fit, for the API's
// error message.
func unencodable(text string, i int, r rune, c Coding) error {
	if r == utf8.RuneError {
		if _, size := utf8.DecodeRuneInString(text[i:]); size == 1 {
			return fmt.Errorf("%w: invalid UTF-8 byte 0x%02x at offset %d as %v", ErrUnencodable, text[i], i, c)
		}
	}
	return fmt.Errorf("%w: %q (U+%04X) at offset %d has no %v form", ErrUnencodable, r, r, i, c)
}

// Decode turns bytes of coding c into text. UCS2 joins surrogate pairs and
// rejects an odd trailing byte or an unpaired surrogate; GBK is read as
// GB18030 (a superset, so the 4-byte forms are accepted too); ASCII rejects
// bytes above 0x7F; GSM7 rejects bytes above 0x7F and a trailing escape.
// Binary and unknown codings give ErrNotText. Use DecodeLossy where some text
// is better than none.
func Decode(b []byte, c Coding) (string, error) {
	switch c {
	case ASCII:
		for i, x := range b {
			if x > 0x7F {
				return "", fmt.Errorf("%w: byte 0x%02x at offset %d is not ASCII", ErrUndecodable, x, i)
			}
		}
		return string(b), nil
	case Latin1:
		return decodeLatin1(b), nil
	case UCS2:
		return decodeUCS2(b, true)
	case GSM7:
		return decodeGSM7(b, true)
	case GBK:
		return decodeGBK(b, true)
	}
	return "", fmt.Errorf("decode %v: %w", c, ErrNotText)
}

// DecodeLossy decodes like Decode but never fails: what cannot be decoded
// becomes U+FFFD, so an incomplete or damaged MO can still be shown and
// stored. For Binary and unknown codings it returns "" (keep the bytes).
// The result is always valid UTF-8, and equals Decode's whenever Decode
// succeeds.
func DecodeLossy(b []byte, c Coding) string {
	switch c {
	case ASCII:
		var sb strings.Builder
		sb.Grow(len(b))
		for _, x := range b {
			if x > 0x7F {
				sb.WriteRune(utf8.RuneError)
			} else {
				sb.WriteByte(x)
			}
		}
		return sb.String()
	case Latin1:
		return decodeLatin1(b)
	case UCS2:
		s, _ := decodeUCS2(b, false)
		return s
	case GSM7:
		s, _ := decodeGSM7(b, false)
		return s
	case GBK:
		s, _ := decodeGBK(b, false)
		return s
	}
	return ""
}

func decodeLatin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, x := range b {
		sb.WriteRune(rune(x))
	}
	return sb.String()
}

// decodeUCS2 reads UTF-16BE. strict reports the first defect; otherwise each
// defect becomes U+FFFD and err is nil.
func decodeUCS2(b []byte, strict bool) (string, error) {
	var sb strings.Builder
	sb.Grow(len(b) / 2 * 3)
	n := len(b) &^ 1
	for i := 0; i < n; i += 2 {
		u := rune(b[i])<<8 | rune(b[i+1])
		switch {
		case utf16.IsSurrogate(u) && u < 0xDC00 && i+3 < n:
			u2 := rune(b[i+2])<<8 | rune(b[i+3])
			if r := utf16.DecodeRune(u, u2); r != utf8.RuneError {
				sb.WriteRune(r)
				i += 2
				continue
			}
			fallthrough
		case utf16.IsSurrogate(u):
			if strict {
				return "", fmt.Errorf("%w: unpaired UTF-16 surrogate 0x%04X at offset %d", ErrUndecodable, u, i)
			}
			sb.WriteRune(utf8.RuneError)
		default:
			sb.WriteRune(u)
		}
	}
	if n != len(b) {
		if strict {
			return "", fmt.Errorf("%w: UCS2 content has odd length %d", ErrUndecodable, len(b))
		}
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String(), nil
}
