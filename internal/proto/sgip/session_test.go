package sgip

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// MT: our SP binds to our SMG and submits a short message to several
// users and a 3-part Chinese UCS2 message with TP_udhi; the ids are the
// Submits' sequence numbers.
func TestSubmitShortAndLong(t *testing.T) {
	for _, v := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "linkid"}[v], func(t *testing.T) {
			t.Parallel()
			h := newTestSMG()
			_, addr := startSMG(t, h, nil)
			cfg := spConfig(addr)
			cfg.LinkIDVariant = v
			c := startClient(t, NewClient(cfg))
			waitReady(t, c)
			sc := recv(t, h.bound)
			if sc.LoginName() != testLogin || sc.LoginType() != LoginSPToSMG {
				t.Fatalf("bound as %q type %d", sc.LoginName(), sc.LoginType())
			}
			ctx := prototest.Ctx(t)

			short := &Submit{SPNumber: "10655012345", ChargeNumber: "000000000000000000000",
				UserNumber: []string{"8613012345678", "8613112345678"}, ServiceType: "NEWS", FeeType: 1,
				MorelatetoMTFlag: MTNotForMO, ReportFlag: ReportAlways, MessageCoding: CodingASCII,
				MessageContent: []byte("hello"), LinkID: "LNK1"}
			r, err := c.Submit(ctx, short)
			if err != nil || r.Result != 0 {
				t.Fatalf("short: %+v %v", r, err)
			}
			if r.Seq.Node != testNode || r.MsgID != FormatSeq(r.Seq) {
				t.Fatalf("id %q seq %+v", r.MsgID, r.Seq)
			}

			text := strings.Repeat("鸿雁传书，联通短信网关测试。", 10) // 140 characters → 3 parts
			parts, err := sms.Split(text, sms.UCS2, 0x2a)
			if err != nil || len(parts) != 3 {
				t.Fatalf("%d parts, %v", len(parts), err)
			}
			ids := map[string]bool{r.MsgID: true}
			for _, p := range parts {
				r, err := c.Submit(ctx, &Submit{SPNumber: "10655012345", UserNumber: []string{"8613012345678"},
					ReportFlag: ReportAlways, TPUDHI: 1, MessageCoding: sms.UCS2.FormatByte(), MessageContent: p.Content()})
				if err != nil || r.Result != 0 {
					t.Fatalf("part %d: %+v %v", p.Seq, r, err)
				}
				ids[r.MsgID] = true
			}
			if len(ids) != 4 {
				t.Fatalf("ids not distinct: %v", ids)
			}

			got := h.submitted()
			if len(got) != 4 {
				t.Fatalf("SMG saw %d submits", len(got))
			}
			// The SMG sees what was sent, CorpId filled from the node id,
			// and each Submit's sequence number is the id the client got.
			want := *short
			want.CorpID = "12345"
			want.Seq = got[0].Seq
			if !v {
				want.LinkID = "" // a standard session has no LinkID field
			}
			if !reflect.DeepEqual(got[0], &want) {
				t.Fatalf("SMG saw\n %+v\nwant\n %+v", got[0], &want)
			}
			if !ids[FormatSeq(got[0].Seq)] {
				t.Fatalf("SMG's seq %+v is not a returned id", got[0].Seq)
			}
			var whole []byte
			for i, s := range got[1:] {
				c, has, payload, err := sms.ParseUDH(s.MessageContent)
				if err != nil || !has || c.Total != 3 || c.Seq != i+1 || c.Ref != 0x2a || s.TPUDHI != 1 || s.MessageCoding != 8 {
					t.Fatalf("part %d at SMG: %+v %v udhi %d", i+1, c, err, s.TPUDHI)
				}
				if len(s.MessageContent) > 140 || !ids[FormatSeq(s.Seq)] {
					t.Fatalf("part %d: %d bytes, seq %+v", i+1, len(s.MessageContent), s.Seq)
				}
				whole = append(whole, payload...)
			}
			if s, err := sms.Decode(whole, sms.UCS2); err != nil || s != text {
				t.Fatalf("reassembled %q %v", s, err)
			}
		})
	}
}

