package cmpp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"hongyan/internal/session"
)

var versions = []Version{V20, V21, V30}

func sampleSubmit(v Version) *Submit {
	s := &Submit{
		PkTotal: 1, PkNumber: 1, RegisteredDelivery: 1, MsgLevel: 2,
		ServiceID: "HELP", FeeUserType: 3, FeeTerminalID: "13900001111",
		TPPID: 0, TPUDHI: 0, MsgFmt: FmtUCS2, MsgSrc: "901234",
		FeeType: "02", FeeCode: "000010", ValidTime: "250101120000032+", AtTime: "",
		SrcID: "1065800001", DestTerminalID: []string{"13800138000", "+8613800138001", "8613800138002"},
		MsgContent: []byte{0x4f, 0x60, 0x59, 0x7d},
	}
	if v.Is30() {
		s.FeeTerminalType, s.DestTerminalType, s.LinkID = 1, 1, "LINK0123456789abcdef"
	} else {
		s.Reserve = "rsv"
	}
	return s
}

func sampleReport(v Version) *Report {
	r := &Report{MsgID: 0x18440000274D0001, Stat: "DELIVRD", SubmitTime: "2501161700",
		DoneTime: "2501161701", DestTerminalID: "13800138000", SMSCSequence: 77}
	if v.Is30() {
		r.DestTerminalID = "8613800138000123456789012345678" // 31 chars fits only in 3.0
	}
	return r
}

// roundTripCases lists one PDU of each kind in v's field set, plus its
// expected body length.
func roundTripCases(v Version) []struct {
	p       PDU
	bodyLen int
} {
	is30 := v.Is30()
	pick := func(l20, l30 int) int {
		if is30 {
			return l30
		}
		return l20
	}
	mo := &Deliver{MsgID: 42, DestID: "10658000", ServiceID: "SVC", TPPID: 0, TPUDHI: 0, MsgFmt: FmtGB,
		SrcTerminalID: "13800138000", MsgContent: []byte("TD")}
	rep := &Deliver{MsgID: 43, DestID: "10658000", SrcTerminalID: "13800138000", RegisteredDelivery: 1, Report: sampleReport(v)}
	if is30 {
		mo.SrcTerminalType, mo.LinkID = 1, "L1"
		rep.LinkID = "L2"
	} else {
		mo.Reserved = "r"
	}
	return []struct {
		p       PDU
		bodyLen int
	}{
		{&Connect{SourceAddr: "901234", AuthenticatorSource: [16]byte{1, 2, 3}, Version: v, Timestamp: 1125023456}, 27},
		{&ConnectResp{Status: 3, AuthenticatorISMG: [16]byte{9}, Version: V30}, pick(18, 21)},
		{&Terminate{}, 0},
		{&TerminateResp{}, 0},
		{sampleSubmit(v), pick(117+21*3+1+4+8, 129+32*3+1+1+4+20)},
		{&SubmitResp{MsgID: 0x18440000274D0001, Result: 13}, pick(9, 12)},
		{mo, pick(65+2+8, 77+2+20)},
		{rep, pick(65+60+8, 77+71+20)},
		{&DeliverResp{MsgID: 7, Result: 9}, pick(9, 12)},
		{&Query{Time: "20250116", QueryType: 1, QueryCode: "HELP", Reserve: "x"}, 27},
		{&QueryResp{Time: "20250116", QueryType: 1, QueryCode: "HELP", MTTLMsg: 1, MTTLUsr: 2, MTScs: 3,
			MTWT: 4, MTFL: 5, MOScs: 6, MOWT: 7, MOFL: 8}, 51},
		{&Cancel{MsgID: 99}, 8},
		{&CancelResp{SuccessID: 1}, pick(1, 4)},
		{&ActiveTest{}, 0},
		{&ActiveTestResp{}, 1},
	}
}

func TestRoundTripEveryPDU(t *testing.T) {
	for _, v := range versions {
		for _, tc := range roundTripCases(v) {
			name := v.String() + "/" + CommandName(tc.p.CommandID())
			t.Run(name, func(t *testing.T) {
				pdu, err := AppendPDU(nil, 0x01020304, tc.p, v)
				if err != nil {
					t.Fatal(err)
				}
				if got := len(pdu) - HeaderLen; got != tc.bodyLen {
					t.Fatalf("body %d bytes, want %d", got, tc.bodyLen)
				}
				h, got, err := DecodePDU(pdu, v)
				if err != nil {
					t.Fatal(err)
				}
				if h.Command != tc.p.CommandID() || h.Seq.N != 0x01020304 || int(h.Length) != len(pdu) {
					t.Fatalf("header %+v", h)
				}
				if !reflect.DeepEqual(got, tc.p) {
					t.Fatalf("round trip\n got %+v\nwant %+v", got, tc.p)
				}
				// Every strict prefix of a non-empty fixed body must fail cleanly.
				body := pdu[HeaderLen:]
				for n := 0; n < len(body); n++ {
					q := NewPDU(h.Command)
					err := q.Unmarshal(body[:n], v)
					if err != nil && !errors.Is(err, session.ErrMalformed) {
						t.Fatalf("prefix %d: %v does not wrap ErrMalformed", n, err)
					}
				}
			})
		}
	}
}

