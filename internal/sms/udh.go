package sms

import (
	"errors"
	"fmt"
)

// Information element identifiers of GSM 03.40 §9.2.3.24.
const (
	ieiConcat8  = 0x00 // concatenated short message, 8-bit reference
	ieiConcat16 = 0x08 // concatenated short message, 16-bit reference
)

// ErrMalformedUDH: a user data header whose lengths do not add up.
var ErrMalformedUDH = errors.New("sms: malformed user data header")

// Concat is the concatenation information of one segment. Ref identifies the
// message among those from the same sender (8 bits unless Ref16); Total and
// Seq are 1-based and at most MaxParts.
type Concat struct {
	Ref        uint16
	Total, Seq int
	Ref16      bool
}

// ConcatUDH is the whole user data header (UDHL included) for c:
// 05 00 03 rr tt nn, or 06 08 04 rh rl tt nn when Ref16. Without Ref16 only
// the low byte of Ref is sent. Total and Seq must be 1..255 (Split keeps
// them so); other values are sent as their low byte.
func ConcatUDH(c Concat) []byte {
	return appendConcatUDH(make([]byte, 0, 7), c)
}

func appendConcatUDH(dst []byte, c Concat) []byte {
	if c.Ref16 {
		return append(dst, 6, ieiConcat16, 4, byte(c.Ref>>8), byte(c.Ref), byte(c.Total), byte(c.Seq))
	}
	return append(dst, 5, ieiConcat8, 3, byte(c.Ref), byte(c.Total), byte(c.Seq))
}

// ParseUDH reads the user data header at the start of content (sent with
// TP_udhi = 1 / esm_class 0x40). It walks every information element, skipping
// those other than concatenation, and checks that each fits inside the
// header and the header inside content; a violation is an error wrapping
// ErrMalformedUDH. payload is the rest of content after the header (a
// sub-slice, not a copy).
//
// As GSM 03.40 §9.2.3.24.1 asks, a concatenation element with Total 0, Seq 0
// or Seq > Total is ignored (hasConcat false: the payload is a message on its
// own), and when the element repeats the last one counts.
func ParseUDH(content []byte) (c Concat, hasConcat bool, payload []byte, err error) {
	if len(content) == 0 {
		return Concat{}, false, nil, fmt.Errorf("%w: empty content, no header length", ErrMalformedUDH)
	}
	udhl := int(content[0])
	if 1+udhl > len(content) {
		return Concat{}, false, nil, fmt.Errorf("%w: header length %d exceeds the %d bytes after it", ErrMalformedUDH, udhl, len(content)-1)
	}
	h := content[1 : 1+udhl]
	for i := 0; i < len(h); {
		if i+2 > len(h) {
			return Concat{}, false, nil, fmt.Errorf("%w: element at offset %d truncated (no length byte)", ErrMalformedUDH, i+1)
		}
		iei, iedl := h[i], int(h[i+1])
		data := h[i+2:]
		if iedl > len(data) {
			return Concat{}, false, nil, fmt.Errorf("%w: element 0x%02x length %d exceeds the %d header bytes left", ErrMalformedUDH, iei, iedl, len(data))
		}
		data = data[:iedl]
		switch iei {
		case ieiConcat8, ieiConcat16:
			want := 3
			if iei == ieiConcat16 {
				want = 4
			}
			if iedl != want {
				return Concat{}, false, nil, fmt.Errorf("%w: concatenation element 0x%02x has length %d, want %d", ErrMalformedUDH, iei, iedl, want)
			}
			var cc Concat
			if iei == ieiConcat16 {
				cc = Concat{Ref: uint16(data[0])<<8 | uint16(data[1]), Total: int(data[2]), Seq: int(data[3]), Ref16: true}
			} else {
				cc = Concat{Ref: uint16(data[0]), Total: int(data[1]), Seq: int(data[2])}
			}
			if cc.Total > 0 && cc.Seq > 0 && cc.Seq <= cc.Total {
				c, hasConcat = cc, true
			} else {
				c, hasConcat = Concat{}, false
			}
		}
		i += 2 + iedl
	}
	return c, hasConcat, content[1+udhl:], nil
}
