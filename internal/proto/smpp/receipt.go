package smpp

import (
	"strings"
	"time"

	"hongyan/internal/sms"
)

// message_state values (spec §5.2.28): query_sm_resp and the message_state
// TLV of receipts.
const (
	StateEnroute       uint8 = 1
	StateDelivered     uint8 = 2
	StateExpired       uint8 = 3
	StateDeleted       uint8 = 4
	StateUndeliverable uint8 = 5
	StateAccepted      uint8 = 6
	StateUnknown       uint8 = 7
	StateRejected      uint8 = 8
)

var stateStats = [...]string{"", "ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD"}

// StatOf is the receipt text "stat" of a message_state ("" if unknown).
func StatOf(state uint8) string {
	if int(state) < len(stateStats) {
		return stateStats[state]
	}
	return ""
}

// StateOf reads a receipt "stat" (7-letter form or full word, any case)
// as a message_state; 0 when not recognised.
func StateOf(stat string) uint8 {
	switch strings.ToUpper(strings.TrimSpace(stat)) {
	case "ENROUTE":
		return StateEnroute
	case "DELIVRD", "DELIVERED", "DELIVER":
		return StateDelivered
	case "EXPIRED":
		return StateExpired
	case "DELETED":
		return StateDeleted
	case "UNDELIV", "UNDELIVERABLE", "UNDELIVERED":
		return StateUndeliverable
	case "ACCEPTD", "ACCEPTED":
		return StateAccepted
	case "UNKNOWN":
		return StateUnknown
	case "REJECTD", "REJECTED":
		return StateRejected
	}
	return 0
}

// FinalState reports whether a message in state s will not change again.
func FinalState(s uint8) bool {
	switch s {
	case StateDelivered, StateExpired, StateDeleted, StateUndeliverable, StateAccepted, StateRejected:
		return true
	}
	return false
}

// Receipt is a delivery receipt, from the receipt text and the
// receipted_message_id / message_state / network_error_code TLVs. Where
// both say something the TLV wins; the text's values stay in Text*.
type Receipt struct {
	ID        string // receipted_message_id when present, else the text's id
	IDFromTLV bool   // ID is in the submit_sm_resp's form (see Key)
	State     uint8  // message_state TLV when present, else StateOf(TextStat)
	Stat      string // StatOf(State) when known, else TextStat

	TextID     string // as written in the text
	TextStat   string
	Sub, Dlvrd string
	SubmitDate string // YYMMDDhhmm[ss] as written
	DoneDate   string
	Err        string
	Text       string // first characters of the original message

	NetworkErrorType uint8 // network_error_code TLV; HasNetworkError says if present
	NetworkError     uint16
	HasNetworkError  bool

	Kind uint8 // esm_class message type: EsmDeliveryReceipt, EsmSMEDeliveryAck or EsmIntermediate
}

// Delivered reports whether the message reached the handset.
func (r *Receipt) Delivered() bool { return r.State == StateDelivered }

// Final reports whether this receipt ends the message's life.
func (r *Receipt) Final() bool { return FinalState(r.State) && r.Kind != EsmIntermediate }

// Key is the id reduced for matching under f: a TLV id is in the
// submit_sm_resp's form, a text id in the text's.
func (r *Receipt) Key(f IDFormat) string {
	if r.IDFromTLV {
		return f.RespKey(r.ID)
	}
	return f.TextKey(r.ID)
}

// SubmitTime and DoneTime parse the text's dates in loc.
func (r *Receipt) SubmitTime(loc *time.Location) (time.Time, bool) {
	return ParseReceiptTime(r.SubmitDate, loc)
}

func (r *Receipt) DoneTime(loc *time.Location) (time.Time, bool) {
	return ParseReceiptTime(r.DoneDate, loc)
}

