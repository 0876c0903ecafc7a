package cngp

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"hongyan/internal/session"
)

var allVersions = []Version{V10, V20}

func sampleSubmit() *Submit {
	s := &Submit{SPID: "901234", SubType: SubTypeSubscription, NeedReport: 1, Priority: 3, ServiceID: "HELP",
		FeeType: "02", FeeUserType: 3, FeeCode: "000100", MsgFormat: FmtUCS2, ValidTime: "250116170000032+",
		SrcTermID: "106900001234", ChargeTermID: "13300000000",
		DestTermID: []string{"13300000001", "13300000002", "18900000003"},
		MsgContent: []byte{0x4f, 0x60, 0x59, 0x7d}}
	s.TLVs.SetByte(TagProtocolID, 0)
	s.TLVs = append(s.TLVs, TLV{Tag: 0x7F01, Value: []byte{1, 2, 3}}, TLV{Tag: 0x0999}) // unknown, verbatim
	return s
}

func sampleReport() *Report {
	return &Report{MsgID: mustID("01006101161700012345"), Sub: "001", Dlvrd: "001",
		SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "000", Txt: "005hello"}
}

func sampleForward() *Forward {
	return &Forward{MsgID: mustID("01006101161700000003"), DestSMGNo: "010061", SrcSMGNo: "020061", SmcNo: "000001",
		SMType: 1, SubType: 2, ReportFlag: 1, Priority: 2, ServiceID: "HELP", FeeType: "01", FeeCode: "000010",
		MsgFormat: FmtGB, ValidTime: "250116170000032+", SrcTermID: "13300000001", DestTermID: "13300000002",
		ChargeTermID: "13300000001", MsgContent: []byte{0xc4, 0xe3}, NodesCount: 2, SPID: "901234",
		TLVs: TLVs{{Tag: TagProtocolID, Value: []byte{0}}}}
}

// wantAfter is what decoding p's encoding in v must give: a Deliver with a
// Report comes back with IsReport = 1; 1.0 does not carry Forward's SPID.
func wantAfter(p PDU, v Version) PDU {
	switch x := p.(type) {
	case *Deliver:
		y := *x
		if y.Report != nil {
			y.IsReport = 1
		}
		return &y
	case *Forward:
		y := *x
		if !v.HasForwardSPID() {
			y.SPID = ""
		}
		return &y
	}
	return p
}

func TestRoundTripAllPDUs(t *testing.T) {
	mo := &Deliver{MsgID: mustID("01006101161700000001"), MsgFormat: FmtGB, RecvTime: "20250116170000",
		SrcTermID: "13300000001", DestTermID: "106900001234", MsgContent: []byte{0xc4, 0xe3, 0xba, 0xc3},
		TLVs: TLVs{{Tag: TagProtocolID, Value: []byte{0}}}}
	rpt := &Deliver{MsgID: mustID("01006101161700000002"), IsReport: 1, RecvTime: "20250116170100",
		SrcTermID: "13300000001", DestTermID: "106900001234", Report: sampleReport()}
	pdus := []PDU{
		&Login{ClientID: testClientID, AuthenticatorClient: [16]byte{1, 2, 3}, LoginMode: 2, TimeStamp: 301000000, Version: V20},
		&LoginResp{Status: 21, Version: V10},
		sampleSubmit(),
		&SubmitResp{MsgID: mustID("01006101161700012345"), Status: 1, TLVs: TLVs{{Tag: TagCongestionState, Value: []byte{0}}}},
		mo, rpt,
		&DeliverResp{MsgID: mustID("01006101161700000001"), Status: 10},
		sampleForward(),
		&ForwardResp{MsgID: mustID("01006101161700000003"), Status: 39},
		&ActiveTest{}, &ActiveTestResp{}, &Exit{}, &ExitResp{},
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
			if h.Seq.N != 77 || h.Command != p.CommandID() || int(h.Length) != len(b) || h.Status != headerStatus(p) {
				t.Fatalf("%s %T header %+v", v, p, h)
			}
			if want := wantAfter(p, v); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %T round trip\n got %+v\nwant %+v", v, p, got, want)
			}
		}
	}
}

