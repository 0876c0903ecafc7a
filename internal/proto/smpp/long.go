package smpp

import (
	"bytes"
	"fmt"

	"hongyan/internal/sms"
)

// ConcatVia says how a segment's concatenation information travelled.
type ConcatVia uint8

const (
	ConcatNone ConcatVia = iota // a message on its own
	ConcatUDH                   // UDH in short_message, esm_class 0x40
	ConcatSAR                   // sar_msg_ref_num / sar_total_segments / sar_segment_seqnum
)

func (v ConcatVia) String() string {
	switch v {
	case ConcatUDH:
		return "udh"
	case ConcatSAR:
		return "sar"
	}
	return "none"
}

// Content is what a submit_sm, deliver_sm or data_sm carries, whichever way
// the sender encoded it.
type Content struct {
	Payload     []byte // message bytes in DataCoding, any UDH removed
	UDH         []byte // the user data header as received (UDHL first), nil if none
	Concat      sms.Concat
	HasConcat   bool
	Via         ConcatVia
	FromPayload bool // the bytes came from message_payload
}

// DecodeContent extracts a message's bytes and concatenation information:
//   - bytes from short_message, or from message_payload when present (it
//     wins over a non-empty short_message, which the spec forbids alongside
//     it and which is then at best a truncated copy);
//   - with esm_class 0x40 the UDH is parsed and removed; its concatenation
//     element, if any, is used;
//   - otherwise the sar_* TLVs, when all three are valid.
//
// When a sender puts both a UDH concatenation element and sar_* TLVs on one
// segment, the UDH wins and the TLVs are ignored: the UDH is what the
// handset receives, and it has to be stripped from the bytes anyway. A
// malformed UDH is an error wrapping sms.ErrMalformedUDH.
func DecodeContent(esmClass uint8, shortMessage []byte, tlvs TLVs) (Content, error) {
	var c Content
	body := shortMessage
	if p, ok := tlvs.MessagePayload(); ok {
		body, c.FromPayload = p, true
	}
	c.Payload = body
	if esmClass&EsmUDHI != 0 {
		cc, has, payload, err := sms.ParseUDH(body)
		if err != nil {
			return Content{}, fmt.Errorf("smpp: esm_class 0x40: %w", err)
		}
		c.UDH = body[:len(body)-len(payload)]
		c.Payload = payload
		if has {
			c.Concat, c.HasConcat, c.Via = cc, true, ConcatUDH
			return c, nil
		}
	}
	if ref, total, seq, ok := tlvs.SAR(); ok && total > 0 && seq > 0 && seq <= total {
		c.Concat = sms.Concat{Ref: ref, Total: int(total), Seq: int(seq), Ref16: true}
		c.HasConcat, c.Via = true, ConcatSAR
	}
	return c, nil
}

// Content decodes the message (see DecodeContent).
func (s *SubmitSM) Content() (Content, error) {
	return DecodeContent(s.ESMClass, s.ShortMessage, s.TLVs)
}

// Content decodes the message (see DecodeContent).
func (d *DeliverSM) Content() (Content, error) {
	return DecodeContent(d.ESMClass, d.ShortMessage, d.TLVs)
}

// Content decodes the message (see DecodeContent).
func (d *DataSM) Content() (Content, error) {
	return DecodeContent(d.ESMClass, nil, d.TLVs)
}

// LongMode is how a message longer than one segment is sent; which one an
// SMSC supports is in its account sheet.
type LongMode uint8

const (
	LongUDH     LongMode = iota // UDH in short_message, esm_class 0x40 (most SMSCs)
	LongSAR                     // plain segments + sar_* TLVs; the SMSC adds the UDH (3.4)
	LongPayload                 // the whole message in one message_payload TLV (3.4)
)

func (m LongMode) String() string {
	switch m {
	case LongSAR:
		return "sar"
	case LongPayload:
		return "payload"
	}
	return "udh"
}