// ParseReceiptTime reads YYMMDDhhmm (spec), YYMMDDhhmmss or
// YYYYMMDDhhmmss (SMSCs that add seconds or the century).
func ParseReceiptTime(s string, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	var layout string
	switch len(s) {
	case 10:
		layout = "0601021504"
	case 12:
		layout = "060102150405"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(layout, s, loc)
	return t, err == nil
}

// IsReceiptClass reports whether esm_class marks a receipt-like message:
// SMSC delivery receipt (0x04), SME delivery ack (0x08) or intermediate
// notification (0x20).
func IsReceiptClass(esmClass uint8) bool {
	switch esmClass & EsmTypeMask {
	case EsmDeliveryReceipt, EsmSMEDeliveryAck, EsmIntermediate:
		return true
	}
	return false
}

// Receipt reads d as a delivery receipt. r is nil for an MO: esm_class
// marks no receipt and no receipted_message_id is present (that TLV exists
// only in receipts, so it counts even under a wrong esm_class). ok is
// false when r is nil or neither an id nor a state could be read.
func (d *DeliverSM) Receipt() (*Receipt, bool) {
	return receiptOf(d.ESMClass, d.DataCoding, d.ShortMessage, d.TLVs)
}

// Receipt reads a data_sm as a delivery receipt (see DeliverSM.Receipt).
func (d *DataSM) Receipt() (*Receipt, bool) {
	return receiptOf(d.ESMClass, d.DataCoding, nil, d.TLVs)
}

func receiptOf(esm, dc uint8, sm []byte, tlvs TLVs) (*Receipt, bool) {
	tlvID, hasTLVID := tlvs.ReceiptedMessageID()
	if !IsReceiptClass(esm) && !hasTLVID {
		return nil, false
	}
	content := sm
	if len(content) == 0 {
		content, _ = tlvs.MessagePayload()
	}
	r, _ := ParseReceiptText(receiptText(content, dc))
	r.Kind = esm & EsmTypeMask
	if r.Kind == 0 {
		r.Kind = EsmDeliveryReceipt
	}
	r.ID = r.TextID
	if hasTLVID && tlvID != "" {
		r.ID, r.IDFromTLV = tlvID, true
	}
	r.State = StateOf(r.TextStat)
	if st, ok := tlvs.MessageState(); ok {
		r.State = st
	}
	r.Stat = StatOf(r.State)
	if r.Stat == "" {
		r.Stat = r.TextStat
	}
	r.NetworkErrorType, r.NetworkError, r.HasNetworkError = tlvs.NetworkErrorCode()
	return r, r.ID != "" || r.State != 0
}

// receiptText decodes receipt bytes: ASCII almost always, UCS2 from some
// SMSCs that encode every deliver_sm alike.
func receiptText(b []byte, dc uint8) string {
	if sms.CodingFromSMPP(dc) == sms.UCS2 && len(b)%2 == 0 {
		if s, err := sms.Decode(b, sms.UCS2); err == nil {
			return s
		}
	}
	return string(b)
}

// NewReceipt builds the deliver_sm an SMSC sends for a receipt: addresses
// swapped from the original submit, esm_class 0x04, the text, and on 3.4
// the receipted_message_id, message_state and (if set) network_error_code
// TLVs. r.ID is the submit_sm_resp id; r.TextID, if set, the text's form.
func NewReceipt(orig *SubmitSM, r *Receipt) *DeliverSM {
	d := &DeliverSM{
		ServiceType:   orig.ServiceType,
		SourceAddrTON: orig.DestAddrTON, SourceAddrNPI: orig.DestAddrNPI, SourceAddr: orig.DestinationAddr,
		DestAddrTON: orig.SourceAddrTON, DestAddrNPI: orig.SourceAddrNPI, DestinationAddr: orig.SourceAddr,
		ESMClass:     EsmDeliveryReceipt,
		ShortMessage: []byte(FormatReceiptText(r)),
	}
	if r.Kind != 0 {
		d.ESMClass = r.Kind
	}
	if len(d.ShortMessage) > MaxShortMessage {
		d.ShortMessage = d.ShortMessage[:MaxShortMessage]
	}
	d.TLVs.SetCString(TagReceiptedMessageID, r.ID)
	state := r.State
	if state == 0 {
		state = StateOf(r.Stat)
	}
	if state != 0 {
		d.TLVs.SetU8(TagMessageState, state)
	}
	if r.HasNetworkError {
		d.TLVs.SetNetworkErrorCode(r.NetworkErrorType, r.NetworkError)
	}
	return d
}
