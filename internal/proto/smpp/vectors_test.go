package smpp

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"hongyan/internal/session"
)

// unhex parses hex with any whitespace, for vectors copied from
// protocols/test-vectors.md.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

const vector4Bind = `
00 00 00 2a 00 00 00 02 00 00 00 00 00 00 00 01
73 6d 70 70 63 6c 69 65 6e 74 31 00
70 61 73 73 77 6f 72 64 00
00
34 00 00
00`

const (
	vector4BindResp        = "00 00 00 15 80 00 00 02 00 00 00 00 00 00 00 01 53 4d 53 43 00"
	vector4EnquireLink     = "00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 02"
	vector4EnquireLinkResp = "00 00 00 10 80 00 00 15 00 00 00 00 00 00 00 02"
)

// Vector 4: bind_transmitter and its resp, byte for byte, both ways.
func TestVector4Bind(t *testing.T) {
	want := unhex(t, vector4Bind)
	bind := &Bind{Mode: BindTransmitter, SystemID: "smppclient1", Password: "password", InterfaceVersion: 0x34}
	got, err := AppendPDU(nil, 1, bind, V34)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("bind_transmitter:\n got %x (%v)\nwant %x", got, err, want)
	}
	h, p, err := DecodePDU(want, V34)
	if err != nil {
		t.Fatal(err)
	}
	if h.Length != 42 || h.Command != CmdBindTransmitter || h.Status != 0 || h.Seq.N != 1 {
		t.Fatalf("header %+v", h)
	}
	if b := p.(*Bind); *b != *bind {
		t.Fatalf("decoded %+v", b)
	}

	wantResp := unhex(t, vector4BindResp)
	got, err = AppendPDU(nil, 1, &BindResp{Mode: BindTransmitter, SystemID: "SMSC"}, V34)
	if err != nil || !bytes.Equal(got, wantResp) {
		t.Fatalf("bind_transmitter_resp:\n got %x (%v)\nwant %x", got, err, wantResp)
	}
	_, p, err = DecodePDU(wantResp, V34)
	if r, ok := p.(*BindResp); err != nil || !ok || r.SystemID != "SMSC" || r.Status != 0 || r.Mode != BindTransmitter {
		t.Fatalf("decoded resp %+v %v", p, err)
	}
	// The same bind as 3.3 differs only in interface_version.
	bind.InterfaceVersion = 0x33
	got, _ = AppendPDU(nil, 1, bind, V33)
	want33 := bytes.Clone(want)
	want33[16+12+9+1] = 0x33
	if !bytes.Equal(got, want33) {
		t.Fatalf("3.3 bind %x", got)
	}
}

// Vector 4: enquire_link and enquire_link_resp through the Protocol, as
// the engine sends and answers them.
func TestVector4EnquireLink(t *testing.T) {
	p := NewProtocol(V34)
	cmd, body, ok := p.Heartbeat()
	if !ok || cmd != CmdEnquireLink || len(body) != 0 {
		t.Fatalf("Heartbeat = %x %x %v", cmd, body, ok)
	}
	req := p.AppendHeader(nil, session.Header{Length: 16, Command: cmd, Seq: p.NextSeq(2)})
	if want := unhex(t, vector4EnquireLink); !bytes.Equal(req, want) {
		t.Fatalf("enquire_link %x", req)
	}
	h, err := p.DecodeHeader(req)
	if err != nil {
		t.Fatal(err)
	}
	rcmd, rbody, ok := p.HeartbeatReply(session.Frame{Header: h})
	if !ok {
		t.Fatal("HeartbeatReply refused enquire_link")
	}
	resp := p.AppendHeader(nil, session.Header{Length: uint32(16 + len(rbody)), Command: rcmd, Seq: h.Seq})
	if want := unhex(t, vector4EnquireLinkResp); !bytes.Equal(append(resp, rbody...), want) {
		t.Fatalf("enquire_link_resp %x", resp)
	}
	if _, _, ok := p.HeartbeatReply(session.Frame{Header: session.Header{Command: CmdSubmitSM}}); ok {
		t.Fatal("HeartbeatReply answered a submit_sm")
	}
	for _, tc := range []struct {
		pdu  PDU
		want string
	}{{&EnquireLink{}, vector4EnquireLink}, {&EnquireLinkResp{}, vector4EnquireLinkResp}} {
		got, _ := AppendPDU(nil, 2, tc.pdu, V33)
		if !bytes.Equal(got, unhex(t, tc.want)) {
			t.Fatalf("%T %x", tc.pdu, got)
		}
	}
}