// Fixed sizes from protocols/cngp.md.
func TestPDUSizes(t *testing.T) {
	for _, tc := range []struct {
		p    PDU
		want int
	}{
		{&Login{}, 48}, {&LoginResp{}, 33}, {&SubmitResp{}, 26}, {&DeliverResp{}, 26},
		{&Deliver{MsgContent: []byte("abc")}, 16 + 69 + 3},
		{&Deliver{Report: sampleReport()}, 16 + 69 + ReportLen},
		{&Submit{DestTermID: []string{"1"}, MsgContent: []byte("abc")}, 16 + 110 + 21 + 1 + 3},
		{&Submit{DestTermID: []string{"1", "2"}}, 16 + 110 + 42 + 1},
		{&Forward{}, 16 + 150},
	} {
		b, err := AppendPDU(nil, 1, tc.p, V20)
		if err != nil || len(b) != tc.want {
			t.Fatalf("%T: %d bytes, want %d (%v)", tc.p, len(b), tc.want, err)
		}
	}
}

// Requests need a clean TLV walk; responses drop a tail that does not walk.
func TestTLVTailStrictness(t *testing.T) {
	body, _ := sampleSubmit().Marshal(nil, V20)
	var s Submit
	if err := s.Unmarshal(append(append([]byte(nil), body...), 0xff), V20); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("Submit with a stray byte: %v", err)
	}
	if err := s.Unmarshal(body[:len(body)-1], V20); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("Submit with a short TLV: %v", err)
	}
	d, _ := (&Deliver{MsgContent: []byte("x")}).Marshal(nil, V20)
	var dl Deliver
	if err := dl.Unmarshal(append(d, 1, 0, 0, 5), V20); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("Deliver with a broken TLV: %v", err)
	}
	var r SubmitResp
	id := mustID("01006101161700012345")
	if err := r.Unmarshal(append(id[:], 0xff, 0xff), V20); err != nil || r.MsgID != id || r.TLVs != nil {
		t.Fatalf("Submit_Resp with a stray tail: %+v %v", r, err)
	}
}

