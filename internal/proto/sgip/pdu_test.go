package sgip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"hongyan/internal/session"
)

func sampleSubmit() *Submit {
	return &Submit{
		SPNumber: "10655012345", ChargeNumber: "000000000000000000000",
		UserNumber: []string{"8613012345678", "8613112345678", "8618612345678"},
		CorpID:     "12345", ServiceType: "HELP", FeeType: 2, FeeValue: "100", GivenValue: "0",
		AgentFlag: 1, MorelatetoMTFlag: MTNotForMO, Priority: 9,
		ExpireTime: "251121203225032+", ScheduleTime: "251120213225032+",
		ReportFlag: ReportAlways, TPPID: 0x7f, TPUDHI: 1, MessageCoding: CodingUCS2, MessageType: 0,
		MessageContent: append([]byte{5, 0, 3, 0x2a, 3, 1}, ucs2(t0Text)...), Reserve: "res",
	}
}

const t0Text = "鸿雁传书"

func sampleDeliver() *Deliver {
	return &Deliver{UserNumber: "8613012345678", SPNumber: "1065501234599", TPPID: 1, TPUDHI: 0,
		MessageCoding: CodingGBK, MessageContent: []byte{0xc4, 0xe3, 0xba, 0xc3}, Reserve: "r"}
}

func sampleReport() *Report {
	return &Report{SubmitSeq: vector5Seq, ReportType: ReportForSubmit, UserNumber: "8613012345678",
		State: StateFailed, ErrorCode: ResultUserUnavailable, Reserve: "x"}
}

// samplePDUs is one of every PDU, with every field set.
func samplePDUs() []PDU {
	return []PDU{
		&Bind{LoginType: LoginSMGToSP, LoginName: "smg01", LoginPassword: "0123456789abcdef", Reserve: "12345678"},
		&BindResp{Result: ResultIllegalLogin, Reserve: "r"},
		&Unbind{}, &UnbindResp{},
		sampleSubmit(), &SubmitResp{Result: ResultNodeBusy, Reserve: "rr"},
		sampleDeliver(), &DeliverResp{Result: 0},
		sampleReport(), &ReportResp{Result: 9},
		&UserRpt{SPNumber: "10655012345", UserNumber: "8613012345678", UserCondition: UserSuspended, Reserve: "u"},
		&UserRptResp{Result: 0, Reserve: "z"},
		&Trace{SubmitSeq: vector5Seq, UserNumber: "8613012345678", Reserve: "t"},
		&TraceResp{Nodes: []TraceNode{
			{Result: 0, NodeID: "101001", ReceiveTime: "251120203226", SendTime: "251120203227", Reserve: "a"},
			{Result: 1, NodeID: "201001", ReceiveTime: "251120203228"},
		}},
	}
}

// Body lengths from protocols/sgip.md.
func wantBodyLen(p PDU, v Variant) int {
	switch x := p.(type) {
	case *Bind:
		return 41
	case *Unbind, *UnbindResp:
		return 0
	case *Submit:
		n := 123 + 21*len(x.UserNumber) + len(x.MessageContent)
		if v == LinkIDVariant {
			n += 8
		}
		return n
	case *Deliver:
		n := 57 + len(x.MessageContent)
		if v == LinkIDVariant {
			n += 8
		}
		return n
	case *Report:
		return 44
	case *UserRpt:
		return 51
	case *Trace:
		return 41
	case *TraceResp:
		return 1 + 47*len(x.Nodes)
	}
	return 9 // Result + Reserve
}

func TestRoundTripEveryPDU(t *testing.T) {
	for _, v := range []Variant{Standard, LinkIDVariant} {
		for _, p := range samplePDUs() {
			if v == LinkIDVariant {
				switch x := p.(type) {
				case *Submit:
					x.LinkID = "LINK0001"
				case *Deliver:
					x.LinkID = "12345678"
				}
			}
			name := v.String() + "/" + CommandName(p.CommandID())
			seq := session.Seq{Node: testNode, Time: 1120203225, N: 42}
			b, err := AppendPDU(nil, seq, p, v)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got, want := len(b)-HeaderLen, wantBodyLen(p, v); got != want {
				t.Errorf("%s: body %d bytes, want %d", name, got, want)
			}
			if binary.BigEndian.Uint32(b) != uint32(len(b)) {
				t.Errorf("%s: Message_Length", name)
			}
			h, q, err := DecodePDU(b)
			if err != nil {
				t.Fatalf("%s: decode: %v", name, err)
			}
			if h.Seq != seq || h.Command != p.CommandID() {
				t.Errorf("%s: header %+v", name, h)
			}
			if !reflect.DeepEqual(p, q) {
				t.Errorf("%s: round trip\n sent %+v\n  got %+v", name, p, q)
			}
		}
	}
}