func TestDecodeHeaderLimits(t *testing.T) {
	for _, tc := range []struct {
		length uint32
		ok     bool
	}{{0, false}, {15, false}, {16, true}, {MaxPDU, true}, {MaxPDU + 1, false}, {0xffffffff, false}} {
		b := NewProtocol(V34).AppendHeader(nil, session.Header{Length: tc.length, Command: CmdSubmitSM})
		_, err := NewProtocol(V34).DecodeHeader(b)
		if (err == nil) != tc.ok {
			t.Errorf("length %d: err %v", tc.length, err)
		}
		if err != nil && !isMalformed(err) {
			t.Errorf("length %d: %v does not wrap ErrMalformed", tc.length, err)
		}
	}
	if _, err := NewProtocol(V34).DecodeHeader([]byte{0, 0, 0}); !isMalformed(err) {
		t.Errorf("short header: %v", err)
	}
}

func TestProtocolBasics(t *testing.T) {
	p4, p3 := NewProtocol(V34), NewProtocol(V33)
	if p4.Name() != "smpp34" || p3.Name() != "smpp33" || p4.HeaderLen() != 16 || p4.MaxPDU() != 65536 {
		t.Fatal("protocol constants")
	}
	if !p4.IsResponse(CmdGenericNack) || !p4.IsResponse(CmdSubmitSMResp) || p4.IsResponse(CmdSubmitSM) ||
		p4.ResponseTo(CmdDeliverSM) != CmdDeliverSMResp {
		t.Fatal("response ids")
	}
	// sequence_number stays in 1..0x7FFFFFFF.
	for n, want := range map[uint32]uint32{1: 1, 2: 2, 0x7FFFFFFF: 0x7FFFFFFF, 0x80000000: 1, 0xFFFFFFFE: 0x7FFFFFFF, 0xFFFFFFFF: 1, 0: 2} {
		if got := p4.NextSeq(n).N; got != want {
			t.Errorf("NextSeq(%#x) = %#x, want %#x", n, got, want)
		}
	}
	// An ESME matches any bind_*_resp to its bind (sequence 1); the SMSC
	// side keeps the number.
	hdr := p4.AppendHeader(nil, session.Header{Length: 16, Command: CmdBindTransceiverResp, Seq: session.Seq{N: 77}})
	if h, _ := (Protocol{Version: V34, ESME: true}).DecodeHeader(hdr); h.Seq.N != 1 {
		t.Fatalf("ESME bind_resp seq %d", h.Seq.N)
	}
	if h, _ := p4.DecodeHeader(hdr); h.Seq.N != 77 {
		t.Fatalf("SMSC bind_resp seq %d", h.Seq.N)
	}
	sub := p4.AppendHeader(nil, session.Header{Length: 16, Command: CmdSubmitSMResp, Seq: session.Seq{N: 77}})
	if h, _ := (Protocol{Version: V34, ESME: true}).DecodeHeader(sub); h.Seq.N != 77 {
		t.Fatalf("ESME submit_sm_resp seq %d", h.Seq.N)
	}
	if CommandName(CmdDataSMResp) != "data_sm_resp" || CommandName(0x42) != "smpp_0x00000042" {
		t.Fatal("CommandName")
	}
	if StatusName(ESME_RTHROTTLED) != "ESME_RTHROTTLED" || StatusName(0x401) != "vendor 0x401" {
		t.Fatal("StatusName")
	}
	if !KnownCommand(CmdDataSM, V34) || KnownCommand(CmdDataSM, V33) || KnownCommand(CmdBindTransceiver, V33) ||
		!KnownCommand(CmdSubmitSM, V33) || KnownCommand(0x42, V34) || !KnownCommand(CmdGenericNack, V33) {
		t.Fatal("KnownCommand")
	}
	if VersionOf(0x34) != V34 || VersionOf(0x50) != V34 || VersionOf(0x33) != V33 || VersionOf(0) != V33 {
		t.Fatal("VersionOf")
	}
}
