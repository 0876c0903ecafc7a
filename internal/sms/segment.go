package sms

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxParts is the most segments one message can have: the concatenation
// header counts them in one octet.
const MaxParts = 255

// ErrTooLong: the message needs more than MaxParts segments.
var ErrTooLong = errors.New("sms: message needs more than 255 segments")

// Part is one segment of a message, ready for a submit PDU: set the
// protocol's UDHI flag (TP_udhi, esm_class 0x40) when UDH is not empty and
// send Content(). Seq and Total are 1-based (CMPP Pk_number / Pk_total).
type Part struct {
	Seq, Total int
	UDH        []byte
	Payload    []byte
}

// Content is UDH followed by Payload, in a new slice.
func (p Part) Content() []byte {
	b := make([]byte, 0, len(p.UDH)+len(p.Payload))
	return append(append(b, p.UDH...), p.Payload...)
}

// Limits is how much of coding c one segment holds, in the coding's units:
// characters for ASCII and GSM7 (an extension character is two), UTF-16 code
// units for UCS2, bytes for GBK, Latin1 and Binary. single is the limit of an
// unsplit message, perPart that of each part of a long one (the 6-octet
// concatenation header takes the rest of the 140 octets).
func (c Coding) Limits() (single, perPart int) {
	switch c {
	case ASCII, GSM7:
		return 160, 153
	case UCS2:
		return 70, 67
	}
	return 140, 134
}

// byteLimits is Limits in bytes of encoded payload.
func byteLimits(c Coding) (single, perPart int) {
	single, perPart = c.Limits()
	if c == UCS2 {
		return single * 2, perPart * 2
	}
	return single, perPart
}

// charLen is the length of the encoded character at b[0], which Split never
// cuts: a UTF-16 surrogate pair, a GSM escape and its septet, a GBK
// double-byte character.
func charLen(b []byte, c Coding) int {
	switch c {
	case UCS2:
		if len(b) >= 4 && b[0]&0xFC == 0xD8 && b[2]&0xFC == 0xDC {
			return 4
		}
		return min(2, len(b))
	case GSM7:
		if b[0] == gsmEscape && len(b) >= 2 {
			return 2
		}
	case GBK:
		if n := gbkCharLen(b); n > 0 {
			return n
		}
	}
	return 1
}

// cuts returns the end offset of each segment of enc. It stops (ok=false)
// once more than MaxParts segments would be needed.
func cuts(enc []byte, c Coding) (ends []int, ok bool) {
	single, per := byteLimits(c)
	if len(enc) <= single {
		return []int{len(enc)}, true
	}
	ends = make([]int, 0, min((len(enc)+per-1)/per+1, MaxParts))
	start := 0
	for i := 0; i < len(enc); {
		n := charLen(enc[i:], c)
		if i+n-start > per {
			if len(ends) == MaxParts-1 {
				return nil, false // this cut and the rest make 256 or more
			}
			ends = append(ends, i)
			start = i
		}
		i += n
	}
	return append(ends, len(enc)), true
}

// Split encodes text in coding c and cuts it into segments. Text that fits
// one segment (see Limits) is one Part without UDH; longer text is cut into
// parts carrying the 8-bit-reference concatenation header 05 00 03 ref total
// seq, never inside a character (surrogate pair, GSM escape sequence, GBK
// double byte). Empty text is one empty part. Errors: ErrUnencodable,
// ErrNotText (Binary: use SplitBinary), ErrTooLong.
func Split(text string, c Coding, ref uint8) ([]Part, error) {
	// Every character takes at least one unit and no part holds more than
	// 153, so a longer text is refused before encoding it.
	if n := utf8.RuneCountInString(text); n > MaxParts*153 {
		return nil, fmt.Errorf("split %d characters as %v: %w", n, c, ErrTooLong)
	}
	enc, err := appendEncoded(make([]byte, 0, encodedCap(text, c)), text, c)
	if err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	parts := splitEncoded(enc, c, ref)
	if parts == nil {
		_, per := c.Limits()
		return nil, fmt.Errorf("split %d bytes of %v at %d per part: %w", len(enc), c, per, ErrTooLong)
	}
	return parts, nil
}

// encodedCap bounds the encoded size of text to size the buffer once: no
// coding takes more than two bytes per UTF-8 byte (UCS2 turns 'a' into two,
// GSM7 turns '^' into escape and septet).
func encodedCap(text string, c Coding) int {
	switch c {
	case UCS2, GSM7:
		return 2 * len(text)
	}
	return len(text)
}

// SplitBinary cuts binary content into 140-byte (single) or 134-byte parts
// (the payloads are sub-slices of b). It returns nil when b needs more than
// MaxParts parts.
func SplitBinary(b []byte, ref uint8) []Part {
	return splitEncoded(b, Binary, ref)
}

func splitEncoded(enc []byte, c Coding, ref uint8) []Part {
	ends, ok := cuts(enc, c)
	if !ok {
		return nil
	}
	parts := make([]Part, len(ends))
	if len(ends) == 1 {
		parts[0] = Part{Seq: 1, Total: 1, Payload: enc[:len(enc):len(enc)]}
		return parts
	}
	// One backing array for all headers; full slice expressions keep an
	// append on one part from writing into the next.
	udh := make([]byte, 0, 6*len(ends))
	start := 0
	for i, end := range ends {
		h := len(udh)
		udh = appendConcatUDH(udh, Concat{Ref: uint16(ref), Total: len(ends), Seq: i + 1})
		parts[i] = Part{
			Seq:     i + 1,
			Total:   len(ends),
			UDH:     udh[h:len(udh):len(udh)],
			Payload: enc[start:end:end],
		}
		start = end
	}
	return parts
}

// Count is the number of segments text takes in PickCoding(text), and that
// coding; it equals len(Split(text, PickCoding(text), 0)) without encoding
// or allocating. Unlike Split it keeps counting past MaxParts, so callers can
// say how long too long is.
func Count(text string) (segments int, c Coding) {
	c = PickCoding(text)
	single, per := c.Limits()
	if c == ASCII {
		// Every rune is one ASCII byte.
		if len(text) <= single {
			return 1, c
		}
		return (len(text) + per - 1) / per, c
	}
	units := 0
	for _, r := range text {
		units += utf16Len(r)
	}
	if units <= single {
		return 1, c
	}
	segments, used := 1, 0
	for _, r := range text {
		n := utf16Len(r)
		if used+n > per {
			segments++
			used = 0
		}
		used += n
	}
	return segments, c
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
