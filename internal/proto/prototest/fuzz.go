package prototest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"hongyan/internal/session"
)

// Refused is the fuzz check of a decoder's error: nil means decoded
// (false); any other error must wrap session.ErrMalformed, and Refused
// reports true. what, when not empty, names the layout tried.
func Refused(t *testing.T, err error, what string) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if !errors.Is(err, session.ErrMalformed) {
		if what != "" {
			t.Fatalf("%s: error %v does not wrap ErrMalformed", what, err)
		}
		t.Fatalf("error %v does not wrap ErrMalformed", err)
	}
	return true
}

// CheckHeader is the fuzz check of a protocol's framing on b: DecodeHeader
// never panics, refuses with an error wrapping session.ErrMalformed, or
// accepts a length between the header's and MaxPDU which, when roundTrip,
// AppendHeader writes back byte for byte.
func CheckHeader(t *testing.T, p session.Protocol, b []byte, roundTrip bool) {
	t.Helper()
	h, err := p.DecodeHeader(b)
	if Refused(t, err, "") {
		return
	}
	if int(h.Length) < p.HeaderLen() || int(h.Length) > p.MaxPDU() {
		t.Fatalf("accepted length %d", h.Length)
	}
	if got := p.AppendHeader(nil, h); roundTrip && !bytes.Equal(got, b[:p.HeaderLen()]) {
		t.Fatalf("header round trip %x → %x", b[:p.HeaderLen()], got)
	}
}

// Body is a PDU body in layouts V, as the fuzz round trip sees it.
type Body[V any] interface {
	Marshal(dst []byte, v V) ([]byte, error)
	Unmarshal(b []byte, v V) error
}

// RoundTrip is the fuzz check of a protocol's body decoders: in each of
// Versions a body either is refused (Refusal) or decodes to an x that our
// encoder writes back and decodes again to the same value.
type RoundTrip[V fmt.Stringer, P Body[V]] struct {
	Versions []V
	// Fits reports whether a body of n bytes passes framing in v; bodies
	// that do not never reach a decoder. nil: all do.
	Fits func(n int, v V) bool
	// Refusal checks a decoder's error: nil when it is a proper refusal.
	// nil: it must wrap session.ErrMalformed (Refused).
	Refusal func(err error) error
	// Normalize drops from x what is understood when received but never
	// sent in v. Optional.
	Normalize func(x P, v V)
	// Layout is the layout x, decoded from b in v, is re-encoded in (a
	// response read in the layout its length says). nil: v.
	Layout func(x P, b []byte, v V) V
	// MayFail reports a re-encode error as legitimate: decoders accept
	// more than encoders send. nil: none is.
	MayFail func(x P, v V, err error) bool
	// Reparse reports that x is canonicalised by one more decode (a
	// tolerant report parse) before the round trip must be exact. Optional.
	Reparse func(x P) bool
}

// Check runs the round trip of b through the decoder newPDU makes.
func (r *RoundTrip[V, P]) Check(t *testing.T, b []byte, newPDU func() P) {
	t.Helper()
	for _, v := range r.Versions {
		x := newPDU()
		if err := x.Unmarshal(b, v); err != nil {
			if r.Refusal == nil {
				Refused(t, err, v.String())
			} else if rerr := r.Refusal(err); rerr != nil {
				t.Fatalf("%s: %v", v, rerr)
			}
			continue
		}
		if r.Fits != nil && !r.Fits(len(b), v) {
			continue // framing refuses such a body before it reaches a decoder
		}
		if r.Normalize != nil {
			r.Normalize(x, v)
		}
		ev := v
		if r.Layout != nil {
			ev = r.Layout(x, b, v)
		}
		enc, err := x.Marshal(nil, ev)
		if err != nil {
			if r.MayFail != nil && r.MayFail(x, v, err) {
				continue
			}
			t.Fatalf("%s: re-encode of %+v: %v", v, x, err)
		}
		y := newPDU()
		if err := y.Unmarshal(enc, ev); err != nil {
			t.Fatalf("%s: decode of own encoding %x: %v", v, enc, err)
		}
		if r.Reparse != nil && r.Reparse(x) {
			x, y = y, newPDU()
			enc, _ = x.Marshal(nil, ev)
			if err := y.Unmarshal(enc, ev); err != nil {
				t.Fatalf("%s: second round: %v", v, err)
			}
		}
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("%s: round trip\n  x %+v\n  y %+v", v, x, y)
		}
	}
}

// Seed adds the encodings of ps in every version to f's corpus.
func (r *RoundTrip[V, P]) Seed(f *testing.F, ps ...P) {
	for _, p := range ps {
		for _, v := range r.Versions {
			if b, err := p.Marshal(nil, v); err == nil {
				f.Add(b)
			}
		}
	}
}
