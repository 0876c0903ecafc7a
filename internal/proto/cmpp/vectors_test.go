package cmpp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

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

func hex16(t testing.TB, s string) (a [16]byte) {
	copy(a[:], unhex(t, s))
	return a
}

// Vector 0: gocmpp's published values.
func TestVector0GocmppAuth(t *testing.T) {
	src := AuthSource("900001", "888888", 1021080510)
	if want := hex16(t, "90d00c1d517abd0b4f65f6bcf8535d16"); src != want {
		t.Fatalf("AuthSource = %x, want %x", src, want)
	}
	ismg := AuthISMG(0, src, "888888", V20)
	if want := hex16(t, "6c0b846e25bab6daa4ed1c466e0f4bd8"); ismg != want {
		t.Fatalf("AuthISMG 2.0 = %x, want %x", ismg, want)
	}
}

const vector1Connect = `
00 00 00 27  00 00 00 01  00 00 00 01
39 30 31 32 33 34
37 4a 32 b4 84 7a 60 11 af 45 99 50 e9 15 30 31
30
43 0e 7e e0`

// Vector 1: CMPP 3.0 CONNECT and its CONNECT_RESP, byte for byte.
func TestVector1Connect(t *testing.T) {
	want := unhex(t, vector1Connect)
	ts := time.Date(2025, 11, 25, 2, 34, 56, 0, time.Local)
	if got := Timestamp(ts); got != 1125023456 {
		t.Fatalf("Timestamp = %d", got)
	}
	c := NewConnect("901234", "1234", V30, ts)
	if c.AuthenticatorSource != hex16(t, "374a32b4847a6011af459950e9153031") {
		t.Fatalf("AuthenticatorSource = %x", c.AuthenticatorSource)
	}
	got, err := AppendPDU(nil, 1, c, V30)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("CONNECT 3.0:\n got %x (%v)\nwant %x", got, err, want)
	}

	// 2.0 differs only in the Version byte.
	c.Version = V20
	got, _ = AppendPDU(nil, 1, c, V20)
	want20 := bytes.Clone(want)
	want20[34] = 0x20
	if !bytes.Equal(got, want20) {
		t.Fatalf("CONNECT 2.0:\n got %x\nwant %x", got, want20)
	}

	h, p, err := DecodePDU(want, V30)
	if err != nil {
		t.Fatal(err)
	}
	if h.Command != CmdConnect || h.Seq.N != 1 || h.Length != 39 {
		t.Fatalf("header %+v", h)
	}
	dc := p.(*Connect)
	if dc.SourceAddr != "901234" || dc.Version != V30 || dc.Timestamp != 1125023456 {
		t.Fatalf("decoded %+v", dc)
	}

	ismg := AuthISMG(0, dc.AuthenticatorSource, "1234", V30)
	if ismg != hex16(t, "cc314d5df1ae13b09f721674947b5d28") {
		t.Fatalf("AuthISMG 3.0 = %x", ismg)
	}
	resp := &ConnectResp{Status: 0, AuthenticatorISMG: ismg, Version: V30}
	got, _ = AppendPDU(nil, 1, resp, V30)
	wantResp := unhex(t, `00 00 00 21 80 00 00 01 00 00 00 01 00 00 00 00
		cc 31 4d 5d f1 ae 13 b0 9f 72 16 74 94 7b 5d 28 30`)
	if !bytes.Equal(got, wantResp) {
		t.Fatalf("CONNECT_RESP:\n got %x\nwant %x", got, wantResp)
	}
}

// Vector 2: ACTIVE_TEST and its 13-byte response, through the Protocol.
func TestVector2ActiveTest(t *testing.T) {
	p := NewProtocol(V30)
	cmd, body, ok := p.Heartbeat()
	if !ok || cmd != CmdActiveTest || len(body) != 0 {
		t.Fatalf("Heartbeat = %x %x %v", cmd, body, ok)
	}
	req := p.AppendHeader(nil, session.Header{Length: 12, Command: cmd, Seq: p.NextSeq(2)})
	if want := unhex(t, "00 00 00 0c 00 00 00 08 00 00 00 02"); !bytes.Equal(req, want) {
		t.Fatalf("ACTIVE_TEST %x", req)
	}
	h, err := p.DecodeHeader(req)
	if err != nil {
		t.Fatal(err)
	}
	rcmd, rbody, ok := p.HeartbeatReply(session.Frame{Header: h})
	if !ok {
		t.Fatal("HeartbeatReply refused ACTIVE_TEST")
	}
	resp := p.AppendHeader(nil, session.Header{Length: uint32(12 + len(rbody)), Command: rcmd, Seq: h.Seq})
	resp = append(resp, rbody...)
	if want := unhex(t, "00 00 00 0d 80 00 00 08 00 00 00 02 00"); !bytes.Equal(resp, want) {
		t.Fatalf("ACTIVE_TEST_RESP %x", resp)
	}
	if _, _, ok := p.HeartbeatReply(session.Frame{Header: session.Header{Command: CmdSubmit}}); ok {
		t.Fatal("HeartbeatReply answered a SUBMIT")
	}
	// And through the PDU types.
	got, _ := AppendPDU(nil, 2, &ActiveTestResp{}, V20)
	if want := unhex(t, "00 00 00 0d 80 00 00 08 00 00 00 02 00"); !bytes.Equal(got, want) {
		t.Fatalf("ActiveTestResp %x", got)
	}
}

