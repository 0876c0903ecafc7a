package smgp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"hongyan/internal/session"
)

var allVersions = []Version{V13, V20, V30}

func sampleSubmit() *Submit {
	s := &Submit{MsgType: 6, NeedReport: 1, Priority: 2, ServiceID: "HELP", FeeType: "02", FeeCode: "000100",
		FixedFee: "000500", MsgFormat: FmtUCS2, ValidTime: "250116170000032+", AtTime: "",
		SrcTermID: "106900001234", ChargeTermID: "13300000000",
		DestTermID: []string{"13300000001", "13300000002", "18900000003"},
		MsgContent: []byte{0x4f, 0x60, 0x59, 0x7d}, Reserve: "rsv"}
	s.TLVs.SetByte(TagTPPID, 0)
	s.TLVs.SetByte(TagTPUDHI, 0)
	s.TLVs.SetString(TagLinkID, "link-0001", 20)
	s.TLVs.SetByte(TagChargeUserType, 0)
	s.TLVs.SetString(TagMsgSrc, "SP0001", 8)
	s.TLVs.SetByte(TagSubmitMsgType, 0)
	s.TLVs.SetString(TagMServiceID, "PROD1", 21)
	s.TLVs = append(s.TLVs, TLV{Tag: 0x7F01, Value: []byte{1, 2, 3}}, TLV{Tag: 0x0100}) // unknown, verbatim
	return s
}

func sampleReport() *Report {
	return &Report{MsgID: NewMsgIDFromString("01006101161700012345"), Sub: "001", Dlvrd: "001",
		SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "000", Text: "005hello"}
}

// NewMsgIDFromString is ParseMsgID for literals in tests.
func NewMsgIDFromString(s string) MsgID {
	id, err := ParseMsgID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// wantAfter is what decoding p's encoding in v must give: before 3.0 the
// TLVs and, in 1.3, FixedFee are not on the wire.
func wantAfter(p PDU, v Version) PDU {
	switch x := p.(type) {
	case *Submit:
		y := *x
		if !v.HasTLV() {
			y.TLVs = nil
		}
		if !v.HasFixedFee() {
			y.FixedFee = ""
		}
		return &y
	case *Deliver:
		y := *x
		if !v.HasTLV() {
			y.TLVs = nil
		}
		if y.Report != nil {
			y.IsReport = 1
		}
		return &y
	}
	return p
}

func TestRoundTripAllPDUs(t *testing.T) {
	mo := &Deliver{MsgID: NewMsgIDFromString("01006101161700000001"), MsgFormat: FmtGB, RecvTime: "20250116170000",
		SrcTermID: "13300000001", DestTermID: "106900001234", MsgContent: []byte{0xc4, 0xe3, 0xba, 0xc3}, Reserve: "r"}
	mo.TLVs.SetByte(TagTPUDHI, 0)
	mo.TLVs.SetString(TagLinkID, "link-0002", 20)
	mo.TLVs.SetByte(TagSrcTermType, 0)
	rpt := &Deliver{MsgID: NewMsgIDFromString("01006101161700000002"), IsReport: 1, RecvTime: "20250116170100",
		SrcTermID: "13300000001", DestTermID: "106900001234", Report: sampleReport()}
	pdus := []PDU{
		&Login{ClientID: testClientID, AuthenticatorClient: [16]byte{1, 2, 3}, LoginMode: 2, TimeStamp: 301000000, ClientVersion: V30},
		&LoginResp{Status: 21, ServerVersion: V20},
		sampleSubmit(),
		&SubmitResp{MsgID: NewMsgIDFromString("01006101161700012345"), Status: 75},
		mo, rpt,
		&DeliverResp{MsgID: NewMsgIDFromString("01006101161700000001"), Status: 10},
		&ActiveTest{}, &ActiveTestResp{}, &Exit{}, &ExitResp{},
		&Query{QueryTime: "20250116", QueryType: 1, QueryCode: "HELP"},
		&QueryResp{QueryTime: "20250116", QueryType: 1, QueryCode: "HELP", MTTLMsg: 1, MTTLUsr: 2, MTScs: 3,
			MTWT: 4, MTFL: 5, MOScs: 6, MOWT: 7, MOFL: 8, Reserve: "x"},
	}
	for _, v := range allVersions {
		for _, p := range pdus {
			b, err := AppendPDU(nil, 77, p, v)
			if err != nil {
				t.Fatalf("%s %T: %v", v, p, err)
			}
			h, got, err := DecodePDU(b, v)
			if err != nil {
				t.Fatalf("%s %T: %v", v, p, err)
			}
			if h.Seq.N != 77 || h.Command != p.CommandID() || int(h.Length) != len(b) {
				t.Fatalf("%s %T header %+v", v, p, h)
			}
			if want := wantAfter(p, v); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %T round trip\n got %+v\nwant %+v", v, p, got, want)
			}
		}
	}
}

