package smpp

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// TLV tags (spec 3.4 Table 5-7 and §5.3.2). Unknown tags are kept verbatim.
const (
	TagDestAddrSubunit          uint16 = 0x0005
	TagDestNetworkType          uint16 = 0x0006
	TagDestBearerType           uint16 = 0x0007
	TagDestTelematicsID         uint16 = 0x0008
	TagSourceAddrSubunit        uint16 = 0x000D
	TagSourceNetworkType        uint16 = 0x000E
	TagSourceBearerType         uint16 = 0x000F
	TagSourceTelematicsID       uint16 = 0x0010
	TagQOSTimeToLive            uint16 = 0x0017
	TagPayloadType              uint16 = 0x0019
	TagAdditionalStatusInfoText uint16 = 0x001D
	TagReceiptedMessageID       uint16 = 0x001E
	TagMsMsgWaitFacilities      uint16 = 0x0030
	TagPrivacyIndicator         uint16 = 0x0201
	TagSourceSubaddress         uint16 = 0x0202
	TagDestSubaddress           uint16 = 0x0203
	TagUserMessageReference     uint16 = 0x0204
	TagUserResponseCode         uint16 = 0x0205
	TagSourcePort               uint16 = 0x020A
	TagDestinationPort          uint16 = 0x020B
	TagSarMsgRefNum             uint16 = 0x020C
	TagLanguageIndicator        uint16 = 0x020D
	TagSarTotalSegments         uint16 = 0x020E
	TagSarSegmentSeqnum         uint16 = 0x020F
	TagScInterfaceVersion       uint16 = 0x0210
	TagCallbackNumPresInd       uint16 = 0x0302
	TagCallbackNumAtag          uint16 = 0x0303
	TagNumberOfMessages         uint16 = 0x0304
	TagCallbackNum              uint16 = 0x0381
	TagDpfResult                uint16 = 0x0420
	TagSetDpf                   uint16 = 0x0421
	TagMsAvailabilityStatus     uint16 = 0x0422
	TagNetworkErrorCode         uint16 = 0x0423
	TagMessagePayload           uint16 = 0x0424
	TagDeliveryFailureReason    uint16 = 0x0425
	TagMoreMessagesToSend       uint16 = 0x0426
	TagMessageState             uint16 = 0x0427
	TagUssdServiceOp            uint16 = 0x0501
	TagDisplayTime              uint16 = 0x1201
	TagSmsSignal                uint16 = 0x1203
	TagMsValidity               uint16 = 0x1204
	TagAlertOnMessageDelivery   uint16 = 0x130C
	TagItsReplyType             uint16 = 0x1380
	TagItsSessionInfo           uint16 = 0x1383
)

// TLV is one optional parameter: tag, and a value whose length is the wire
// length field.
type TLV struct {
	Tag   uint16
	Value []byte
}

// TLVs is the optional part of a PDU, in wire order. Duplicates and unknown
// tags are kept as received, so a PDU re-encodes byte for byte; the getters
// read the first occurrence.
type TLVs []TLV

// Get returns the value of the first tag, if present.
func (t TLVs) Get(tag uint16) ([]byte, bool) {
	for _, x := range t {
		if x.Tag == tag {
			return x.Value, true
		}
	}
	return nil, false
}

// Has reports whether tag is present.
func (t TLVs) Has(tag uint16) bool {
	_, ok := t.Get(tag)
	return ok
}

// U8 reads a 1-byte value; ok is false when absent or of another length.
func (t TLVs) U8(tag uint16) (uint8, bool) {
	v, ok := t.Get(tag)
	if !ok || len(v) != 1 {
		return 0, false
	}
	return v[0], true
}

// U16 reads a 2-byte value; ok is false when absent or of another length.
func (t TLVs) U16(tag uint16) (uint16, bool) {
	v, ok := t.Get(tag)
	if !ok || len(v) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(v), true
}

// CString reads a C-Octet String value. The NUL is optional (peers omit
// it) and anything after the first NUL is dropped.
func (t TLVs) CString(tag uint16) (string, bool) {
	v, ok := t.Get(tag)
	if !ok {
		return "", false
	}
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return string(v), true
}

// Set replaces the first tag's value, or appends it. value is not copied.
func (t *TLVs) Set(tag uint16, value []byte) {
	for i := range *t {
		if (*t)[i].Tag == tag {
			(*t)[i].Value = value
			return
		}
	}
	*t = append(*t, TLV{Tag: tag, Value: value})
}

func (t *TLVs) SetU8(tag uint16, v uint8)   { t.Set(tag, []byte{v}) }
func (t *TLVs) SetU16(tag uint16, v uint16) { t.Set(tag, binary.BigEndian.AppendUint16(nil, v)) }

// SetCString sets a C-Octet String value, NUL included as the spec asks.
func (t *TLVs) SetCString(tag uint16, s string) { t.Set(tag, append([]byte(s), 0)) }

