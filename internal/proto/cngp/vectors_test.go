package cngp

import (
	"bytes"
	"testing"
	"time"
)

// No published CNGP vectors exist (protocols/test-vectors.md has none), so
// these were built by hand from the layouts in protocols/cngp.md, field by
// field, big-endian; each MD5 was computed with Python's hashlib and
// checked with `openssl md5`. Every line below names the field it holds.

// Login: ClientID "1234567890" (all 10 bytes, so no padding question),
// secret "pass", TimeStamp 03-01 00:00:00, LoginMode 2, Version 2.0, seq 1.
//
// TimeStamp 0301000000 = 301000000 = 0x11F0E540.
// MD5 input (31 bytes) = "1234567890" ‖ 7×0x00 ‖ "pass" ‖ "0301000000":
//
//	31 32 33 34 35 36 37 38 39 30 00 00 00 00 00 00 00 70 61 73 73
//	30 33 30 31 30 30 30 30 30 30
//
// AuthenticatorClient = 63df83dca01aa3c7ffb8db1fe2c5d235.
const vectorLogin = `
00 00 00 30                                      // Total_Length 48 = 16 + 32
00 00 00 01                                      // Command_Id Login
00 00 00 00                                      // Command_Status 0 in a request
00 00 00 01                                      // Sequence_Id 1
31 32 33 34 35 36 37 38 39 30                    // ClientID "1234567890" (10)
63 df 83 dc a0 1a a3 c7 ff b8 db 1f e2 c5 d2 35  // AuthenticatorClient (16)
02                                               // LoginMode 2 send+receive
11 f0 e5 40                                      // TimeStamp 0301000000
20                                               // Version 2.0`

// Login_Resp OK: AuthenticatorServer = MD5(Status 0x00 (1 byte) ‖
// AuthenticatorClient ‖ "pass") = 76728f6e3801d8eefe0823dafb8c822a; with
// Status as the ASCII digit "0" it is 70a476577963d0f7e900c3b68e88e532,
// with 4 bytes 10d90536a1cb1f016ad9affe4ccad1f7.
const vectorLoginResp = `
00 00 00 21                                      // Total_Length 33 = 16 + 17
80 00 00 01                                      // Login_Resp
00 00 00 00                                      // Command_Status 0: the result lives here
00 00 00 01                                      // Sequence_Id echoed
76 72 8f 6e 38 01 d8 ee fe 08 23 da fb 8c 82 2a  // AuthenticatorServer
20                                               // Version 2.0`

