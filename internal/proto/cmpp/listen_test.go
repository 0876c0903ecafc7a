package cmpp

import (
	"net"
	"testing"

	"hongyan/internal/proto/prototest"
)

// rawISMG accepts connections, logs each in with the right secret (answer
// in layout v) and then hands the connection to script.
func rawISMG(t *testing.T, ln net.Listener, v Version, script func(p *rawPeer)) {
	prototest.Accept(ln, func(nc net.Conn) {
		p := newRawPeer(t, nc, v)
		if req := p.acceptConnect(testSecret, v); req != nil {
			script(p)
		}
	})
}

// acceptConnect reads a CONNECT and answers it with status 0 and an
// AuthenticatorISMG computed from secret in layout v; it returns the
// CONNECT, or nil when the first PDU was something else or the answer did
// not go out.
func (p *rawPeer) acceptConnect(secret string, v Version) *Connect {
	h, pdu, err := p.Read()
	if err != nil {
		return nil
	}
	req, ok := pdu.(*Connect)
	if !ok {
		return nil
	}
	resp := &ConnectResp{Version: V30, AuthenticatorISMG: AuthISMG(0, req.AuthenticatorSource, secret, v)}
	b, _ := AppendPDU(nil, h.Seq.N, resp, v)
	if _, err := p.NC.Write(b); err != nil {
		return nil
	}
	return req
}

// fakeISMG accepts one login per connection, answers status 0 with an
// AuthenticatorISMG computed from the wrong secret, then idles.
func fakeISMG(t *testing.T, ln net.Listener, secret string) {
	prototest.Accept(ln, func(nc net.Conn) {
		p := newRawPeer(t, nc, V30)
		if p.acceptConnect(secret, V30) != nil {
			_, _, _ = p.Read()
		}
	})
}