func TestTLVHelpers(t *testing.T) {
	var ts TLVs
	ts.SetByte(TagProtocolID, 3)
	ts.SetString(TagSPID, "901234", 10)
	ts.SetByte(TagProtocolID, 4)
	if ts.Byte(TagProtocolID) != 4 || len(ts) != 2 || ts.String(TagSPID) != "901234" || len(ts[1].Value) != 10 {
		t.Fatalf("%+v", ts)
	}
	if ts.Byte(TagCongestionState) != 0 || ts.Has(TagCongestionState) || ts.String(TagSrcTermID) != "" {
		t.Fatal("absent tags")
	}
	orig := TLVs{{Tag: TagProtocolID, Value: []byte{1}}}
	with := orig.WithDefault(TagCongestionState, 0)
	if len(orig) != 1 || len(with) != 2 || with.Byte(TagCongestionState) != 0 || !with.Has(TagCongestionState) {
		t.Fatalf("withDefault %+v %+v", orig, with)
	}
	if same := orig.WithDefault(TagProtocolID, 9); same.Byte(TagProtocolID) != 1 {
		t.Fatal("withDefault overwrote a set value")
	}
	ts.Del(TagProtocolID)
	ts.Del(TagSPID)
	if ts != nil {
		t.Fatalf("Del: %+v", ts)
	}
	got, err := ParseTLVs(unhex(t, "0100 0000 0428 0001 03"))
	if err != nil || len(got) != 2 || got[0].Value != nil || got.Byte(TagCongestionState) != 3 {
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
		{"content 255", &Submit{DestTermID: []string{"1"}, MsgContent: make([]byte, 255)}, "MsgLength 255"},
		{"deliver content 255", &Deliver{MsgContent: make([]byte, 255)}, "MsgLength 255"},
		{"number too long", &Submit{DestTermID: []string{strings.Repeat("1", 22)}}, "DestTermID"},
		{"SPID too long", &Submit{SPID: "12345678901", DestTermID: []string{"1"}}, "SPID"},
		{"above MaxPDU", &Submit{DestTermID: []string{"1"}, TLVs: TLVs{{Tag: 1, Value: make([]byte, 4000)}}}, "above limit 4096"},
		{"client id", &Login{ClientID: "12345678901"}, "ClientID"},
		{"report stat", &Deliver{Report: &Report{Stat: "TOOLONGX"}}, "stat"},
		{"forward SPID as TLV", &Forward{TLVs: TLVs{{Tag: TagSPID}}}, "SPID"},
	} {
		if _, err := AppendPDU(nil, 1, tc.p, V20); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	full := &Submit{DestTermID: make([]string, MaxDestinations), MsgContent: make([]byte, MaxContent)}
	full.TLVs.SetByte(TagProtocolID, 0)
	if b, err := AppendPDU(nil, 1, full, V20); err != nil || len(b) != 16+110+21*100+1+254+5 {
		t.Fatalf("largest Submit: %d %v", len(b), err)
	}
}

// Truncated bodies are ErrMalformed and never panic; decoded strings cut
// at 0x00 and drop trailing spaces; byte fields do not alias the input.
func TestDecodeTruncatedAndPadding(t *testing.T) {
	b, _ := sampleSubmit().Marshal(nil, V20)
	for n := 0; n < 110; n += 7 {
		var s Submit
		if err := s.Unmarshal(b[:n], V20); !errors.Is(err, session.ErrMalformed) {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
	l := unhex(t, vectorLogin)
	copy(l[16:26], "1234 \x00zzzz")
	_, p, err := DecodePDU(l, V20)
	if err != nil || p.(*Login).ClientID != "1234" {
		t.Fatalf("%+v %v", p, err)
	}
	body, _ := (&Deliver{MsgContent: []byte("abc")}).Marshal(nil, V20)
	var d Deliver
	_ = d.Unmarshal(body, V20)
	body[69] = 'X'
	if string(d.MsgContent) != "abc" {
		t.Fatal("MsgContent aliases the input")
	}
}

func TestDecodePDUErrors(t *testing.T) {
	for _, tc := range []struct{ name, hex string }{
		{"short header", "00 00 00 10 00 00 00 04 00 00"},
		{"length mismatch", "00 00 00 14 00 00 00 04 00 00 00 00 00 00 00 01"},
		{"unmodelled command", "00 00 00 10 00 00 00 0c 00 00 00 00 00 00 00 01"},
		{"below header", "00 00 00 0c 00 00 00 04 00 00 00 00 00 00 00 01"},
		{"above max", "00 00 10 01 00 00 00 04 00 00 00 00 00 00 00 01"},
	} {
		if _, _, err := DecodePDU(unhex(t, tc.hex), V20); !errors.Is(err, session.ErrMalformed) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	h, err := Protocol{}.DecodeHeader(unhex(t, "00 00 10 00 00 00 00 02 00 00 00 07 00 00 00 01"))
	if err != nil || h.Length != MaxPDU || h.Status != 7 || h.Seq.N != 1 {
		t.Fatalf("MaxPDU itself refused or header misread: %+v %v", h, err)
	}
}

func TestStatusAndNames(t *testing.T) {
	for code, want := range map[uint32]string{0: "success", 21: "authentication error", 22: "version too high",
		24: "illegal SubType", 39: "route error", 200: "vendor-defined error", 5: "reserved error", 27: "reserved error"} {
		if got := StatusText(code); got != want {
			t.Fatalf("StatusText(%d) = %q", code, got)
		}
	}
	if CommandName(CmdDeliverResp) != "Deliver_Resp" || CommandName(CmdQueryUserState) != "Query_UserState" || CommandName(0x42) != "CNGP_0x00000042" {
		t.Fatal("CommandName")
	}
	e := &StatusError{Op: "login", Status: 21}
	if e.Error() != "cngp login refused: status 21 (authentication error)" {
		t.Fatal(e.Error())
	}
	if V10.String() != "1.0" || V20.String() != "2.0" || V10.HasForwardSPID() || !V20.HasForwardSPID() {
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