// Fixed sizes from the spec tables.
func TestPDUSizes(t *testing.T) {
	for _, tc := range []struct {
		p    PDU
		v    Version
		want int
	}{
		{&Login{}, V30, 42}, {&LoginResp{}, V30, 33}, {&SubmitResp{}, V30, 26}, {&DeliverResp{}, V30, 26},
		{&Deliver{MsgContent: []byte("abc")}, V30, 12 + 77 + 3},
		{&Deliver{Report: sampleReport()}, V30, 12 + 77 + ReportLen},
		{&Query{}, V30, 12 + 19}, {&QueryResp{}, V30, 12 + 19 + 32 + 8},
		{&Submit{DestTermID: []string{"1"}, MsgContent: []byte("abc")}, V13, 12 + 108 + 21 + 3},
		{&Submit{DestTermID: []string{"1", "2"}}, V30, 12 + 114 + 42},
	} {
		b, err := AppendPDU(nil, 1, tc.p, tc.v)
		if err != nil || len(b) != tc.want {
			t.Fatalf("%T %s: %d bytes, want %d (%v)", tc.p, tc.v, len(b), tc.want, err)
		}
	}
}

// Before 3.0 TLVs are not sent; a 2.0 peer's stray trailing TLVs are still
// understood, and trailing garbage is ignored rather than refused. In 3.0
// broken TLVs are a structure error.
func TestTLVsByVersion(t *testing.T) {
	s := sampleSubmit()
	body30, _ := s.Marshal(nil, V30)
	var got Submit
	if err := got.Unmarshal(body30, V20); err != nil || !reflect.DeepEqual(got.TLVs, s.TLVs) {
		t.Fatalf("2.0 decode of trailing TLVs: %v %+v", err, got.TLVs)
	}
	garbage := append(append([]byte(nil), body30...), 0xff)
	if err := got.Unmarshal(garbage, V20); err != nil || got.TLVs != nil {
		t.Fatalf("2.0 trailing garbage: %v %+v", err, got.TLVs)
	}
	if err := got.Unmarshal(garbage, V30); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("3.0 broken TLV: %v", err)
	}
	cut := append([]byte(nil), body30[:len(body30)-1]...) // last TLV one byte short
	if err := got.Unmarshal(cut, V30); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("3.0 short TLV: %v", err)
	}
}

func TestTLVHelpers(t *testing.T) {
	var ts TLVs
	ts.SetByte(TagPkTotal, 3)
	ts.SetString(TagLinkID, "abc", 20)
	ts.SetByte(TagPkTotal, 4)
	if ts.Byte(TagPkTotal) != 4 || len(ts) != 2 || ts.String(TagLinkID) != "abc" || len(ts[1].Value) != 20 {
		t.Fatalf("%+v", ts)
	}
	if ts.Byte(TagTPUDHI) != 0 || ts.String(TagMsgSrc) != "" {
		t.Fatal("absent tags")
	}
	ts.Del(TagPkTotal)
	if len(ts) != 1 || ts[0].Tag != TagLinkID {
		t.Fatalf("Del: %+v", ts)
	}
	// A zero-length TLV survives the walk.
	got, err := ParseTLVs(unhex(t, "0002 0000 0009 0001 03"))
	if err != nil || len(got) != 2 || got[0].Value != nil || got.Byte(TagPkTotal) != 3 {
		t.Fatalf("%+v %v", got, err)
	}
}