// Fixed-length strings: left-aligned, 0x00-padded on the wire; trailing
// 0x00 and spaces (and anything after a 0x00) dropped on decode.
func TestOctetStrings(t *testing.T) {
	b, _ := (&Query{Time: "2025", QueryCode: "AB"}).Marshal(nil, V30)
	if !bytes.Equal(b[:8], []byte("2025\x00\x00\x00\x00")) {
		t.Fatalf("padding %q", b[:8])
	}
	copy(b[9:19], "AB  \x00junk!")
	var q Query
	if err := q.Unmarshal(b, V30); err != nil || q.QueryCode != "AB" || q.Time != "2025" {
		t.Fatalf("decode %+v %v", q, err)
	}
	_, err := (&Query{QueryCode: strings.Repeat("x", 11)}).Marshal(nil, V30)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("over-long field: %v", err)
	}
}

// The 2.0 and 3.0 layouts of each response differ only in width; decoding
// picks by length whatever the session version says.
func TestResponseLayoutByLength(t *testing.T) {
	for _, enc := range []Version{V20, V30} {
		for _, dec := range []Version{V20, V30} {
			b, _ := (&SubmitResp{MsgID: 5, Result: 8}).Marshal(nil, enc)
			var s SubmitResp
			if err := s.Unmarshal(b, dec); err != nil || s.Result != 8 || s.MsgID != 5 {
				t.Errorf("submit_resp %s→%s: %+v %v", enc, dec, s, err)
			}
			b, _ = (&DeliverResp{MsgID: 5, Result: 1}).Marshal(nil, enc)
			var d DeliverResp
			if err := d.Unmarshal(b, dec); err != nil || d.Result != 1 {
				t.Errorf("deliver_resp %s→%s: %+v %v", enc, dec, d, err)
			}
			b, _ = (&ConnectResp{Status: 4, Version: V20}).Marshal(nil, enc)
			var c ConnectResp
			if err := c.Unmarshal(b, dec); err != nil || c.Status != 4 || c.Version != V20 {
				t.Errorf("connect_resp %s→%s: %+v %v", enc, dec, c, err)
			}
			b, _ = (&CancelResp{SuccessID: 1}).Marshal(nil, enc)
			var k CancelResp
			if err := k.Unmarshal(b, dec); err != nil || k.SuccessID != 1 {
				t.Errorf("cancel_resp %s→%s: %+v %v", enc, dec, k, err)
			}
		}
	}
	if _, err := (&SubmitResp{Result: 256}).Marshal(nil, V20); !errors.Is(err, ErrInvalid) {
		t.Errorf("2.0 result 256: %v", err)
	}
}