// MO and reports: the SMG connects back to the SP's Receiver (LoginType 2)
// and delivers an MO, a report whose SubmitSequenceNumber maps to the MT's
// id, and a UserRpt; results travel back.
func TestSMGConnectsBackWithMOAndReport(t *testing.T) {
	for _, v := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "linkid"}[v], func(t *testing.T) {
			t.Parallel()
			smg := newTestSMG()
			_, smgAddr := startSMG(t, smg, nil)
			sp := startClient(t, NewClient(spConfig(smgAddr)))
			mt, err := sp.Submit(prototest.Ctx(t), &Submit{UserNumber: []string{"8613012345678"}, ReportFlag: ReportAlways, MessageContent: []byte("hi")})
			if err != nil || mt.Result != 0 {
				t.Fatalf("submit: %+v %v", mt, err)
			}

			rh := newTestSP()
			_, rcvAddr := startReceiver(t, rh, nil)
			cfg := smgConfig(rcvAddr)
			cfg.LinkIDVariant = v
			back := startClient(t, NewSMGClient(cfg))
			ctx := prototest.Ctx(t)

			mo := &Deliver{UserNumber: "8613012345678", SPNumber: "1065501234501", MessageCoding: CodingUCS2,
				MessageContent: ucs2("退订"), LinkID: "MOLINK01"}
			if r, err := back.Deliver(ctx, mo); err != nil || r.Result != 0 {
				t.Fatalf("deliver: %+v %v", r, err)
			}
			sc := recv(t, rh.bound)
			if sc.LoginType() != LoginSMGToSP || sc.LoginName() != smgLogin {
				t.Fatalf("receiver bound %q type %d", sc.LoginName(), sc.LoginType())
			}
			d := recv(t, rh.delivers)
			if !v {
				mo.LinkID = ""
			}
			if !reflect.DeepEqual(d, mo) {
				t.Fatalf("MO at SP: %+v, want %+v", d, mo)
			}

			// The SMG reports on the MT by the Submit's sequence number.
			seen := smg.submitted()[0].Seq
			rep := &Report{SubmitSeq: seen, UserNumber: "8613012345678", State: StateDelivered}
			if r, err := back.Report(ctx, rep); err != nil || r.Result != 0 {
				t.Fatalf("report: %+v %v", r, err)
			}
			got := recv(t, rh.reports)
			if got.MsgID() != mt.MsgID || !got.Delivered() || !reflect.DeepEqual(got, rep) {
				t.Fatalf("report at SP: %+v id %q, want id %q", got, got.MsgID(), mt.MsgID)
			}
			if seq, err := ParseSeq(mt.MsgID); err != nil || seq != got.SubmitSeq {
				t.Fatalf("ParseSeq(%q) = %+v %v", mt.MsgID, seq, err)
			}

			u := &UserRpt{SPNumber: "10655012345", UserNumber: "8613012345678", UserCondition: UserDeregistered}
			if r, err := back.UserRpt(ctx, u); err != nil || r.Result != 0 {
				t.Fatalf("userrpt: %+v %v", r, err)
			}
			if got := recv(t, rh.userRpts); !reflect.DeepEqual(got, u) {
				t.Fatalf("userrpt at SP: %+v", got)
			}

			// A handler that could not store the item says so; the SMG resends later.
			rh.result.Store(uint32(ResultSystemFailure))
			if r, err := back.Report(ctx, &Report{SubmitSeq: seen, State: StateFailed, ErrorCode: 29}); err != nil || r.Result != ResultSystemFailure {
				t.Fatalf("failing handler: %+v %v", r, err)
			}
			recv(t, rh.reports)

			// Close sends Unbind: the Receiver sees the SMG leave.
			if err := back.Close(prototest.Ctx(t)); err != nil {
				t.Fatal(err)
			}
			if recv(t, rh.unbound) != sc {
				t.Fatal("wrong connection unbound")
			}
		})
	}
}

