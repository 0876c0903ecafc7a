package wire

import (
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// Header is the fixed big-endian header of CMPP, SMGP and CNGP: length,
// command id, a Command_Status in CNGP only, and sequence number, four
// bytes each.
type Header struct {
	Proto      string              // "cmpp": the first word of errors
	Status     bool                // a Command_Status follows the command id (CNGP)
	LengthName string              // the length field's name in errors: "Total_Length", "PacketLength"
	Command    func(uint32) string // command names for errors
}

// Len is the header's size: 12 bytes, 16 with a status.
func (f *Header) Len() int {
	if f.Status {
		return 16
	}
	return 12
}

// Decode parses a header and rejects impossible lengths (below the
// header, above max) so the engine never allocates a body from a hostile
// length field.
func (f *Header) Decode(b []byte, max int) (session.Header, error) {
	n := f.Len()
	if len(b) < n {
		return session.Header{}, fmt.Errorf("%s header: %d bytes, want %d: %w", f.Proto, len(b), n, session.ErrMalformed)
	}
	h := session.Header{
		Length:  binary.BigEndian.Uint32(b[0:4]),
		Command: binary.BigEndian.Uint32(b[4:8]),
		Seq:     session.Seq{N: binary.BigEndian.Uint32(b[n-4 : n])},
	}
	if f.Status {
		h.Status = binary.BigEndian.Uint32(b[8:12])
	}
	if h.Length < uint32(n) {
		return h, fmt.Errorf("%s header: %s %d below %d: %w", f.Proto, f.LengthName, h.Length, n, session.ErrMalformed)
	}
	if h.Length > uint32(max) {
		return h, fmt.Errorf("%s header: %s %d above %d (%s): %w", f.Proto, f.LengthName, h.Length, max, f.Command(h.Command), session.ErrMalformed)
	}
	return h, nil
}

// Append appends h; h.Status only when the header has one.
func (f *Header) Append(dst []byte, h session.Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = binary.BigEndian.AppendUint32(dst, h.Command)
	if f.Status {
		dst = binary.BigEndian.AppendUint32(dst, h.Status)
	}
	return binary.BigEndian.AppendUint32(dst, h.Seq.N)
}

// Marshaler encodes a body in layout V.
type Marshaler[V any] interface {
	CommandID() uint32
	Marshal(dst []byte, v V) ([]byte, error)
}

// AppendPDU appends a whole PDU, header and p's body in layout v, to dst;
// status goes in the header when it has one. On error dst comes back as it
// was.
func AppendPDU[V any](f *Header, dst []byte, seq, status uint32, p Marshaler[V], v V) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, f.Len())...)
	dst, err := p.Marshal(dst, v)
	if err != nil {
		return dst[:start], err
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	binary.BigEndian.PutUint32(dst[start+4:], p.CommandID())
	if f.Status {
		binary.BigEndian.PutUint32(dst[start+8:], status)
	}
	binary.BigEndian.PutUint32(dst[start+f.Len()-4:], seq)
	return dst, nil
}

// DecodePDU parses one whole PDU from b (exactly the header's length):
// newPDU makes the body for a command id (nil when not modelled) and
// unmarshal decodes it from the bytes after the header.
func DecodePDU[P any](f *Header, b []byte, max int, newPDU func(cmd uint32) P, unmarshal func(h session.Header, p P, body []byte) error) (session.Header, P, error) {
	var none P
	h, err := f.Decode(b, max)
	if err != nil {
		return h, none, err
	}
	if int(h.Length) != len(b) {
		return h, none, fmt.Errorf("%s: %s %d but %d bytes: %w", f.Proto, f.LengthName, h.Length, len(b), session.ErrMalformed)
	}
	p := newPDU(h.Command)
	if any(p) == nil {
		return h, none, fmt.Errorf("%s: unsupported command %s: %w", f.Proto, f.Command(h.Command), session.ErrMalformed)
	}
	if err := unmarshal(h, p, b[f.Len():]); err != nil {
		return h, none, err
	}
	return h, p, nil
}