// Encoding refuses what the peer would have to refuse.
func TestEncodeLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    PDU
		want string
	}{
		{"no destination", &Submit{}, "DestTermIDCount 0"},
		{"101 destinations", &Submit{DestTermID: make([]string, 101)}, "DestTermIDCount 101"},
		{"content 256", &Submit{DestTermID: []string{"1"}, MsgContent: make([]byte, 256)}, "MsgLength 256"},
		{"number too long", &Submit{DestTermID: []string{strings.Repeat("1", 22)}}, "DestTermID"},
		{"above MaxPDU", &Submit{DestTermID: make([]string, 95)}, "above limit 2048"},
		{"client id", &Login{ClientID: "123456789"}, "ClientID"},
		{"report stat", &Deliver{Report: &Report{Stat: "TOOLONGX"}}, "stat"},
	} {
		if _, err := AppendPDU(nil, 1, tc.p, V30); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	n := MaxDests(V30, 140, 15)
	s := &Submit{DestTermID: make([]string, n), MsgContent: make([]byte, 140)}
	s.TLVs.SetByte(TagTPUDHI, 1)
	s.TLVs.SetByte(TagPkTotal, 1)
	s.TLVs.SetByte(TagPkNumber, 1)
	if _, err := AppendPDU(nil, 1, s, V30); err != nil {
		t.Fatalf("MaxDests %d does not fit: %v", n, err)
	}
	s.DestTermID = append(s.DestTermID, "x")
	if _, err := AppendPDU(nil, 1, s, V30); err == nil {
		t.Fatalf("MaxDests %d is not the maximum", n)
	}
	if MaxDests(V13, 0, 0) != 91 || MaxDests(V30, 0, 0) != 91 {
		t.Fatalf("MaxDests empty: %d %d", MaxDests(V13, 0, 0), MaxDests(V30, 0, 0))
	}
}

// Truncated bodies are ErrMalformed and never panic; decoded strings cut
// at 0x00 and drop trailing spaces.
func TestDecodeTruncatedAndPadding(t *testing.T) {
	b, _ := sampleSubmit().Marshal(nil, V30)
	for n := 0; n < 114; n += 7 {
		var s Submit
		if err := s.Unmarshal(b[:n], V30); !errors.Is(err, session.ErrMalformed) {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
	l := unhex(t, vector6Login)
	copy(l[12:20], "1234 \x00zz")
	_, p, err := DecodePDU(l, V30)
	if err != nil || p.(*Login).ClientID != "1234" {
		t.Fatalf("%+v %v", p, err)
	}
	// Decoded byte fields do not alias the input.
	body, _ := (&Deliver{MsgContent: []byte("abc")}).Marshal(nil, V30)
	var d Deliver
	_ = d.Unmarshal(body, V30)
	body[77] = 'X'
	if string(d.MsgContent) != "abc" {
		t.Fatal("MsgContent aliases the input")
	}
}

func TestDecodePDUErrors(t *testing.T) {
	for _, tc := range []struct{ name, hex string }{
		{"short header", "00 00 00 0c 00 00"},
		{"length mismatch", "00 00 00 10 00 00 00 04 00 00 00 01"},
		{"unknown command", "00 00 00 0c 00 00 00 05 00 00 00 01"},
		{"below header", "00 00 00 08 00 00 00 04 00 00 00 01"},
		{"above max", "00 00 08 01 00 00 00 04 00 00 00 01"},
	} {
		if _, _, err := DecodePDU(unhex(t, tc.hex), V30); !errors.Is(err, session.ErrMalformed) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	h, err := Protocol{}.DecodeHeader(unhex(t, "00 00 08 00 00 00 00 02 00 00 00 01"))
	if err != nil || h.Length != MaxPDU {
		t.Fatalf("MaxPDU itself refused: %v", err)
	}
}

func TestStatusAndNames(t *testing.T) {
	for code, want := range map[uint32]string{0: "success", 21: "authentication error", 22: "version too high",
		75: "SP exceeded daily volume", 200: "vendor-defined error", 5: "reserved error", 51: "other error"} {
		if got := StatusText(code); got != want {
			t.Fatalf("StatusText(%d) = %q", code, got)
		}
	}
	if CommandName(CmdDeliverResp) != "Deliver_Resp" || CommandName(0x42) != "SMGP_0x00000042" {
		t.Fatal("CommandName")
	}
	e := &StatusError{Op: "login", Status: 21}
	if e.Error() != "smgp login refused: status 21 (authentication error)" {
		t.Fatal(e.Error())
	}
	if !bytes.Equal([]byte(V13.String()), []byte("1.3")) || V20.HasTLV() || V13.HasFixedFee() || !V30.HasTLV() {
		t.Fatal("Version")
	}
	for _, m := range []LoginMode{LoginSend, LoginReceive, LoginTransmit} {
		back, ok := LoginModeFromWire(m.Wire())
		if !ok || back != m {
			t.Fatalf("mode %s", m)
		}
	}
	if _, ok := LoginModeFromWire(3); ok {
		t.Fatal("mode 3 accepted")
	}
}
