package sgip

import (
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// messageTail reads what ends Submit and Deliver bodies: MessageLength,
// MessageContent, Reserve and, in the LinkID variant, LinkID. The layout is
// chosen by the bytes left, which no two layouts share (doc.go):
//   - 4-byte length + content + Reserve(8)              — SGIP 1.2
//   - 4-byte length + content + Reserve(8) + LinkID(8)  — LinkID variant
//   - 1-byte length + content + Reserve(8)              — zysms and kin
//
// hasLinkID reports the second layout.
func (d *dec) messageTail() (content []byte, reserve, linkID string, hasLinkID bool) {
	if d.Err != nil {
		return
	}
	rest := d.Left()
	if rest >= 4 {
		n := uint64(binary.BigEndian.Uint32(d.B[d.Off:]))
		switch uint64(rest - 4) {
		case n + reserveLen:
			d.Off += 4
			content = d.Bytes("MessageContent", int(n))
			reserve = d.Str("Reserve", reserveLen)
			return
		case n + reserveLen + linkIDLen:
			d.Off += 4
			content = d.Bytes("MessageContent", int(n))
			reserve = d.Str("Reserve", reserveLen)
			linkID = d.Str("LinkID", linkIDLen)
			return content, reserve, linkID, true
		}
	}
	if rest >= 1 {
		if n := int(d.B[d.Off]); rest-1 == n+reserveLen {
			d.Off++
			content = d.Bytes("MessageContent", n)
			reserve = d.Str("Reserve", reserveLen)
			return
		}
	}
	d.Err = fmt.Errorf("sgip %s: MessageLength does not match the %d bytes after it: %w", d.PDU, rest, session.ErrMalformed)
	return
}

// messageTail writes MessageLength (4 bytes), MessageContent, Reserve and,
// in the LinkID variant, LinkID. A standard session has no LinkID field, so
// a LinkID given to it is dropped rather than failing the message.
func (e *enc) messageTail(content []byte, reserve, linkID string, v Variant) {
	e.U32(uint32(len(content)))
	e.Raw(content)
	e.Str("Reserve", reserve, reserveLen)
	if v == LinkIDVariant {
		e.Str("LinkID", linkID, linkIDLen)
	}
}