// Reports decode in either layout on either version (gocmpp sends 60 bytes
// on 3.0); other lengths are malformed.
func TestReportLayouts(t *testing.T) {
	r20, r30 := sampleReport(V20), sampleReport(V30)
	b20, _ := r20.Marshal(nil, V20)
	b30, _ := r30.Marshal(nil, V30)
	if len(b20) != 60 || len(b30) != 71 {
		t.Fatalf("report sizes %d %d", len(b20), len(b30))
	}
	for _, v := range []Version{V20, V30} {
		for _, want := range []*Report{r20, r30} {
			body, _ := want.Marshal(nil, map[bool]Version{true: V30, false: V20}[want == r30])
			d := &Deliver{MsgID: 1, RegisteredDelivery: 1, MsgContent: body}
			wire, err := d.Marshal(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			var got Deliver
			if err := got.Unmarshal(wire, v); err != nil {
				t.Fatalf("%s: %v", v, err)
			}
			if !reflect.DeepEqual(got.Report, want) || got.MsgContent != nil || !got.IsReport() || !got.Report.Delivered() {
				t.Fatalf("%s: got %+v", v, got.Report)
			}
		}
		bad := &Deliver{RegisteredDelivery: 1, MsgContent: make([]byte, 61)}
		wire, _ := bad.Marshal(nil, v)
		if err := new(Deliver).Unmarshal(wire, v); !errors.Is(err, session.ErrMalformed) {
			t.Fatalf("61-byte report: %v", err)
		}
	}
	// A 3.0 destination does not fit the 2.0 layout: refuse, don't truncate.
	if _, err := r30.Marshal(nil, V20); !errors.Is(err, ErrInvalid) {
		t.Fatalf("long dest in 2.0 report: %v", err)
	}
	// Stat is kept verbatim, vendor codes included.
	vendor := &Report{Stat: "MA:0054"}
	b, _ := vendor.Marshal(nil, V30)
	var back Report
	if err := back.Unmarshal(b); err != nil || back.Stat != "MA:0054" || back.Delivered() {
		t.Fatalf("vendor stat %+v %v", back, err)
	}
}

func TestSubmitLimits(t *testing.T) {
	s := sampleSubmit(V30)
	s.DestTerminalID = nil
	if _, err := s.Marshal(nil, V30); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no destination: %v", err)
	}
	s.DestTerminalID = make([]string, 100)
	if _, err := s.Marshal(nil, V30); !errors.Is(err, ErrInvalid) {
		t.Fatalf("100 destinations in 3.0 (above size limit): %v", err)
	}
	s.DestTerminalID = make([]string, 256)
	if _, err := s.Marshal(nil, V20); !errors.Is(err, ErrInvalid) {
		t.Fatalf("256 destinations: %v", err)
	}
	s.DestTerminalID = []string{"1"}
	s.MsgContent = make([]byte, 256)
	if _, err := s.Marshal(nil, V30); !errors.Is(err, ErrInvalid) {
		t.Fatalf("256-byte content: %v", err)
	}
	s.DestTerminalID = []string{strings.Repeat("1", 33)}
	s.MsgContent = nil
	if _, err := s.Marshal(nil, V30); !errors.Is(err, ErrInvalid) {
		t.Fatalf("33-byte number: %v", err)
	}
	// MaxDests is exact: one more destination crosses the PDU limit.
	for _, v := range []Version{V20, V30} {
		for _, cl := range []int{0, 140, 255} {
			n := MaxDests(v, cl)
			s := &Submit{MsgContent: make([]byte, cl), DestTerminalID: make([]string, n)}
			if _, err := s.Marshal(nil, v); err != nil {
				t.Fatalf("%s content %d: %d dests refused: %v", v, cl, n, err)
			}
			if n < MaxDestinations {
				s.DestTerminalID = append(s.DestTerminalID, "")
				if _, err := s.Marshal(nil, v); !errors.Is(err, ErrInvalid) {
					t.Fatalf("%s content %d: %d dests accepted", v, cl, n+1)
				}
			}
		}
	}
	if MaxDests(V20, 140) != 99 || MaxDests(V30, 140) != 94 {
		t.Fatalf("MaxDests %d %d", MaxDests(V20, 140), MaxDests(V30, 140))
	}
	// Marshal on error leaves dst as it was.
	dst := []byte("keep")
	if out, err := (&Submit{}).Marshal(dst, V30); err == nil || string(out) != "keep" {
		t.Fatalf("dst after error %q", out)
	}
}

// A hostile DestUsr_tl must not allocate or read past the body.
func TestSubmitHostileCount(t *testing.T) {
	b, _ := sampleSubmit(V30).Marshal(nil, V30)
	b[128] = 255 // DestUsr_tl offset in 3.0
	var s Submit
	if err := s.Unmarshal(b, V30); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("err %v", err)
	}
	b[128] = 0 // no destination at all is a structure error too
	if err := s.Unmarshal(b, V30); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("0 destinations: %v", err)
	}
}

func TestDecodePDUErrors(t *testing.T) {
	pdu, _ := AppendPDU(nil, 1, &Cancel{MsgID: 1}, V30)
	if _, _, err := DecodePDU(pdu[:len(pdu)-1], V30); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("short: %v", err)
	}
	unknown := NewProtocol(V30).AppendHeader(nil, session.Header{Length: 12, Command: CmdFwd})
	if _, _, err := DecodePDU(unknown, V30); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("fwd: %v", err)
	}
	big := &Deliver{MsgContent: make([]byte, 255)}
	if _, err := AppendPDU(nil, 1, big, V30); err != nil {
		t.Fatalf("255-byte deliver: %v", err)
	}
}

func TestStatusText(t *testing.T) {
	if ConnectStatusText(3) != "authentication error" || ConnectStatusText(77) != "other error" {
		t.Fatal("connect text")
	}
	if SubmitResultText(8) != "flow control error" || SubmitResultText(150) != "vendor-defined error" || SubmitResultText(50) != "reserved error" {
		t.Fatal("submit text")
	}
	err := error(&StatusError{Op: "connect", Status: 3})
	if !strings.Contains(err.Error(), "authentication error") {
		t.Fatal(err)
	}
}