// The LinkID variant, both readings: the setting decides what we send;
// decoders read both layouts by length; a standard session drops a LinkID.
func TestLinkIDVariantReadings(t *testing.T) {
	s := sampleSubmit()
	s.LinkID = "LINK0001"
	std, err := s.Marshal(nil, Standard)
	if err != nil {
		t.Fatal(err)
	}
	withID, err := s.Marshal(nil, LinkIDVariant)
	if err != nil {
		t.Fatal(err)
	}
	if len(withID) != len(std)+8 || !bytes.Equal(withID[:len(std)], std) || string(withID[len(std):]) != "LINK0001" {
		t.Fatalf("variant = standard + LinkID(8) expected:\n std %x\n var %x", std, withID)
	}
	var a, b Submit
	if err := a.Unmarshal(std); err != nil || a.LinkID != "" {
		t.Fatalf("standard: LinkID %q %v", a.LinkID, err)
	}
	if err := b.Unmarshal(withID); err != nil || b.LinkID != "LINK0001" {
		t.Fatalf("variant: LinkID %q %v", b.LinkID, err)
	}
	a.LinkID = b.LinkID
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the two readings differ beyond LinkID")
	}

	d := sampleDeliver()
	d.LinkID = "L2"
	withID, _ = d.Marshal(nil, LinkIDVariant)
	var dd Deliver
	if err := dd.Unmarshal(withID); err != nil || dd.LinkID != "L2" || !bytes.Equal(dd.MessageContent, d.MessageContent) {
		t.Fatalf("deliver variant: %+v %v", dd, err)
	}
	// A LinkID longer than 8 is refused, not cut.
	d.LinkID = "123456789"
	if _, err := d.Marshal(nil, LinkIDVariant); !errors.Is(err, ErrInvalid) {
		t.Fatalf("9-byte LinkID: %v", err)
	}
}

