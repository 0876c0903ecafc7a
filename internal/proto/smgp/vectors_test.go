package smgp

import (
	"bytes"
	"testing"
	"time"
)

const vector6Login = `
00 00 00 2a 00 00 00 01 00 00 00 01
31 32 33 34 35 36 37 38
d7 e0 f8 ad e4 05 8a 68 79 01 6a 88 43 3d 72 e1
02
11 f0 e5 40
30`

// Vector 6: SMGP 3.0 Login byte for byte, and AuthenticatorServer under
// both Status readings.
func TestVector6Login(t *testing.T) {
	ts := time.Date(2025, 3, 1, 0, 0, 0, 0, time.Local)
	if got := Timestamp(ts); got != 0x11F0E540 {
		t.Fatalf("Timestamp = %d", got)
	}
	if got := string(appendTimestamp(nil, 301000000)); got != "0301000000" {
		t.Fatalf("timestamp string %q", got)
	}
	l := NewLogin("12345678", "pass", LoginTransmit, V30, ts)
	authC := hex16(t, "d7e0f8ade4058a6879016a88433d72e1")
	if l.AuthenticatorClient != authC {
		t.Fatalf("AuthenticatorClient = %x", l.AuthenticatorClient)
	}
	got, err := AppendPDU(nil, 1, l, V30)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, vector6Login)
	if !bytes.Equal(got, want) {
		t.Fatalf("Login PDU\n got %x\nwant %x", got, want)
	}
	h, pdu, err := DecodePDU(want, V30)
	if err != nil || h.Command != CmdLogin || h.Seq.N != 1 {
		t.Fatalf("decode: %+v %v", h, err)
	}
	if d := pdu.(*Login); *d != *l {
		t.Fatalf("decoded %+v, want %+v", d, l)
	}

	four := hex16(t, "427c9934ed52d5237c994b374f10f43a")
	one := hex16(t, "338aad4e4b53e77cd29c0a30029ab019")
	if a := AuthServer(0, authC, "pass", StatusWidth4); a != four {
		t.Fatalf("AuthServer 4-byte = %x", a)
	}
	if a := AuthServer(0, authC, "pass", StatusWidth1); a != one {
		t.Fatalf("AuthServer 1-byte = %x", a)
	}
	for _, a := range [][16]byte{four, one} {
		if !VerifyAuthServer(a, 0, authC, "pass") {
			t.Fatalf("%x not accepted", a)
		}
	}
	if VerifyAuthServer(four, 0, authC, "wrong") || VerifyAuthServer(four, 1, authC, "pass") {
		t.Fatal("wrong secret or status accepted")
	}

	// Login_Resp as our server sends it: 33 bytes, Status 4 bytes.
	resp, _ := AppendPDU(nil, 1, &LoginResp{AuthenticatorServer: four, ServerVersion: V30}, V30)
	wantResp := unhex(t, "00 00 00 21 80 00 00 01 00 00 00 01 00 00 00 00 42 7c 99 34 ed 52 d5 23 7c 99 4b 37 4f 10 f4 3a 30")
	if !bytes.Equal(resp, wantResp) {
		t.Fatalf("Login_Resp\n got %x\nwant %x", resp, wantResp)
	}
}

// A ClientID shorter than 8 bytes: the raw form is sent, the padded form
// is accepted too; with 8 characters both agree (the vector's case).
func TestAuthClientPadding(t *testing.T) {
	if AuthClient("12345678", "pass", 301000000) != authClientPadded("12345678", "pass", 301000000) {
		t.Fatal("8-byte id: readings differ")
	}
	raw, padded := AuthClient("1234", "pass", 1), authClientPadded("1234", "pass", 1)
	if raw == padded {
		t.Fatal("short id: readings agree, test is vacuous")
	}
	for _, a := range [][16]byte{raw, padded} {
		if !verifyAuthClient(Login{ClientID: "1234", AuthenticatorClient: a, TimeStamp: 1}, "pass") {
			t.Fatalf("%x refused", a)
		}
	}
}

