package cmpp

import (
	"net"
	"testing"
)

func listen(t *testing.T) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().String()
}

// rawISMG accepts connections, logs each in with the right secret (answer
// in layout v) and then hands the connection to script.
func rawISMG(t *testing.T, ln net.Listener, v Version, script func(p *rawPeer)) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			p := &rawPeer{t: t, nc: nc, v: v}
			h, pdu, err := p.read()
			if err != nil {
				return
			}
			req, ok := pdu.(*Connect)
			if !ok {
				return
			}
			resp := &ConnectResp{Version: V30, AuthenticatorISMG: AuthISMG(0, req.AuthenticatorSource, testSecret, v)}
			b, _ := AppendPDU(nil, h.Seq.N, resp, v)
			if _, err := nc.Write(b); err != nil {
				return
			}
			script(p)
		}()
	}
}

// fakeISMG accepts one login per connection, answers status 0 with an
// AuthenticatorISMG computed from the wrong secret, then idles.
func fakeISMG(t *testing.T, ln net.Listener, secret string) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			p := &rawPeer{t: t, nc: nc, v: V30}
			h, pdu, err := p.read()
			if err != nil {
				return
			}
			req, ok := pdu.(*Connect)
			if !ok {
				return
			}
			resp := &ConnectResp{Version: V30, AuthenticatorISMG: AuthISMG(0, req.AuthenticatorSource, secret, V30)}
			b, _ := AppendPDU(nil, h.Seq.N, resp, V30)
			_, _ = nc.Write(b)
			_, _, _ = p.read()
		}()
	}
}
