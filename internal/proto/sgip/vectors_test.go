package sgip

import (
	"bytes"
	"testing"
	"time"

	"hongyan/internal/session"
)

// Vector 5 of protocols/test-vectors.md: Bind, LoginType 1, "sp001" /
// "secret", Sequence_Number (3010012345, 1120203225, 1), and its Bind_Resp.
const (
	vector5Bind = `
00 00 00 3d 00 00 00 01
b3 69 24 b9 42 c4 f1 d9 00 00 00 01
01
73 70 30 30 31 00 00 00 00 00 00 00 00 00 00 00
73 65 63 72 65 74 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00`
	vector5BindResp = `00 00 00 1d 80 00 00 01 b3 69 24 b9 42 c4 f1 d9 00 00 00 01 00 00 00 00 00 00 00 00 00`
)

var vector5Seq = session.Seq{Node: 3010012345, Time: 1120203225, N: 1}

// pinnedSequencer stamps t and counts from n.
func pinnedSequencer(node uint32, t time.Time, n uint32) *Sequencer {
	s := NewSequencer(node)
	s.now = func() time.Time { return t }
	s.ctr.Store(n)
	return s
}

func TestVector5Codec(t *testing.T) {
	// The sequence number itself, generated: 20 Nov 20:32:25 Beijing time.
	seq := pinnedSequencer(3010012345, time.Date(2025, 11, 20, 20, 32, 25, 0, beijing), 1).Next()
	if seq != vector5Seq {
		t.Fatalf("Sequencer gave %+v", seq)
	}
	want := unhex(t, vector5Bind)
	got, err := AppendPDU(nil, seq, &Bind{LoginType: LoginSPToSMG, LoginName: "sp001", LoginPassword: "secret"}, Standard)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Bind:\n got %x (%v)\nwant %x", got, err, want)
	}
	h, p, err := DecodePDU(want)
	if err != nil {
		t.Fatal(err)
	}
	if h.Length != 61 || h.Command != CmdBind || h.Seq != vector5Seq {
		t.Fatalf("header %+v", h)
	}
	if b := p.(*Bind); *b != (Bind{LoginType: 1, LoginName: "sp001", LoginPassword: "secret"}) {
		t.Fatalf("decoded %+v", b)
	}

	wantResp := unhex(t, vector5BindResp)
	got, err = AppendPDU(nil, h.Seq, &BindResp{}, Standard)
	if err != nil || !bytes.Equal(got, wantResp) {
		t.Fatalf("Bind_Resp:\n got %x (%v)\nwant %x", got, err, wantResp)
	}
	if h, p, err := DecodePDU(wantResp); err != nil || h.Seq != vector5Seq || p.(*BindResp).Result != 0 {
		t.Fatalf("Bind_Resp decoded %+v %+v %v", h, p, err)
	}
}

// The vector over TCP: our Client puts exactly these 61 bytes on the wire,
// and our SMG server answers them with exactly the vector's 29 bytes.
func TestVector5OnTheWire(t *testing.T) {
	ln, addr := listen(t)
	sent := make(chan []byte, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		p := &rawPeer{t: t, nc: nc}
		b, err := p.readRaw()
		if err != nil {
			return
		}
		sent <- b
		_, _ = nc.Write(unhex(t, vector5BindResp))
		_, _ = p.readRaw() // hold the line until the client leaves
	}()
	c := NewClient(spConfig(addr))
	c.proto = NewProtocol(pinnedSequencer(3010012345, time.Date(2025, 11, 20, 20, 32, 25, 0, beijing), 1))
	startClient(t, c)
	if got, want := recv(t, sent), unhex(t, vector5Bind); !bytes.Equal(got, want) {
		t.Fatalf("client Bind:\n got %x\nwant %x", got, want)
	}
	waitReady(t, c)

	_, addr = startSMG(t, newTestSMG(), nil)
	p := dialRaw(t, addr)
	p.write(unhex(t, vector5Bind))
	got, err := p.readRaw()
	if want := unhex(t, vector5BindResp); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("server Bind_Resp:\n got %x (%v)\nwant %x", got, err, want)
	}
}

// Concatenation UDH of vector 8 travels unchanged inside a Submit.
func TestVector8UDHInSubmit(t *testing.T) {
	udh := unhex(t, "05 00 03 2a 03 01")
	s := &Submit{UserNumber: []string{"8613000000000"}, TPUDHI: 1, MessageCoding: CodingUCS2,
		MessageContent: append(udh, 0x4f, 0x60)}
	body, err := s.Marshal(nil, Standard)
	if err != nil {
		t.Fatal(err)
	}
	tail := body[len(body)-reserveLen-len(s.MessageContent)-4:]
	if want := unhex(t, "00 00 00 08  05 00 03 2a 03 01 4f 60  00 00 00 00 00 00 00 00"); !bytes.Equal(tail, want) {
		t.Fatalf("MessageLength+content+Reserve = % x", tail)
	}
}