// zysms writes MessageLength in one byte; its bodies are read too.
func TestOneByteMessageLength(t *testing.T) {
	d := sampleDeliver()
	std, _ := d.Marshal(nil, Standard)
	// Rebuild with a 1-byte length: fixed 42+3 bytes, then len, content, reserve.
	short := append([]byte(nil), std[:45]...)
	short = append(short, byte(len(d.MessageContent)))
	short = append(short, d.MessageContent...)
	short = append(short, std[len(std)-8:]...)
	var got Deliver
	if err := got.Unmarshal(short); err != nil || !reflect.DeepEqual(&got, d) {
		t.Fatalf("1-byte Deliver: %+v %v", got, err)
	}

	s := sampleSubmit()
	std, _ = s.Marshal(nil, Standard)
	fixed := len(std) - 4 - len(s.MessageContent) - 8
	short = append([]byte(nil), std[:fixed]...)
	short = append(short, byte(len(s.MessageContent)))
	short = append(short, s.MessageContent...)
	short = append(short, std[len(std)-8:]...)
	var gs Submit
	if err := gs.Unmarshal(short); err != nil || !reflect.DeepEqual(&gs, s) {
		t.Fatalf("1-byte Submit: %+v %v", gs, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	rep, _ := sampleReport().Marshal(nil, Standard)
	sub, _ := sampleSubmit().Marshal(nil, Standard)
	del, _ := sampleDeliver().Marshal(nil, Standard)
	bind, _ := (&Bind{LoginType: 1}).Marshal(nil, Standard)
	noUsers := append([]byte(nil), sub...)
	noUsers[42] = 0
	for _, tc := range []struct {
		name string
		p    PDU
		b    []byte
	}{
		{"report without SubmitSequenceNumber (zysms, 32 bytes)", new(Report), rep[12:]},
		{"report with a trailing byte", new(Report), append(rep, 0)},
		{"submit with UserCount 0", new(Submit), noUsers},
		{"submit cut in content", new(Submit), sub[:len(sub)-10]},
		{"submit with 3 extra bytes", new(Submit), append(sub, 1, 2, 3)},
		{"deliver with MessageLength too big", new(Deliver), append(del[:45], 0, 0, 1, 0, 'x')},
		{"deliver of 10 bytes", new(Deliver), del[:10]},
		{"bind short", new(Bind), bind[:40]},
		{"bind long", new(Bind), append(bind, 0)},
		{"resp empty", new(SubmitResp), nil},
		{"trace_resp count 2, one node", new(TraceResp), append([]byte{2}, make([]byte, 47)...)},
		{"userrpt short", new(UserRpt), make([]byte, 50)},
		{"trace short", new(Trace), make([]byte, 40)},
	} {
		err := tc.p.Unmarshal(tc.b)
		if !errors.Is(err, session.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", tc.name, err)
		}
	}
}

// Responses carrying only the Result byte (zysms' Bind_Resp) are read.
func TestShortResponse(t *testing.T) {
	var r BindResp
	if err := r.Unmarshal([]byte{ResultBadLoginType}); err != nil || r.Result != 4 {
		t.Fatalf("%+v %v", r, err)
	}
	var u UnbindResp
	if err := u.Unmarshal([]byte{1, 2}); err != nil {
		t.Fatal("bodyless PDUs ignore padding")
	}
}

func TestEncodeRejects(t *testing.T) {
	big := make([]string, MaxUsers(140, Standard)+1)
	for i := range big {
		big[i] = "8613012345678"
	}
	for _, tc := range []struct {
		name string
		p    PDU
		v    Variant
	}{
		{"no users", &Submit{}, Standard},
		{"101 users", &Submit{UserNumber: make([]string, 101)}, Standard},
		{"above 2 KB", &Submit{UserNumber: big, MessageContent: make([]byte, 140)}, Standard},
		{"number too long", &Submit{UserNumber: []string{strings.Repeat("8", 22)}}, Standard},
		{"login name too long", &Bind{LoginName: strings.Repeat("a", 17)}, Standard},
		{"content above 2 KB", &Deliver{MessageContent: make([]byte, 2000)}, Standard},
		{"256 trace nodes", &TraceResp{Nodes: make([]TraceNode, 256)}, Standard},
	} {
		if b, err := tc.p.Marshal([]byte("keep"), tc.v); !errors.Is(err, ErrInvalid) || string(b) != "keep" {
			t.Errorf("%s: %q %v", tc.name, b, err)
		}
	}
	if n := MaxUsers(140, Standard); n != 84 {
		t.Errorf("MaxUsers(140) = %d", n)
	}
	if n := MaxUsers(140, LinkIDVariant); n != 83 {
		t.Errorf("MaxUsers(140, LinkID) = %d", n)
	}
	if n := MaxUsers(0, Standard); n != MaxUserCount-10 {
		t.Errorf("MaxUsers(0) = %d", n)
	}
	// Exactly MaxUsers fit.
	s := &Submit{UserNumber: big[:len(big)-1], MessageContent: make([]byte, 140)}
	if b, err := AppendPDU(nil, vector5Seq, s, Standard); err != nil || len(b) > MaxPDU {
		t.Fatalf("MaxUsers users: %d bytes, %v", len(b), err)
	}
}

func TestHeader(t *testing.T) {
	p := Protocol{}
	h := session.Header{Length: 29, Command: CmdSubmitResp, Seq: vector5Seq}
	b := p.AppendHeader(nil, h)
	if len(b) != HeaderLen {
		t.Fatal(len(b))
	}
	if got, err := p.DecodeHeader(b); err != nil || got != h {
		t.Fatalf("%+v %v", got, err)
	}
	for _, n := range []uint32{0, 19, MaxPDU + 1, 0xffffffff} {
		binary.BigEndian.PutUint32(b, n)
		if _, err := p.DecodeHeader(b); !errors.Is(err, session.ErrMalformed) {
			t.Errorf("length %d: %v", n, err)
		}
	}
	if _, err := p.DecodeHeader(b[:19]); !errors.Is(err, session.ErrMalformed) {
		t.Error("short header accepted")
	}
	if !p.IsResponse(CmdBindResp) || p.IsResponse(CmdBind) || p.ResponseTo(CmdTrace) != CmdTraceResp {
		t.Error("response ids")
	}
	if _, _, ok := p.Heartbeat(); ok {
		t.Error("SGIP has no heartbeat")
	}
	if _, _, ok := p.HeartbeatReply(session.Frame{Header: h}); ok {
		t.Error("SGIP has no heartbeat")
	}
	if p.Name() != "sgip" || p.HeaderLen() != 20 || p.MaxPDU() != 2048 {
		t.Error("Protocol constants")
	}
	if _, _, err := DecodePDU(p.AppendHeader(nil, session.Header{Length: 20, Command: 0x6})); !errors.Is(err, session.ErrMalformed) {
		t.Errorf("GNS command decoded: %v", err)
	}
	if _, _, err := DecodePDU(append(p.AppendHeader(nil, session.Header{Length: 20, Command: CmdUnbind}), 0)); !errors.Is(err, session.ErrMalformed) {
		t.Errorf("length mismatch decoded: %v", err)
	}
	if CommandName(CmdUserRpt) != "SGIP_USERRPT" || CommandName(7) != "SGIP_0x00000007" {
		t.Error("CommandName")
	}
	if ResultText(ResultSMSCQueueFull) != "SMSC queue full" || ResultText(200) != "reserved error" {
		t.Error("ResultText")
	}
}

// Report.MsgID is the Submit's canonical id.
func TestReportMsgID(t *testing.T) {
	r := sampleReport()
	if r.MsgID() != "3010012345-1120203225-1" || r.Delivered() {
		t.Fatalf("%q %v", r.MsgID(), r.Delivered())
	}
}
