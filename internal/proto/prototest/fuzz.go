package prototest

import (
	"bytes"
	"errors"
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