// Del removes every occurrence of tag.
func (t *TLVs) Del(tag uint16) {
	out := (*t)[:0]
	for _, x := range *t {
		if x.Tag != tag {
			out = append(out, x)
		}
	}
	clear((*t)[len(out):])
	*t = out
}

// SAR reads sar_msg_ref_num, sar_total_segments and sar_segment_seqnum; ok
// only when all three are present with their spec lengths.
func (t TLVs) SAR() (ref uint16, total, seq uint8, ok bool) {
	ref, ok1 := t.U16(TagSarMsgRefNum)
	total, ok2 := t.U8(TagSarTotalSegments)
	seq, ok3 := t.U8(TagSarSegmentSeqnum)
	return ref, total, seq, ok1 && ok2 && ok3
}

// SetSAR sets the three sar_* parameters.
func (t *TLVs) SetSAR(ref uint16, total, seq uint8) {
	t.SetU16(TagSarMsgRefNum, ref)
	t.SetU8(TagSarTotalSegments, total)
	t.SetU8(TagSarSegmentSeqnum, seq)
}

// MessagePayload returns message_payload, if present.
func (t TLVs) MessagePayload() ([]byte, bool) { return t.Get(TagMessagePayload) }

// ReceiptedMessageID returns receipted_message_id, if present.
func (t TLVs) ReceiptedMessageID() (string, bool) { return t.CString(TagReceiptedMessageID) }

// MessageState returns message_state, if present.
func (t TLVs) MessageState() (uint8, bool) { return t.U8(TagMessageState) }

// NetworkErrorCode returns network_error_code: network type (1 ANSI-136,
// 2 IS-95, 3 GSM, …) and the 2-byte error.
func (t TLVs) NetworkErrorCode() (netType uint8, code uint16, ok bool) {
	v, ok := t.Get(TagNetworkErrorCode)
	if !ok || len(v) != 3 {
		return 0, 0, false
	}
	return v[0], binary.BigEndian.Uint16(v[1:]), true
}

// SetNetworkErrorCode sets network_error_code.
func (t *TLVs) SetNetworkErrorCode(netType uint8, code uint16) {
	t.Set(TagNetworkErrorCode, binary.BigEndian.AppendUint16([]byte{netType}, code))
}

// UserMessageReference returns user_message_reference, if present.
func (t TLVs) UserMessageReference() (uint16, bool) { return t.U16(TagUserMessageReference) }

// Ports returns source_port and destination_port (WAP/application ports).
func (t TLVs) Ports() (src, dst uint16, ok bool) {
	src, ok1 := t.U16(TagSourcePort)
	dst, ok2 := t.U16(TagDestinationPort)
	return src, dst, ok1 || ok2
}

// AppendTLVs appends t in wire form.
func AppendTLVs(dst []byte, t TLVs) ([]byte, error) {
	for _, x := range t {
		if len(x.Value) > 0xffff {
			return dst, fmt.Errorf("smpp tlv 0x%04x: value of %d bytes above 65535: %w", x.Tag, len(x.Value), ErrInvalid)
		}
		dst = binary.BigEndian.AppendUint16(dst, x.Tag)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(x.Value)))
		dst = append(dst, x.Value...)
	}
	return dst, nil
}

// ParseTLVs walks a TLV stream (the bytes after a PDU's mandatory fields).
// A TLV that does not fit, or trailing bytes too short for a TLV header,
// is a DecodeError with ESME_RINVOPTPARSTREAM. Values are copied.
func ParseTLVs(b []byte) (TLVs, error) { return parseTLVs(b, "tlv") }

func parseTLVs(b []byte, pdu string) (TLVs, error) {
	n := 0
	for off := 0; off < len(b); n++ {
		if len(b)-off < 4 {
			return nil, &DecodeError{PDU: pdu, Field: "tlv", Status: ESME_RINVOPTPARSTREAM,
				Reason: fmt.Sprintf("%d trailing bytes at offset %d", len(b)-off, off)}
		}
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if len(b)-off-4 < l {
			return nil, &DecodeError{PDU: pdu, Field: fmt.Sprintf("tlv 0x%04x", binary.BigEndian.Uint16(b[off:])),
				Status: ESME_RINVOPTPARSTREAM, Reason: fmt.Sprintf("length %d but %d bytes left", l, len(b)-off-4)}
		}
		off += 4 + l
	}
	// One copy for all values, sliced with capped capacity so an append to
	// one value can never overwrite the next.
	own := bytes.Clone(b)
	out := make(TLVs, 0, n)
	for off := 0; off < len(own); {
		tag := binary.BigEndian.Uint16(own[off:])
		l := int(binary.BigEndian.Uint16(own[off+2:]))
		var v []byte // nil when empty, so decode(encode(x)) == x
		if l > 0 {
			v = own[off+4 : off+4+l : off+4+l]
		}
		out = append(out, TLV{Tag: tag, Value: v})
		off += 4 + l
	}
	return out, nil
}