// Refused binds: wrong password (1), source address (1), wrong LoginType
// (4); the client keeps its reason and never becomes ready, the server
// closes the connection and reports no session.
func TestBindRefused(t *testing.T) {
	allowOnly := func(ip string) func(string, string, net.Addr) bool {
		return func(n, p string, a net.Addr) bool {
			host, _, _ := net.SplitHostPort(a.String())
			return n == testLogin && p == testPassword && host == ip
		}
	}
	for _, tc := range []struct {
		name     string
		auth     func(string, string, net.Addr) bool
		password string
		login    uint8
		want     string
	}{
		{"wrong password", credentials(testLogin, testPassword), "nope", LoginSPToSMG, "result 1 (illegal login)"},
		{"source address", allowOnly("192.0.2.7"), testPassword, LoginSPToSMG, "result 1 (illegal login)"},
		{"login type 2 at the SMG", credentials(testLogin, testPassword), testPassword, LoginSMGToSP, "result 4 (wrong login type)"},
		{"login type 3 at the SMG", credentials(testLogin, testPassword), testPassword, LoginSMGToSMG, "result 4 (wrong login type)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestSMG()
			cfg := smgServerConfig(nil)
			cfg.Auth = tc.auth
			srv := NewSMGServer(cfg, h)
			addr := serve(t, srv)
			ccfg := spConfig(addr)
			ccfg.LoginPassword, ccfg.LoginType = tc.password, tc.login
			c := startClient(t, NewClient(ccfg))
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if err := c.WaitReady(ctx); !errors.Is(err, session.ErrNoSession) {
				t.Fatalf("WaitReady = %v", err)
			}
			if got := c.Stats().LastError; !strings.Contains(got, tc.want) {
				t.Fatalf("last error %q, want %q", got, tc.want)
			}
			if c.Stats().Connected != 0 || len(srv.Conns()) != 0 {
				t.Fatal("refused bind counted as a session")
			}
			if c.Available() {
				t.Fatal("a client backing off after a refused bind reports itself available")
			}
			select {
			case <-h.bound:
				t.Fatal("server reported a refused bind")
			default:
			}
		})
	}

	// The same address check passes when the address matches, and the
	// SP's Receiver refuses an SMG binding as an SP (LoginType 1).
	h := newTestSMG()
	cfg := smgServerConfig(nil)
	cfg.Auth = allowOnly("127.0.0.1")
	c := startClient(t, NewClient(spConfig(serve(t, NewSMGServer(cfg, h)))))
	waitReady(t, c)

	_, addr := startReceiver(t, newTestSP(), nil)
	p := dialRaw(t, addr)
	if r := p.bind(LoginSPToSMG, smgLogin, smgPassword); r != ResultBadLoginType {
		t.Fatalf("receiver answered LoginType 1 with %d", r)
	}
	p.expectClosed()
	p = dialRaw(t, addr)
	if r := p.bind(LoginSMGToSP, smgLogin, "wrong"); r != ResultIllegalLogin {
		t.Fatalf("receiver answered a wrong password with %d", r)
	}
	p.expectClosed()
}

// A second Bind on a bound connection gets Result 2 and the session stays.
func TestRepeatedBind(t *testing.T) {
	_, addr := startReceiver(t, newTestSP(), nil)
	p := dialRaw(t, addr)
	if r := p.bind(LoginSMGToSP, smgLogin, smgPassword); r != 0 {
		t.Fatalf("bind: %d", r)
	}
	if r := p.bind(LoginSMGToSP, smgLogin, smgPassword); r != ResultRepeatedLogin {
		t.Fatalf("second bind: %d", r)
	}
	p.send(p.nextSeq(), &Deliver{UserNumber: "8613012345678", MessageContent: []byte("x")})
	if _, pdu, err := p.read(); err != nil || pdu.(*DeliverResp).Result != 0 {
		t.Fatalf("after a second bind: %+v %v", pdu, err)
	}
}

