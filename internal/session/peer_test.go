package session

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// peerOpts chooses the faults a peer injects. The peer is written against
// the wire, not against the engine, so it can misbehave in any way.
type peerOpts struct {
	delay     time.Duration         // answer each request this late
	connDelay map[int]time.Duration // per accepted connection, overrides delay
	silent    bool                  // answer nothing, heartbeats and logins included
	noHB      bool                  // do not answer heartbeats
	reverse   int                   // hold answers until this many wait, then answer newest first
	dropAfter int                   // close a connection on receiving its dropAfter-th request
	// answer decides per arrival (nth = how often this seq arrived on this
	// connection); nil answers everything.
	answer func(cmd, seq uint32, nth int) bool
	// loginStatus is the status byte for the nth login overall (1-based).
	loginStatus func(n int) byte
	onAccept    func(pc *peerConn)
}

type peerReq struct {
	conn     int
	cmd, seq uint32
	body     []byte
	at       time.Time
}

type peer struct {
	t  testing.TB
	ln net.Listener
	o  peerOpts

	mu          sync.Mutex
	accepted    []time.Time
	conns       []*peerConn
	reqs        []peerReq
	seen        map[[2]uint32]int
	inflight    int
	maxInflight int
	logins      int
	hbs         int
	events      []string
	got         chan Frame // responses the engine sent to our own requests
	wg          sync.WaitGroup
}

type peerConn struct {
	p    *peer
	id   int
	nc   net.Conn
	wmu  sync.Mutex
	held []peerReq
	n    int
}

func newPeer(t testing.TB, o peerOpts) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{t: t, ln: ln, o: o, seen: map[[2]uint32]int{}, got: make(chan Frame, 256)}
	p.wg.Add(1)
	go p.acceptLoop()
	t.Cleanup(p.close)
	return p
}

func (p *peer) addr() string { return p.ln.Addr().String() }

func (p *peer) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for _, pc := range p.conns {
		_ = pc.nc.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *peer) acceptLoop() {
	defer p.wg.Done()
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		pc := &peerConn{p: p, id: len(p.conns), nc: nc}
		p.conns = append(p.conns, pc)
		p.accepted = append(p.accepted, time.Now())
		p.mu.Unlock()
		if p.o.onAccept != nil {
			p.o.onAccept(pc)
		}
		p.wg.Add(1)
		go pc.readLoop()
	}
}

func (pc *peerConn) write(b []byte) {
	pc.wmu.Lock()
	defer pc.wmu.Unlock()
	_, _ = pc.nc.Write(b)
}

func (pc *peerConn) readLoop() {
	p := pc.p
	defer p.wg.Done()
	defer pc.nc.Close()
	br := bufio.NewReader(pc.nc)
	hdr := make([]byte, testHdr)
	for {
		if _, err := io.ReadFull(br, hdr); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(hdr)
		cmd := binary.BigEndian.Uint32(hdr[4:])
		seq := binary.BigEndian.Uint32(hdr[8:])
		if n < testHdr || n > testMax {
			p.t.Errorf("peer: engine sent length %d", n)
			return
		}
		body := make([]byte, n-testHdr)
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		if cmd&respBit != 0 {
			p.got <- Frame{Header: Header{Length: n, Command: cmd, Seq: Seq{N: seq}}, Body: body}
			continue
		}
		r := peerReq{conn: pc.id, cmd: cmd, seq: seq, body: body, at: time.Now()}
		if !pc.onRequest(r) {
			return
		}
	}
}

// onRequest records r and answers it per the options; false drops the link.
func (pc *peerConn) onRequest(r peerReq) bool {
	p := pc.p
	p.mu.Lock()
	p.reqs = append(p.reqs, r)
	p.events = append(p.events, fmt.Sprintf("req %d", r.cmd))
	key := [2]uint32{uint32(pc.id), r.seq}
	p.seen[key]++
	nth := p.seen[key]
	switch r.cmd {
	case cmdHB:
		p.hbs++
	case cmdLogin:
		p.logins++
	}
	nLogin := p.logins
	isWindowed := r.cmd != cmdHB
	if isWindowed {
		pc.n++
	}
	drop := p.o.dropAfter > 0 && pc.n >= p.o.dropAfter
	p.mu.Unlock()

	if drop {
		return false
	}
	if p.o.silent || (r.cmd == cmdHB && p.o.noHB) {
		return true
	}
	if r.cmd == cmdHB {
		pc.write(rawFrame(cmdHB|respBit, r.seq, []byte{0}))
		return true
	}
	if p.o.answer != nil && !p.o.answer(r.cmd, r.seq, nth) {
		return true
	}
	body := r.body
	if r.cmd == cmdLogin {
		st := byte(0)
		if p.o.loginStatus != nil {
			st = p.o.loginStatus(nLogin)
		}
		body = []byte{st}
	}
	resp := peerReq{conn: r.conn, cmd: r.cmd | respBit, seq: r.seq, body: body}
	p.mu.Lock()
	p.inflight++
	p.maxInflight = max(p.maxInflight, p.inflight)
	if p.o.reverse > 0 {
		pc.held = append(pc.held, resp)
		var batch []peerReq
		if len(pc.held) >= p.o.reverse {
			batch = pc.held
			pc.held = nil
			slices.Reverse(batch)
		}
		p.mu.Unlock()
		for _, b := range batch {
			pc.respond(b)
		}
		return true
	}
	p.mu.Unlock()
	delay := p.o.delay
	if d, ok := p.o.connDelay[pc.id]; ok {
		delay = d
	}
	if delay > 0 {
		time.AfterFunc(delay, func() { pc.respond(resp) })
	} else {
		pc.respond(resp)
	}
	return true
}

func (pc *peerConn) respond(r peerReq) {
	p := pc.p
	p.mu.Lock()
	p.inflight--
	p.events = append(p.events, fmt.Sprintf("resp %d", r.cmd&^respBit))
	p.mu.Unlock()
	pc.write(rawFrame(r.cmd, r.seq, r.body))
}

// requests returns the requests received so far with command cmd.
func (p *peer) requests(cmd uint32) []peerReq {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []peerReq
	for _, r := range p.reqs {
		if r.cmd == cmd {
			out = append(out, r)
		}
	}
	return out
}

func (p *peer) conn(i int) *peerConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i >= len(p.conns) {
		return nil
	}
	return p.conns[i]
}

func (p *peer) acceptCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.accepted)
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// dialConn opens an engine Conn to addr with the test protocol.
func dialConn(t testing.TB, addr string, cfg Config, h Handler) *Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nc, testProto{}, cfg, h, quietLog(t))
	c.Start(t.Context())
	t.Cleanup(func() { c.abort(errors.New("test over")) })
	return c
}