func TestVectorLogin(t *testing.T) {
	ts := time.Date(2025, 3, 1, 0, 0, 0, 0, time.Local)
	if got := Timestamp(ts); got != 0x11F0E540 {
		t.Fatalf("Timestamp = %d", got)
	}
	if got := string(appendTimestamp(nil, 301000000)); got != "0301000000" {
		t.Fatalf("timestamp string %q", got)
	}
	l := NewLogin("1234567890", "pass", LoginTransmit, V20, ts)
	authC := hex16(t, "63df83dca01aa3c7ffb8db1fe2c5d235")
	if l.AuthenticatorClient != authC {
		t.Fatalf("AuthenticatorClient = %x", l.AuthenticatorClient)
	}
	got, err := AppendPDU(nil, 1, l, V20)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, vectorLogin)
	if !bytes.Equal(got, want) {
		t.Fatalf("Login PDU\n got %x\nwant %x", got, want)
	}
	h, pdu, err := DecodePDU(want, V20)
	if err != nil || h.Command != CmdLogin || h.Seq.N != 1 || h.Status != 0 {
		t.Fatalf("decode: %+v %v", h, err)
	}
	if d := pdu.(*Login); *d != *l {
		t.Fatalf("decoded %+v, want %+v", d, l)
	}
	// 1.0 differs in the Version byte only.
	l10 := NewLogin("1234567890", "pass", LoginTransmit, V10, ts)
	got10, _ := AppendPDU(nil, 1, l10, V10)
	if !bytes.Equal(got10[:47], want[:47]) || got10[47] != 0x10 {
		t.Fatalf("1.0 Login %x", got10)
	}

	byteForm := hex16(t, "76728f6e3801d8eefe0823dafb8c822a")
	ascii := hex16(t, "70a476577963d0f7e900c3b68e88e532")
	four := hex16(t, "10d90536a1cb1f016ad9affe4ccad1f7")
	if a := AuthServer(0, authC, "pass", AuthStatusByte); a != byteForm {
		t.Fatalf("AuthServer byte = %x", a)
	}
	if a := AuthServer(0, authC, "pass", AuthStatusASCII); a != ascii {
		t.Fatalf("AuthServer ASCII = %x", a)
	}
	for _, a := range [][16]byte{byteForm, ascii, four} {
		if !VerifyAuthServer(a, 0, authC, "pass") {
			t.Fatalf("%x not accepted", a)
		}
	}
	if VerifyAuthServer(byteForm, 0, authC, "wrong") || VerifyAuthServer(byteForm, 1, authC, "pass") {
		t.Fatal("wrong secret or status accepted")
	}

	resp, _ := AppendPDU(nil, 1, &LoginResp{AuthenticatorServer: byteForm, Version: V20}, V20)
	if wantResp := unhex(t, vectorLoginResp); !bytes.Equal(resp, wantResp) {
		t.Fatalf("Login_Resp\n got %x\nwant %x", resp, wantResp)
	}
	// A refusal: status 21 in the header, zero authenticator in the body.
	refused, _ := AppendPDU(nil, 1, &LoginResp{Status: StatusAuthFailed, Version: V20}, V20)
	wantRefused := unhex(t, `00 00 00 21  80 00 00 01  00 00 00 15  00 00 00 01
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  20`)
	if !bytes.Equal(refused, wantRefused) {
		t.Fatalf("refused Login_Resp %x", refused)
	}
	_, p, err := DecodePDU(wantRefused, V20)
	if err != nil || p.(*LoginResp).Status != StatusAuthFailed {
		t.Fatalf("refusal decoded as %+v %v", p, err)
	}
}

// A ClientID shorter than 10 bytes: the raw form is sent, the form over
// the 0x00-padded field is accepted too (MD5s by hashlib).
func TestAuthClientPadding(t *testing.T) {
	raw, padded := AuthClient("12345", "pass", 301000000), authClientPadded("12345", "pass", 301000000)
	if raw != hex16(t, "f58110394f5e0204387e9a3dd75fd65f") || padded != hex16(t, "8dd61ec3a690278142c6c044fd8c1573") {
		t.Fatalf("raw %x padded %x", raw, padded)
	}
	for _, a := range [][16]byte{raw, padded} {
		if !verifyAuthClient(Login{ClientID: "12345", AuthenticatorClient: a, TimeStamp: 301000000}, "pass") {
			t.Fatalf("%x refused", a)
		}
	}
	if AuthClient("1234567890", "pass", 1) != authClientPadded("1234567890", "pass", 1) {
		t.Fatal("10-byte id: readings differ")
	}
}

// Submit with one destination and the ProtocolID TLV the clients append:
// fixed body 110 + 21 + 1 + MsgLength + 5 = 139, PDU 155.
const vectorSubmit = `
00 00 00 9b  00 00 00 02  00 00 00 00  00 00 00 02  // 155, Submit, status 0, seq 2
39 30 31 32 33 34 00 00 00 00                    // SPID "901234" (10)
02                                               // SubType 2 on-demand delivery
01                                               // NeedReport
00                                               // Priority
48 45 4c 50 00 00 00 00 00 00                    // ServiceID "HELP" (10)
30 30                                            // FeeType "00"
00                                               // FeeUserType 0 charge dest
30 30 30 30 30 30                                // FeeCode "000000"
00                                               // MsgFormat ASCII
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  // ValidTime (17)
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  // AtTime (17)
31 30 36 35 38 30 30 30 00 00 00 00 00 00 00 00 00 00 00 00 00  // SrcTermID "10658000" (21)
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  // ChargeTermID (21)
01                                               // DestTermIDCount
31 33 33 30 30 30 30 30 30 30 31 00 00 00 00 00 00 00 00 00 00  // DestTermID "13300000001"
02                                               // MsgLength
68 69                                            // "hi"
01 00  00 01  00                                 // TLV ProtocolID (0x0100), length 1, 0`

