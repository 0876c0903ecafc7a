package session

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

const readBufSize = 32 << 10

// frameReader reads whole PDUs: the header into a reused buffer, the body
// into a fresh slice that then belongs to whoever gets the Frame.
type frameReader struct {
	br  *bufio.Reader
	p   Protocol
	hdr []byte
	max int
}

func newFrameReader(r io.Reader, p Protocol) *frameReader {
	return &frameReader{
		br:  bufio.NewReaderSize(r, readBufSize),
		p:   p,
		hdr: make([]byte, p.HeaderLen()),
		max: p.MaxPDU(),
	}
}

// next returns the next frame. Framing violations wrap ErrMalformed; the
// length is checked here too so that a lax DecodeHeader cannot make us
// allocate what a peer asks for.
func (r *frameReader) next() (Frame, error) {
	if _, err := io.ReadFull(r.br, r.hdr); err != nil {
		return Frame{}, err
	}
	h, err := r.p.DecodeHeader(r.hdr)
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			err = fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		return Frame{}, fmt.Errorf("header % x: %w", r.hdr, err)
	}
	if int64(h.Length) < int64(len(r.hdr)) || int64(h.Length) > int64(r.max) {
		return Frame{}, fmt.Errorf("%w: length %d outside [%d, %d]", ErrMalformed, h.Length, len(r.hdr), r.max)
	}
	f := Frame{Header: h}
	if n := int(h.Length) - len(r.hdr); n > 0 {
		f.Body = make([]byte, n)
		if _, err := io.ReadFull(r.br, f.Body); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return Frame{}, fmt.Errorf("body of %#x: %w", h.Command, err)
		}
	}
	return f, nil
}

// readLoop reads frames until the connection fails; stop releases the Start
// context's hook.
func (c *Conn) readLoop(stop func() bool) {
	defer stop()
	defer func() {
		// A Protocol method choking on a peer's bytes is that peer's
		// problem: close its connection, keep the process.
		if r := recover(); r != nil {
			c.abort(fmt.Errorf("%w: protocol panicked reading a frame: %v", ErrMalformed, r))
		}
	}()
	fr := newFrameReader(c.nc, c.p)
	for {
		f, err := fr.next()
		if err != nil {
			c.abort(readError(err))
			return
		}
		c.lastRecv.Store(c.since())
		if c.p.IsResponse(f.Command) {
			c.deliver(f)
			continue
		}
		if cmd, body, ok := c.p.HeartbeatReply(f); ok {
			if err := c.Reply(f, cmd, 0, body); err != nil {
				return
			}
			continue
		}
		if !c.dispatch(f) {
			return
		}
	}
}

// deliver hands a response to the Call waiting for its Seq.
func (c *Conn) deliver(f Frame) {
	c.mu.Lock()
	pc, ok := c.pending[f.Seq]
	if ok {
		delete(c.pending, f.Seq)
	}
	c.mu.Unlock()
	switch {
	case !ok:
		c.log.Warn("response with unknown sequence dropped", "cmd", f.Command, "seq", f.Seq)
	case pc == hbCall:
	default:
		pc.ch <- f // cap 1 and one send per registration: never blocks
	}
}

func readError(err error) error {
	switch {
	case errors.Is(err, ErrMalformed):
		return err
	case errors.Is(err, io.EOF):
		return fmt.Errorf("peer closed the connection: %w", err)
	default:
		return fmt.Errorf("read: %w", err)
	}
}