// Idle close and reconnect on demand: after IdleClose without requests the
// client unbinds and holds no connection, stays available, and the next
// Submit binds again.
func TestIdleCloseAndReconnect(t *testing.T) {
	h := newTestSMG()
	_, addr := startSMG(t, h, nil)
	cfg := spConfig(addr)
	cfg.IdleClose = 150 * time.Millisecond
	c := startClient(t, NewClient(cfg))
	waitReady(t, c)
	first := recv(t, h.bound)
	if _, err := c.Submit(prototest.Ctx(t), &Submit{UserNumber: []string{"8613012345678"}}); err != nil {
		t.Fatal(err)
	}
	// The client unbinds: the SMG sees the session end.
	if recv(t, h.unbound) != first {
		t.Fatal("wrong session ended")
	}
	if !c.Parked() {
		t.Fatal("client not parked after idle close")
	}
	if st := c.Stats(); st.Connected != 0 || st.LastError != "" || st.Sent < 2 {
		t.Fatalf("parked stats %+v, want no session counted and no error", st)
	}
	if !c.Available() {
		t.Fatal("a parked client is not available: nothing would wake it")
	}
	r, err := c.Submit(prototest.Ctx(t), &Submit{UserNumber: []string{"8613012345678"}, MessageContent: []byte("again")})
	if err != nil || r.Result != 0 {
		t.Fatalf("submit after idle: %+v %v", r, err)
	}
	if second := recv(t, h.bound); second == first {
		t.Fatal("no new session")
	}
	if st := c.Stats(); st.Reconnects != 1 || st.Connected != 1 || c.Parked() || !c.Available() {
		t.Fatalf("stats after reconnect %+v", st)
	}
	if n := len(h.submitted()); n != 2 {
		t.Fatalf("SMG saw %d submits", n)
	}
}

// A Server closes a connection idle for Session.IdleHeartbeat (SGIP has no
// heartbeat), bound or not, with ErrIdle logged.
func TestServerIdleClose(t *testing.T) {
	var logs prototest.LogBuf
	cfg := receiverConfig(logs.Logger())
	cfg.Session.IdleHeartbeat = 100 * time.Millisecond
	h := newTestSP()
	addr := serve(t, NewReceiver(cfg, h))
	bound := dialRaw(t, addr)
	if r := bound.bind(LoginSMGToSP, smgLogin, smgPassword); r != 0 {
		t.Fatal(r)
	}
	silent := dialRaw(t, addr)
	bound.expectClosed()
	silent.expectClosed()
	recv(t, h.unbound)
	logs.WaitLog(t, "idle connection")
}

// Client.Close waits for in-flight Submits, then unbinds; later calls fail.
func TestCloseUnbinds(t *testing.T) {
	h := &slowSMG{testSMG: newTestSMG(), delay: 100 * time.Millisecond}
	_, addr := startSMG(t, h, nil)
	c := NewClient(spConfig(addr))
	c.Start(context.Background())
	waitReady(t, c)
	sc := recv(t, h.bound)
	done := make(chan error, 1)
	go func() {
		_, err := c.Submit(prototest.Ctx(t), &Submit{UserNumber: []string{"8613012345678"}})
		done <- err
	}()
	time.Sleep(20 * time.Millisecond) // the Submit is in flight
	if err := c.Close(prototest.Ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, done); err != nil {
		t.Fatalf("in-flight submit: %v", err)
	}
	if recv(t, h.unbound) != sc {
		t.Fatal("wrong session")
	}
	if _, err := c.Submit(prototest.Ctx(t), &Submit{UserNumber: []string{"1"}}); !errors.Is(err, session.ErrClosed) {
		t.Fatalf("submit after close: %v", err)
	}
	if c.Stats().Connected != 0 || c.Available() {
		t.Fatal("closed client reports a session or availability")
	}
}

type slowSMG struct {
	*testSMG
	delay time.Duration
}

func (h *slowSMG) Submit(ctx context.Context, sc *ServerConn, s *Submit) *SubmitResp {
	time.Sleep(h.delay)
	return h.testSMG.Submit(ctx, sc, s)
}