// Submit_Resp as wujunjenny/smgw sends it and the Huawei SMProxy expects:
// 31 bytes, CongestionState at byte 30.
const vectorSubmitResp = `
00 00 00 1f  80 00 00 02  00 00 00 00  00 00 00 02  // 31, Submit_Resp, status 0, seq 2
01 00 61 01 16 17 00 01 23 45                    // MsgID
04 28  00 01  00                                 // TLV CongestionState (0x0428), length 1, 0`

func TestVectorSubmit(t *testing.T) {
	s := &Submit{SPID: "901234", SubType: SubTypeOnDemand, NeedReport: 1, ServiceID: "HELP", FeeType: "00",
		FeeCode: "000000", SrcTermID: "10658000", DestTermID: []string{"13300000001"}, MsgContent: []byte("hi")}
	s.TLVs.SetByte(TagProtocolID, 0)
	want := unhex(t, vectorSubmit)
	if len(want) != 155 {
		t.Fatalf("vector has %d bytes", len(want))
	}
	for _, v := range []Version{V10, V20} {
		got, err := AppendPDU(nil, 2, s, v)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s Submit %v\n got %x\nwant %x", v, err, got, want)
		}
	}
	_, p, err := DecodePDU(want, V20)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(*Submit); got.SPID != "901234" || got.DestTermID[0] != "13300000001" || string(got.MsgContent) != "hi" || got.TLVs.Byte(TagProtocolID) != 0 || !got.TLVs.Has(TagProtocolID) {
		t.Fatalf("decoded %+v", got)
	}

	r := &SubmitResp{MsgID: mustID("01006101161700012345")}
	r.TLVs.SetByte(TagCongestionState, 0)
	got, _ := AppendPDU(nil, 2, r, V20)
	wantResp := unhex(t, vectorSubmitResp)
	if !bytes.Equal(got, wantResp) || got[30] != 0 {
		t.Fatalf("Submit_Resp %x", got)
	}
	// Refused: the status is in the header; a bare header still decodes.
	for _, b := range []string{
		"00 00 00 1f 80 00 00 02 00 00 00 01 00 00 00 02 00 00 00 00 00 00 00 00 00 00 04 28 00 01 00",
		"00 00 00 10 80 00 00 02 00 00 00 01 00 00 00 02",
	} {
		_, p, err := DecodePDU(unhex(t, b), V20)
		if err != nil || p.(*SubmitResp).Status != StatusBusy {
			t.Fatalf("%s: %+v %v", b, p, err)
		}
	}
	// Accepted without the TLV (two implementations read only the MsgID);
	// a status-0 answer without a MsgID is malformed.
	_, p, err = DecodePDU(wantResp[:26], V20)
	if err == nil {
		t.Fatalf("26 bytes with a 31-byte length decoded: %+v", p)
	}
	short := append([]byte(nil), wantResp[:26]...)
	short[3] = 26
	if _, p, err := DecodePDU(short, V20); err != nil || p.(*SubmitResp).MsgID != r.MsgID {
		t.Fatalf("without TLV: %+v %v", p, err)
	}
	if _, _, err := DecodePDU(unhex(t, "00 00 00 10 80 00 00 02 00 00 00 00 00 00 00 02"), V20); err == nil {
		t.Fatal("OK Submit_Resp without MsgID accepted")
	}
}

