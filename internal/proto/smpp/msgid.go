package smpp

import (
	"fmt"
	"math/big"
	"strings"
)

// IDFormat says how an SMSC writes one message id in submit_sm_resp and in
// the receipt text, so both can be reduced to the same key. SMSCs commonly
// answer submit_sm_resp in hex and put decimal in the receipt text, or the
// reverse, with or without leading zeros and in either case.
type IDFormat uint8

const (
	IDAsIs     IDFormat = iota // same form on both sides; compared verbatim (spaces trimmed)
	IDDec                      // decimal on both sides; leading zeros ignored
	IDHex                      // hex on both sides; case and leading zeros ignored
	IDHexToDec                 // submit_sm_resp in hex, receipt text in decimal
	IDDecToHex                 // submit_sm_resp in decimal, receipt text in hex
)

var idFormatNames = [...]string{"as-is", "dec", "hex", "hex-dec", "dec-hex"}

func (f IDFormat) String() string {
	if int(f) < len(idFormatNames) {
		return idFormatNames[f]
	}
	return fmt.Sprintf("idformat(%d)", uint8(f))
}

// ParseIDFormat reads a configuration value: as-is, dec, hex, hex-dec
// (also hex2dec, hex→dec) or dec-hex.
func ParseIDFormat(s string) (IDFormat, error) {
	norm := strings.NewReplacer("→", "-", "2", "-", "_", "-", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch norm {
	case "", "as-is", "asis", "opaque":
		return IDAsIs, nil
	case "dec", "decimal":
		return IDDec, nil
	case "hex":
		return IDHex, nil
	case "hex-dec":
		return IDHexToDec, nil
	case "dec-hex":
		return IDDecToHex, nil
	}
	return IDAsIs, fmt.Errorf("smpp: unknown message id format %q (want as-is, dec, hex, hex-dec or dec-hex)", s)
}

// bases returns the base of the submit_sm_resp id and of the receipt text
// id; 0 means opaque.
func (f IDFormat) bases() (resp, text int) {
	switch f {
	case IDDec:
		return 10, 10
	case IDHex:
		return 16, 16
	case IDHexToDec:
		return 16, 10
	case IDDecToHex:
		return 10, 16
	}
	return 0, 0
}

// RespKey is the matching key of an id as the SMSC wrote it in
// submit_sm_resp, data_sm_resp or the receipted_message_id TLV (which the
// spec defines as that same id). The key keeps the response's own base, so
// it still reads like the SMSC's id in logs.
func (f IDFormat) RespKey(id string) string {
	rb, _ := f.bases()
	return canonID(id, rb, rb)
}

// TextKey is the matching key of the id in a receipt's text.
func (f IDFormat) TextKey(id string) string {
	rb, tb := f.bases()
	return canonID(id, tb, rb)
}

// MatchID reports whether a submit_sm_resp id and a receipt text id name
// the same message under f.
func (f IDFormat) MatchID(respID, textID string) bool {
	return f.RespKey(respID) == f.TextKey(textID)
}

// DetectIDFormat finds the format under which respID and textID are the
// same message, trying the exact reading first; ok is false when none
// does. Use it on one known pair to configure a gateway.
func DetectIDFormat(respID, textID string) (IDFormat, bool) {
	for _, f := range []IDFormat{IDAsIs, IDDec, IDHex, IDHexToDec, IDDecToHex} {
		if f.RespKey(respID) != "" && f.MatchID(respID, textID) {
			return f, true
		}
	}
	return IDAsIs, false
}

// canonID parses id in base from (0 = opaque) and writes it in base to
// without leading zeros. An id that does not parse stays as it is
// (trimmed): a wrong configuration then still matches identical ids.
func canonID(id string, from, to int) string {
	id = strings.TrimSpace(id)
	if from == 0 || id == "" {
		return id
	}
	digits := id
	if from == 16 {
		digits = strings.TrimPrefix(strings.TrimPrefix(digits, "0x"), "0X")
	}
	n, ok := new(big.Int).SetString(digits, from)
	if !ok || n.Sign() < 0 || strings.ContainsAny(digits, "+-_") {
		return id
	}
	return n.Text(to)
}
