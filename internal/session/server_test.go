package session

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// echoHandler answers every request with its own body; logins get status 0
// and mark the connection as logged in.
func echoHandler(_ context.Context, c *Conn, f Frame) {
	body := f.Body
	if f.Command == cmdLogin {
		c.SetValue("logged-in")
		body = []byte{0}
	}
	_ = c.Reply(f, f.Command|respBit, 0, body)
}

func startServer(t *testing.T, cfg Config, onConn func(*Conn) Handler) (*Server, string, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(testProto{}, cfg, onConn, quietLog(t))
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s, ln.Addr().String(), served
}

// rawCall writes one request on a bare socket and reads one frame back.
func rawCall(nc net.Conn, br *bufio.Reader, seq uint32) (uint32, error) {
	if _, err := nc.Write(rawFrame(cmdSubmit, seq, []byte("hi"))); err != nil {
		return 0, err
	}
	_ = nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	hdr := make([]byte, testHdr+2)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return 0, err
	}
	f, err := testProto{}.DecodeHeader(hdr)
	return f.Seq.N, err
}

func TestServerMalformedClosesOnlyThatConn(t *testing.T) {
	log, lb := captureLog()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(testProto{}, Config{}, func(*Conn) Handler { return echoHandler }, log)
	go func() { _ = s.Serve(ln) }()
	defer s.Close(context.Background())

	dial := func() (net.Conn, *bufio.Reader) {
		nc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		return nc, bufio.NewReader(nc)
	}
	bad, badR := dial()
	good, goodR := dial()
	for i, c := range []struct {
		nc net.Conn
		br *bufio.Reader
	}{{bad, badR}, {good, goodR}} {
		if seq, err := rawCall(c.nc, c.br, uint32(i+1)); err != nil || seq != uint32(i+1) {
			t.Fatalf("conn %d: seq %d err %v", i, seq, err)
		}
	}
	waitFor(t, time.Second, "2 server conns", func() bool { return len(s.Conns()) == 2 })

	if _, err := bad.Write([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 9}); err != nil {
		t.Fatal(err)
	}
	_ = bad.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := badR.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("malformed conn not closed by the server: %v", err)
	}
	if seq, err := rawCall(good, goodR, 42); err != nil || seq != 42 {
		t.Fatalf("the other conn suffered: seq %d err %v", seq, err)
	}
	waitFor(t, time.Second, "1 server conn", func() bool { return len(s.Conns()) == 1 })
	if !lb.contains("malformed") {
		t.Fatalf("no reason logged: %s", lb)
	}
}

func TestServerAndClientEngineToEngine(t *testing.T) {
	var logins atomic.Int32
	s, addr, served := startServer(t, Config{}, func(c *Conn) Handler {
		return func(ctx context.Context, c *Conn, f Frame) {
			if f.Command == cmdLogin {
				logins.Add(1)
			}
			echoHandler(ctx, c, f)
		}
	})
	var delivered atomic.Int32
	clientHandler := func(_ context.Context, c *Conn, f Frame) {
		delivered.Add(1)
		_ = c.Reply(f, f.Command|respBit, 0, []byte{0})
	}
	cl := startClient(t, ClientConfig{Addr: addr, Conns: 2, Login: testLogin, Logout: testLogout}, clientHandler)
	waitFor(t, 2*time.Second, "2 ready", func() bool { return cl.Stats().Connected == 2 })
	noErrors(t, callMany(t, cl.Call, 50))

	conns := s.Conns()
	if len(conns) != 2 || logins.Load() != 2 {
		t.Fatalf("server has %d conns, %d logins", len(conns), logins.Load())
	}
	for _, c := range conns {
		if c.Value() != "logged-in" {
			t.Fatalf("per-connection value %v", c.Value())
		}
		// Server pushes a DELIVER-like request to the client.
		if _, err := c.Call(t.Context(), 5, []byte("mo")); err != nil {
			t.Fatal(err)
		}
	}
	if delivered.Load() != 2 {
		t.Fatalf("client handler saw %d delivers", delivered.Load())
	}
	closeClient(t, cl)
	waitFor(t, time.Second, "server conns gone", func() bool { return len(s.Conns()) == 0 })
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve after Close = %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Serve did not return after Close")
	}
}

func TestServerCloseIsGraceful(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{}, 1)
	s, addr, _ := startServer(t, Config{}, func(*Conn) Handler {
		return func(ctx context.Context, c *Conn, f Frame) {
			started <- struct{}{}
			<-release
			echoHandler(ctx, c, f)
		}
	})
	cl := startClient(t, ClientConfig{Addr: addr}, nil)
	res := make(chan error, 1)
	go func() {
		_, err := cl.Call(t.Context(), cmdSubmit, nil)
		res <- err
	}()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- s.Close(t.Context()) }()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-closed:
		t.Fatalf("Server.Close returned while a handler ran: %v", err)
	default:
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := <-res; err != nil {
		t.Fatalf("request being handled during Close: %v", err)
	}
}