// Vector 3: Msg_Id packing, and gocmpp's example server id.
func TestVector3MsgID(t *testing.T) {
	id := PackMsgID(1, 16, 17, 0, 0, 10061, 1)
	if id != 0x18440000274D0001 {
		t.Fatalf("PackMsgID = %#x", id)
	}
	resp, _ := (&SubmitResp{MsgID: id}).Marshal(nil, V30)
	if want := unhex(t, "18 44 00 00 27 4d 00 01 00 00 00 00"); !bytes.Equal(resp, want) {
		t.Fatalf("wire %x", resp)
	}
	mo, d, h, mi, s, gw, seq := UnpackMsgID(12878564852733378560)
	if mo != 11 || d != 5 || h != 14 || mi != 29 || s != 42 || gw != 1 || seq != 0 {
		t.Fatalf("UnpackMsgID(gocmpp) = %d-%d %d:%d:%d gw %d seq %d", mo, d, h, mi, s, gw, seq)
	}
	if back := PackMsgID(mo, d, h, mi, s, gw, seq); back != 0xB2B9DA8000010000 {
		t.Fatalf("repack = %#x", back)
	}
}

// Vector 8: concatenation UDH in a SUBMIT survives the codec untouched.
func TestVector8UDH(t *testing.T) {
	udh8 := unhex(t, "05 00 03 2a 03 01")
	udh16 := unhex(t, "06 08 04 12 34 03 01")
	for _, udh := range [][]byte{udh8, udh16} {
		for _, v := range []Version{V20, V30} {
			s := &Submit{PkTotal: 3, PkNumber: 1, TPUDHI: 1, MsgFmt: FmtUCS2,
				DestTerminalID: []string{"13800138000"}, MsgContent: append(bytes.Clone(udh), 0x4f, 0x60)}
			b, err := s.Marshal(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			var got Submit
			if err := got.Unmarshal(b, v); err != nil {
				t.Fatal(err)
			}
			if got.TPUDHI != 1 || !bytes.HasPrefix(got.MsgContent, udh) {
				t.Fatalf("%s: content %x", v, got.MsgContent)
			}
		}
	}
}

func TestDecodeHeaderLimits(t *testing.T) {
	for _, tc := range []struct {
		v      Version
		length uint32
		ok     bool
	}{
		{V30, 11, false}, {V30, 0, false}, {V30, 12, true}, {V30, 3335, true}, {V30, 3336, false},
		{V20, 2477, true}, {V20, 2478, false}, {V21, 2478, false}, {V30, 0xffffffff, false},
	} {
		b := NewProtocol(tc.v).AppendHeader(nil, session.Header{Length: tc.length, Command: CmdSubmit})
		_, err := NewProtocol(tc.v).DecodeHeader(b)
		if (err == nil) != tc.ok {
			t.Errorf("%s length %d: err %v", tc.v, tc.length, err)
		}
		if err != nil && !errors.Is(err, session.ErrMalformed) {
			t.Errorf("%s length %d: %v does not wrap ErrMalformed", tc.v, tc.length, err)
		}
	}
	if _, err := NewProtocol(V30).DecodeHeader([]byte{0, 0, 0}); !errors.Is(err, session.ErrMalformed) {
		t.Errorf("short header: %v", err)
	}
}

func TestProtocolBasics(t *testing.T) {
	p3, p2 := NewProtocol(V30), NewProtocol(V21)
	if p3.Name() != "cmpp3" || p2.Name() != "cmpp2" || p3.HeaderLen() != 12 || p3.MaxPDU() != 3335 || p2.MaxPDU() != 2477 {
		t.Fatal("protocol constants")
	}
	if !p3.IsResponse(CmdSubmitResp) || p3.IsResponse(CmdSubmit) || p3.ResponseTo(CmdDeliver) != CmdDeliverResp {
		t.Fatal("response ids")
	}
	if CommandName(CmdDeliverResp) != "CMPP_DELIVER_RESP" || CommandName(0x42) != "CMPP_0x00000042" {
		t.Fatal("CommandName")
	}
	if V30.String() != "3.0" || V21.String() != "2.1" || V21.Is30() || !V30.Is30() {
		t.Fatal("Version")
	}
}

func TestTimestamp(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want uint32
		str  string
	}{
		{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 301000000, "0301000000"},
		{time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), 1231235959, "1231235959"},
	} {
		if got := Timestamp(tc.t); got != tc.want {
			t.Errorf("Timestamp(%v) = %d", tc.t, got)
		}
		if got := string(appendTimestamp(nil, tc.want)); got != tc.str {
			t.Errorf("appendTimestamp(%d) = %q", tc.want, got)
		}
	}
	// AuthSource hashes the zero-padded 10-digit string.
	a := AuthSource("1", "s", 301000000)
	b := AuthSource("1\x00\x00\x00\x00\x00", "s", 301000000)
	if a != b {
		t.Fatal("short Source_Addr not padded with 0x00")
	}
}