// ParseLongMode reads a configuration value: udh, sar or payload.
func ParseLongMode(s string) (LongMode, error) {
	switch s {
	case "", "udh":
		return LongUDH, nil
	case "sar":
		return LongSAR, nil
	case "payload", "message_payload":
		return LongPayload, nil
	}
	return LongUDH, fmt.Errorf("smpp: unknown long message mode %q (want udh, sar or payload)", s)
}

// SetSegment puts one segment into s the way mode says. content is what
// the splitter produced (sms.Part.Content(): a UDH first when udhi). Any
// concatenation the segment had before (esm_class 0x40, sar_*,
// message_payload) is replaced. LongSAR falls back to the UDH when the UDH
// holds more than one concatenation element, which the TLVs cannot carry.
func (s *SubmitSM) SetSegment(content []byte, udhi bool, mode LongMode) error {
	s.TLVs = clearLong(s.TLVs)
	s.ESMClass &^= EsmUDHI
	s.ShortMessage = nil
	switch mode {
	case LongPayload:
		s.TLVs.Set(TagMessagePayload, bytes.Clone(content))
		if udhi {
			s.ESMClass |= EsmUDHI
		}
		return nil
	case LongSAR:
		if udhi {
			c, has, payload, err := sms.ParseUDH(content)
			if err != nil {
				return fmt.Errorf("smpp: segment UDH: %w", err)
			}
			if has && len(content)-len(payload) == concatUDHLen(c) {
				s.TLVs.SetSAR(c.Ref, uint8(c.Total), uint8(c.Seq))
				s.ShortMessage = bytes.Clone(payload)
				return nil
			}
		}
	}
	if len(content) > MaxShortMessage {
		return fmt.Errorf("smpp: segment of %d bytes above %d: %w", len(content), MaxShortMessage, ErrInvalid)
	}
	s.ShortMessage = bytes.Clone(content)
	if udhi {
		s.ESMClass |= EsmUDHI
	}
	return nil
}

// concatUDHLen is the length of a UDH holding only c's element.
func concatUDHLen(c sms.Concat) int {
	if c.Ref16 {
		return 7
	}
	return 6
}

// clearLong returns t without message_payload and sar_* (a copy: base
// PDUs shared between segments are not modified).
func clearLong(t TLVs) TLVs {
	var out TLVs
	for _, x := range t {
		switch x.Tag {
		case TagMessagePayload, TagSarMsgRefNum, TagSarTotalSegments, TagSarSegmentSeqnum:
			continue
		}
		out = append(out, x)
	}
	return out
}

// SplitSubmit builds the submit_sm PDUs that carry text in coding c: one
// per segment for LongUDH and LongSAR (a short text is one PDU without
// concatenation), a single PDU for LongPayload. base supplies addresses and
// flags and is copied; DataCoding is set from c. ref is the concatenation
// reference (its low byte in an 8-bit UDH).
func SplitSubmit(base *SubmitSM, text string, c sms.Coding, ref uint16, mode LongMode) ([]*SubmitSM, error) {
	if mode == LongPayload {
		b, err := sms.Encode(text, c)
		if err != nil {
			return nil, fmt.Errorf("smpp: encode %s: %w", c, err)
		}
		s := *base
		s.DataCoding = c.SMPPDataCoding()
		if err := s.SetSegment(b, false, mode); err != nil {
			return nil, err
		}
		return []*SubmitSM{&s}, nil
	}
	parts, err := sms.Split(text, c, uint8(ref))
	if err != nil {
		return nil, fmt.Errorf("smpp: split %s: %w", c, err)
	}
	out := make([]*SubmitSM, len(parts))
	for i, p := range parts {
		s := *base
		s.DataCoding = c.SMPPDataCoding()
		if mode == LongSAR && p.Total > 1 {
			s.TLVs = clearLong(s.TLVs)
			s.ESMClass &^= EsmUDHI
			s.TLVs.SetSAR(ref, uint8(p.Total), uint8(p.Seq))
			s.ShortMessage = bytes.Clone(p.Payload)
		} else if err := s.SetSegment(p.Content(), len(p.UDH) > 0, LongUDH); err != nil {
			return nil, err
		}
		out[i] = &s
	}
	return out, nil
}