// Status report inside Deliver: the 121-byte labelled text with the Id as
// 10 binary bytes; Stat, submit and done dates at the offsets the Huawei
// SMProxy reads (81, 44, 65).
const vectorReportDeliver = `
00 00 00 d3  00 00 00 03  00 00 00 00  00 00 00 03  // 211 = 16 + 69 + 121 + 5, Deliver, seq 3
01 00 61 01 16 17 01 00 00 07                    // MsgID of this Deliver
01                                               // IsReport
00                                               // MsgFormat
32 30 32 35 30 31 31 36 31 37 30 31 30 30        // RecvTime "20250116170100"
31 33 33 30 30 30 30 30 30 30 31 00 00 00 00 00 00 00 00 00 00  // SrcTermID: the recipient
31 30 36 35 38 30 30 30 00 00 00 00 00 00 00 00 00 00 00 00 00  // DestTermID "10658000"
79                                               // MsgLength 121
69 64 3a                                         // "id:"                      offset 0
01 00 61 01 16 17 00 01 23 45                    // Id, binary                 offset 3
20 73 75 62 3a 30 30 31                          // " sub:001"                 offset 13
20 64 6c 76 72 64 3a 30 30 31                    // " dlvrd:001"               offset 21
20 73 75 62 6d 69 74 5f 64 61 74 65 3a           // " submit_date:"            offset 31
32 35 30 31 31 36 31 37 30 30                    // "2501161700"               offset 44
20 64 6f 6e 65 5f 64 61 74 65 3a                 // " done_date:"              offset 54
32 35 30 31 31 36 31 37 30 31                    // "2501161701"               offset 65
20 73 74 61 74 3a                                // " stat:"                   offset 75
44 45 4c 49 56 52 44                             // "DELIVRD"                  offset 81
20 65 72 72 3a 30 30 30                          // " err:000"                 offset 88
20 74 78 74 3a                                   // " txt:"                    offset 96
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  // Txt (20)  offset 101..120
01 00  00 01  00                                 // TLV ProtocolID, as wujunjenny/smgw appends`

// Deliver_Resp with the CongestionState TLV (wujunjenny/smgw, RongDi).
const vectorDeliverResp = `
00 00 00 1f  80 00 00 03  00 00 00 00  00 00 00 03  // 31, Deliver_Resp, status 0, seq 3
01 00 61 01 16 17 01 00 00 07                    // MsgID echoed
04 28  00 01  00                                 // CongestionState 0`

func TestVectorReportDeliver(t *testing.T) {
	d := &Deliver{MsgID: mustID("01006101161701000007"), RecvTime: "20250116170100", SrcTermID: "13300000001",
		DestTermID: "10658000", Report: &Report{MsgID: mustID("01006101161700012345"),
			SubmitDate: "2501161700", DoneDate: "2501161701", Stat: StatDelivered}}
	d.TLVs.SetByte(TagProtocolID, 0)
	want := unhex(t, vectorReportDeliver)
	got, err := AppendPDU(nil, 3, d, V20)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("report Deliver %v\n got %x\nwant %x", err, got, want)
	}
	content := want[16+69 : 16+69+ReportLen]
	if string(content[81:88]) != "DELIVRD" || string(content[44:54]) != "2501161700" || string(content[65:75]) != "2501161701" {
		t.Fatalf("offsets: %q", content)
	}
	_, p, err := DecodePDU(want, V20)
	if err != nil {
		t.Fatal(err)
	}
	rd := p.(*Deliver)
	if rd.IsReport != 1 || rd.MsgContent != nil || rd.Report.MsgID.String() != "01006101161700012345" || !rd.Report.Delivered() ||
		rd.Report.Sub != "001" || rd.Report.Err != "000" {
		t.Fatalf("decoded %+v %+v", rd, rd.Report)
	}

	r := &DeliverResp{MsgID: d.MsgID, TLVs: TLVs{{Tag: TagCongestionState, Value: []byte{0}}}}
	gotResp, _ := AppendPDU(nil, 3, r, V20)
	if !bytes.Equal(gotResp, unhex(t, vectorDeliverResp)) {
		t.Fatalf("Deliver_Resp %x", gotResp)
	}
	// The Huawei SMProxy's Deliver_Resp leaves tag and length 0: the TLV
	// tail does not walk, and is dropped rather than refused.
	huawei := unhex(t, `00 00 00 1f 80 00 00 03 00 00 00 00 00 00 00 03
		01 00 61 01 16 17 01 00 00 07  00 00 00 00 00`)
	if _, p, err := DecodePDU(huawei, V20); err != nil || p.(*DeliverResp).MsgID != d.MsgID {
		t.Fatalf("SMProxy Deliver_Resp: %+v %v", p, err)
	}
}