// Vector 7: the spec's MsgID example, and its canonical text.
func TestVector7MsgID(t *testing.T) {
	id := NewMsgID(10061, time.Date(2025, 1, 16, 17, 0, 0, 0, time.UTC), 12345)
	want := unhex(t, "01 00 61 01 16 17 00 01 23 45")
	if !bytes.Equal(id[:], want) {
		t.Fatalf("MsgID %x, want %x", id[:], want)
	}
	if s := id.String(); s != "01006101161700012345" {
		t.Fatalf("String %q", s)
	}
	back, err := ParseMsgID("01006101161700012345")
	if err != nil || back != id {
		t.Fatalf("ParseMsgID %x %v", back, err)
	}
	gw, t4, seq, ok := id.Parts()
	if gw != 10061 || t4 != 1161700 || seq != 12345 || !ok {
		t.Fatalf("Parts %d %d %d %v", gw, t4, seq, ok)
	}
}

// Heartbeat and Exit PDUs are bare 12-byte headers both ways.
func TestVectorBodyless(t *testing.T) {
	for _, tc := range []struct {
		p    PDU
		want string
	}{
		{&ActiveTest{}, "00 00 00 0c 00 00 00 04 00 00 00 02"},
		{&ActiveTestResp{}, "00 00 00 0c 80 00 00 04 00 00 00 02"},
		{&Exit{}, "00 00 00 0c 00 00 00 06 00 00 00 02"},
		{&ExitResp{}, "00 00 00 0c 80 00 00 06 00 00 00 02"},
	} {
		got, _ := AppendPDU(nil, 2, tc.p, V30)
		if !bytes.Equal(got, unhex(t, tc.want)) {
			t.Fatalf("%T: %x", tc.p, got)
		}
	}
	cmd, body, ok := Protocol{}.HeartbeatReply(sessionFrame(CmdActiveTest))
	if !ok || cmd != CmdActiveTestResp || len(body) != 0 {
		t.Fatalf("HeartbeatReply %x %x %v", cmd, body, ok)
	}
}

// Submit with one destination, 3.0, field by field: fixed body 114 + 21 +
// content, then TP_udhi/PkTotal/PkNumber TLVs (5 bytes each).
func TestVectorSubmitLayout(t *testing.T) {
	s := &Submit{MsgType: 6, NeedReport: 1, Priority: 1, ServiceID: "HELP", FeeType: "01", FeeCode: "000010",
		FixedFee: "000000", MsgFormat: FmtUCS2, SrcTermID: "10690000", DestTermID: []string{"13300000000"},
		MsgContent: unhex(t, "05 00 03 2a 03 01 4f 60")}
	s.TLVs.SetByte(TagTPUDHI, 1)
	s.TLVs.SetByte(TagPkTotal, 3)
	s.TLVs.SetByte(TagPkNumber, 1)
	b, err := AppendPDU(nil, 9, s, V30)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 12+114+21+8+15 {
		t.Fatalf("len %d", len(b))
	}
	if got, want := b[len(b)-15:], unhex(t, "0002 0001 01 0009 0001 03 000a 0001 01"); !bytes.Equal(got, want) {
		t.Fatalf("TLVs %x", got)
	}
	// Offsets: MsgFormat after 3+10+2+6+6, DestTermIDCount after the two 21s.
	body := b[12:]
	if body[27] != FmtUCS2 || body[27+1+17+17+21+21] != 1 {
		t.Fatalf("layout: %x", body[:120])
	}
	b13, _ := AppendPDU(nil, 9, s, V13)
	if len(b13) != 12+108+21+8 {
		t.Fatalf("1.3 len %d (no FixedFee, no TLVs)", len(b13))
	}
	b20, _ := AppendPDU(nil, 9, s, V20)
	if len(b20) != 12+114+21+8 {
		t.Fatalf("2.0 len %d (no TLVs)", len(b20))
	}
}
