package wire

import (
	"errors"
	"strings"
	"testing"

	"hongyan/internal/session"
)

var errTestInvalid = errors.New("test: invalid pdu field")

var testProto = &Proto{Name: "test", Invalid: errTestInvalid}

func TestEncFixedFields(t *testing.T) {
	e := testProto.Enc([]byte{0xee}, "submit")
	e.U8(1)
	e.U16(0x0203)
	e.U32(0x04050607)
	e.Str("SrcTermID", "ab", 4)
	if got := string(e.B); got != "\xee\x01\x02\x03\x04\x05\x06\x07ab\x00\x00" || e.Err != nil {
		t.Fatalf("%q %v", got, e.Err)
	}
	e.Str("DestTermID", "12345", 4)
	e.Str("Later", "x", 1) // after the first error nothing more is recorded
	if e.Err == nil || !errors.Is(e.Err, errTestInvalid) ||
		e.Err.Error() != `test submit: DestTermID "12345" is 5 bytes, field holds 4: test: invalid pdu field` {
		t.Fatalf("error %v", e.Err)
	}
	if b, err := e.Done([]byte{0xee}, 12, 4096); err == nil || string(b) != "\xee" {
		t.Fatalf("Done after an error: %q %v", b, err)
	}
}

func TestEncDoneLimit(t *testing.T) {
	e := testProto.Enc(nil, "deliver")
	e.Raw(make([]byte, 20))
	if _, err := e.Done(nil, 12, 31); err == nil || !strings.Contains(err.Error(), "pdu 32 bytes above limit 31") {
		t.Fatalf("%v", err)
	}
	e = testProto.Enc(nil, "deliver")
	e.Raw(make([]byte, 20))
	if b, err := e.Done(nil, 12, 32); err != nil || len(b) != 20 {
		t.Fatalf("%d %v", len(b), err)
	}
}

func TestDecFixedFields(t *testing.T) {
	body := []byte("\x01\x02\x03\x00\x00\x00\x04ab \x00zz" + "0123456789")
	for _, d := range []Dec{testProto.Dec(body, "login"), testProto.RawDec(body, "login")} {
		if v := d.U8("a"); v != 1 {
			t.Fatal(v)
		}
		if v := d.U16("b"); v != 0x0203 {
			t.Fatal(v)
		}
		if v := d.U32("c"); v != 4 {
			t.Fatal(v)
		}
		if s := d.Str("d", 6); s != "ab" { // cut at 0x00, trailing spaces dropped
			t.Fatalf("%q", s)
		}
		if a := d.Array10("id"); string(a[:]) != "0123456789" || d.Left() != 0 {
			t.Fatalf("%q %d", a, d.Left())
		}
		if v := d.U8("extra"); v != 0 || !errors.Is(d.Done(), session.ErrMalformed) ||
			d.Done().Error() != "test login: body truncated at extra (need 1 bytes, have 0): "+session.ErrMalformed.Error() {
			t.Fatalf("%d %v", v, d.Done())
		}
	}
}

// Shared byte fields do not alias the input and cannot grow into their
// neighbour.
func TestDecShared(t *testing.T) {
	body := []byte("abcdef")
	d := testProto.RawDec(body, "deliver")
	x, y := d.Shared("x", 3), d.Shared("y", 3)
	body[0] = 'Z'
	_ = append(x, '!')
	if string(x) != "abc" || string(y) != "def" || cap(x) != 3 {
		t.Fatalf("%q %q", x, y)
	}
	if b := d.Bytes("z", 0); b != nil || d.Done() != nil {
		t.Fatal("empty field")
	}
}

func TestTLVs(t *testing.T) {
	var ts TLVs
	ts.SetByte(9, 3)
	ts.SetString(3, "abc", 20)
	ts.SetByte(9, 4)
	if ts.Byte(9) != 4 || len(ts) != 2 || ts.String(3) != "abc" || len(ts[1].Value) != 20 || !ts.Has(3) || ts.Has(1) {
		t.Fatalf("%+v", ts)
	}
	orig := TLVs{{Tag: 1, Value: []byte{1}}}
	if with := orig.WithDefault(2, 0); len(orig) != 1 || len(with) != 2 || !with.Has(2) {
		t.Fatalf("WithDefault %+v %+v", orig, with)
	}
	if same := orig.WithDefault(1, 9); same.Byte(1) != 1 {
		t.Fatal("WithDefault overwrote a set value")
	}
	ts.Del(9)
	ts.Del(3)
	if ts != nil {
		t.Fatalf("Del left %#v", ts)
	}
	e := testProto.Enc(nil, "tlv")
	e.TLVs(TLVs{{Tag: 2}, {Tag: 9, Value: []byte{3}}})
	got, err := ParseTLVs(e.B, false, "test")
	if err != nil || len(got) != 2 || got[0].Value != nil || got.Byte(9) != 3 {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range [][]byte{{0, 1, 0}, {0, 1, 0, 2, 7}} {
		if _, err := ParseTLVs(bad, false, "test"); !errors.Is(err, session.ErrMalformed) || !strings.HasPrefix(err.Error(), "test tlv: ") {
			t.Fatalf("% x: %v", bad, err)
		}
	}
}

func TestTLVTail(t *testing.T) {
	body := []byte{7, 0, 9, 0, 1, 3}
	d := testProto.RawDec(body, "submit")
	d.U8("fixed")
	if ts, err := d.TLVTail(true); err != nil || ts.Byte(9) != 3 {
		t.Fatalf("%+v %v", ts, err)
	}
	broken := []byte{7, 0, 9, 0}
	d = testProto.RawDec(broken, "submit")
	d.U8("fixed")
	if _, err := d.TLVTail(true); !errors.Is(err, session.ErrMalformed) {
		t.Fatalf("strict: %v", err)
	}
	d = testProto.RawDec(broken, "submit_resp")
	d.U8("fixed")
	if ts, err := d.TLVTail(false); ts != nil || err != nil {
		t.Fatalf("lenient: %+v %v", ts, err)
	}
}

func TestHeader(t *testing.T) {
	name := func(uint32) string { return "Submit" }
	for _, f := range []*Header{
		{Proto: "smgp", LengthName: "PacketLength", Command: name},
		{Proto: "cngp", Status: true, LengthName: "Total_Length", Command: name},
	} {
		h := session.Header{Length: uint32(f.Len()), Command: 2, Status: 7, Seq: session.Seq{N: 9}}
		b := f.Append(nil, h)
		if !f.Status {
			h.Status = 0
		}
		if got, err := f.Decode(b, 100); len(b) != f.Len() || err != nil || got != h {
			t.Fatalf("%s: % x → %+v %v", f.Proto, b, got, err)
		}
		b[3] = 200
		if _, err := f.Decode(b, 100); !errors.Is(err, session.ErrMalformed) ||
			!strings.HasPrefix(err.Error(), f.Proto+" header: "+f.LengthName+" 200 above 100 (Submit)") {
			t.Fatalf("%v", err)
		}
		if _, err := f.Decode(b[:5], 100); !errors.Is(err, session.ErrMalformed) {
			t.Fatalf("short: %v", err)
		}
	}
}