// Active_Test, Exit and their responses are bare 16-byte headers.
func TestVectorBodyless(t *testing.T) {
	for _, tc := range []struct {
		p    PDU
		want string
	}{
		{&ActiveTest{}, "00 00 00 10 00 00 00 04 00 00 00 00 00 00 00 02"},
		{&ActiveTestResp{}, "00 00 00 10 80 00 00 04 00 00 00 00 00 00 00 02"},
		{&Exit{}, "00 00 00 10 00 00 00 06 00 00 00 00 00 00 00 02"},
		{&ExitResp{}, "00 00 00 10 80 00 00 06 00 00 00 00 00 00 00 02"},
	} {
		got, _ := AppendPDU(nil, 2, tc.p, V20)
		if !bytes.Equal(got, unhex(t, tc.want)) {
			t.Fatalf("%T: %x", tc.p, got)
		}
	}
	cmd, body, ok := Protocol{}.HeartbeatReply(sessionFrame(CmdActiveTest))
	if !ok || cmd != CmdActiveTestResp || len(body) != 0 {
		t.Fatalf("HeartbeatReply %x %x %v", cmd, body, ok)
	}
}

// Forward (wujunjenny/smgw's struct): fixed body 150 + content, then the
// SPID TLV in 2.0 only — the one 1.0/2.0 difference a source shows.
func TestVectorForwardVersions(t *testing.T) {
	f := &Forward{MsgID: mustID("01006101161700000001"), DestSMGNo: "010061", SrcSMGNo: "020061", SMType: 0,
		SubType: 2, ReportFlag: 1, SrcTermID: "13300000001", DestTermID: "10658000", MsgContent: []byte("hi"),
		NodesCount: 1, SPID: "901234"}
	b20, err := AppendPDU(nil, 4, f, V20)
	if err != nil {
		t.Fatal(err)
	}
	b10, _ := AppendPDU(nil, 4, f, V10)
	if len(b10) != 16+150+2 || len(b20) != len(b10)+14 {
		t.Fatalf("lengths 1.0 %d, 2.0 %d", len(b10), len(b20))
	}
	body := b10[16:]
	// MsgLength sits after 149 fixed bytes, NodesCount after the content.
	if body[148] != 2 || string(body[149:151]) != "hi" || body[151] != 1 {
		t.Fatalf("layout %x", body)
	}
	wantTail := unhex(t, "01 01  00 0a  39 30 31 32 33 34 00 00 00 00") // SPID TLV (0x0101), 10 bytes
	if !bytes.Equal(b20[len(b20)-14:], wantTail) {
		t.Fatalf("2.0 tail %x", b20[len(b20)-14:])
	}
	_, p, err := DecodePDU(b20, V10) // a 1.0 reader still understands it
	if err != nil || p.(*Forward).SPID != "901234" || p.(*Forward).TLVs != nil {
		t.Fatalf("%+v %v", p, err)
	}
}