// Several connections and many concurrent Submits: every one answered,
// every id distinct although each connection numbers from the same counter.
func TestConcurrentSubmitsUniqueIDs(t *testing.T) {
	h := newTestSMG()
	_, addr := startSMG(t, h, nil)
	cfg := spConfig(addr)
	cfg.Conns = 3
	c := startClient(t, NewClient(cfg))
	for range 3 {
		recv(t, h.bound)
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids = map[string]bool{}
	)
	for i := range 300 {
		wg.Go(func() {
			r, err := c.Submit(prototest.Ctx(t), &Submit{UserNumber: []string{"8613012345678"}, MessageContent: []byte{byte(i)}})
			if err != nil || r.Result != 0 {
				t.Errorf("%+v %v", r, err)
				return
			}
			mu.Lock()
			ids[r.MsgID] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(ids) != 300 || len(h.submitted()) != 300 {
		t.Fatalf("%d ids, %d submits", len(ids), len(h.submitted()))
	}
	if st := c.Stats(); st.Connected != 3 || st.Window != 48 {
		t.Fatalf("stats %+v", st)
	}
}

// Trace on a test connection (LoginType 11): the SMG's TraceHandler answers;
// without one the answer has no nodes.
func TestTrace(t *testing.T) {
	h := &traceSMG{testSMG: newTestSMG()}
	_, addr := startSMG(t, h, nil)
	cfg := spConfig(addr)
	cfg.LoginType = LoginTraceTest
	c := startClient(t, NewClient(cfg))
	r, err := c.Trace(prototest.Ctx(t), &Trace{SubmitSeq: vector5Seq, UserNumber: "8613012345678"})
	if err != nil || len(r.Nodes) != 1 || r.Nodes[0].NodeID != "101001" {
		t.Fatalf("%+v %v", r, err)
	}
	if recv(t, h.bound).LoginType() != LoginTraceTest {
		t.Fatal("login type")
	}

	_, addr = startSMG(t, newTestSMG(), nil)
	c = startClient(t, NewClient(spConfig(addr)))
	if r, err := c.Trace(prototest.Ctx(t), &Trace{SubmitSeq: vector5Seq}); err != nil || len(r.Nodes) != 0 {
		t.Fatalf("no handler: %+v %v", r, err)
	}
}

type traceSMG struct{ *testSMG }

func (traceSMG) Trace(_ context.Context, _ *ServerConn, t *Trace) *TraceResp {
	return &TraceResp{Nodes: []TraceNode{{NodeID: "101001", ReceiveTime: "251120203225"}}}
}

// Spec §3.7.2: a resend (same sequence number, same body) is answered but
// not processed twice; the same number with a different body gets 9.
func TestDuplicateSequence(t *testing.T) {
	h := newTestSP()
	_, addr := startReceiver(t, h, nil)
	p := dialRaw(t, addr)
	if r := p.bind(LoginSMGToSP, smgLogin, smgPassword); r != 0 {
		t.Fatal(r)
	}
	seq := p.nextSeq()
	mo := &Deliver{UserNumber: "8613012345678", SPNumber: "10655", MessageContent: []byte("TD")}
	for i := range 2 {
		p.send(seq, mo)
		h2, pdu, err := p.read()
		if err != nil || h2.Seq != seq || pdu.(*DeliverResp).Result != 0 {
			t.Fatalf("copy %d: %+v %+v %v", i+1, h2, pdu, err)
		}
	}
	recv(t, h.delivers)
	select {
	case d := <-h.delivers:
		t.Fatalf("resend handled twice: %+v", d)
	case <-time.After(50 * time.Millisecond):
	}
	p.send(seq, &Deliver{UserNumber: "8613012345678", MessageContent: []byte("other")})
	if _, pdu, err := p.read(); err != nil || pdu.(*DeliverResp).Result != ResultBadSequence {
		t.Fatalf("reused number: %+v %v", pdu, err)
	}
	// A failed item is forgotten, so its retry is processed.
	h.result.Store(uint32(ResultSystemFailure))
	seq = p.nextSeq()
	p.send(seq, mo)
	if _, pdu, _ := p.read(); pdu.(*DeliverResp).Result != ResultSystemFailure {
		t.Fatal("failure not passed on")
	}
	recv(t, h.delivers)
	h.result.Store(0)
	p.send(seq, mo)
	if _, pdu, _ := p.read(); pdu.(*DeliverResp).Result != 0 {
		t.Fatal("retry after failure not processed")
	}
	recv(t, h.delivers)
}
