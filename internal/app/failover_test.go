package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/sim"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// killable is a simulator that can crash and come back on its address.
type killable interface {
	Kill()
	Restart() error
}

// subCounter counts, per destination number, the submits a simulator
// received (answered or not).
type subCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func countSubmits(s Simulator) *subCounter {
	c := &subCounter{n: map[string]int{}}
	s.OnSubmit(func(dest string, _ []byte) { c.add(dest) })
	return c
}

func (c *subCounter) add(dest string) int {
	if n, err := sms.NormalizeNumber(dest); err == nil {
		dest = n
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[dest]++
	total := 0
	for _, v := range c.n {
		total += v
	}
	return total
}

func (c *subCounter) get(dest string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[dest]
}

func (c *subCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, v := range c.n {
		t += v
	}
	return t
}

// batchMessages reads a batch's messages from the store.
func batchMessages(t *testing.T, sb *Sandbox, batchID string, n int) []*store.Message {
	t.Helper()
	id, err := strconv.ParseInt(batchID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sb.Store.BatchMessages(context.Background(), sb.Account.ID, id, n+1)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func numbers(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%08d", prefix, from+i)
	}
	return out
}

// sendBatch sends content to nums as one request ("" = default business).
func sendBatch(t *testing.T, sb *Sandbox, nums []string, content, business string) string {
	t.Helper()
	body := `{"to":["` + strings.Join(nums, `","`) + `"],"content":"` + content + `"`
	if business != "" {
		body += `,"business":"` + business + `"`
	}
	res := send(t, sb, body+"}")
	return res["batch_id"].(string)
}

// Failover end to end. China Mobile has two CMPP 3.0 gateways of equal
// priority and weight, each with its own simulated ISMG. In the middle of a
// batch of 600 messages to 600 numbers one ISMG crashes: listener and
// connections gone at once, submits it is handling never answered, and it
// stays down. Every simulator counts the submits it received per number,
// so a number's count is its message's count of submits.
//
// Asserted while it is down: every message ends delivered through the
// other gateway, except those the dead ISMG had acknowledged before the
// crash, which wait for their reports (the ISMG keeps them). Nothing is
// stuck elsewhere.
//
// Asserted once it is back on the same address: those reports arrive and
// every message is delivered (lost = 0). A message reached the operators
// twice only if it was in doubt at the crash — the dead ISMG received it
// and the platform never got its answer, so it was retried ("no answer
// from cmcc-cmpp-1") and delivered by the other; never three times, and at
// most window × conns of the dead gateway. Every other message reached
// exactly one ISMG once.
//
// Fail-back: new traffic is shared by both gateways again.
func TestFailoverWhenAGatewayDiesAndFailBack(t *testing.T) {
	const (
		n      = 600
		window = 16
		conns  = 1
		killAt = 120 // submits the doomed ISMG has received
		dead   = "cmcc-cmpp-1"
		alive  = "cmcc-cmpp-2"
	)
	sb := testSandbox(t, SandboxOptions{PerOperator: 2, TPS: 500, Window: window, GatewayConns: conns,
		Sim: sim.Config{Latency: 3 * time.Millisecond},
		Gateway: func(g *gateway.Config) {
			if g.Operator == gateway.CMCC {
				g.Priority, g.Weight = 0, 1
			}
		}})
	doomed := sb.Sims[dead]
	k, ok := doomed.(killable)
	if !ok {
		t.Fatalf("%T cannot be killed", doomed)
	}
	var killed atomic.Bool
	killDone := make(chan struct{})
	subsDead := &subCounter{n: map[string]int{}}
	doomed.OnSubmit(func(dest string, _ []byte) {
		if subsDead.add(dest) == killAt && killed.CompareAndSwap(false, true) {
			go func() { k.Kill(); close(killDone) }()
		}
	})
	subsAlive := countSubmits(sb.Sims[alive])

	t0 := time.Now()
	phase := func(what string) { t.Logf("%6.2fs %s", time.Since(t0).Seconds(), what) }
	nums := numbers("138", 0, n)
	bid := sendBatch(t, sb, nums, "网关故障切换测试", "")
	select {
	case <-killDone:
	case <-time.After(10 * time.Second):
		t.Fatalf("the doomed ISMG received only %d submits", subsDead.total())
	}
	killedAfter := subsDead.total()
	phase("killed")
	waitFor(t, 10*time.Second, dead+" unavailable", func() bool { return !sb.Pool.Get(dead).Healthy() })

	// While it is down: delivered through the live gateway, or waiting for
	// a report from the dead one.
	var ms []*store.Message
	waitFor(t, 15*time.Second, "every message delivered or waiting for the dead ISMG's report", func() bool {
		ms = batchMessages(t, sb, bid, n)
		for _, m := range ms {
			if m.State != store.Delivered && !(m.State == store.Submitted && m.Gateway == dead) {
				return false
			}
		}
		return len(ms) == n
	})
	waiting := 0
	for _, m := range ms {
		if m.State == store.Delivered && m.Gateway == dead {
			// Its report came before the crash.
			continue
		}
		if m.State == store.Submitted {
			waiting++
			continue
		}
		if m.Gateway != alive {
			t.Errorf("message to %s delivered through %s while %s was down", m.To, m.Gateway, dead)
		}
	}

	phase("all through the live one")
	// Back on the same address: the reports it kept arrive.
	if err := k.Restart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "every message delivered", func() bool {
		ms = batchMessages(t, sb, bid, n)
		for _, m := range ms {
			if m.State != store.Delivered {
				return false
			}
		}
		return len(ms) == n
	})

	phase("all delivered")
	doubled, inDoubt := 0, 0
	for _, m := range ms {
		a, b := subsDead.get(m.To), subsAlive.get(m.To)
		evs, err := sb.Store.Events(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		noAnswer := false
		for _, e := range evs {
			noAnswer = noAnswer || e.Kind == "retry" && strings.Contains(e.Detail, "no answer from "+dead)
		}
		if a > 0 && noAnswer {
			inDoubt++
		}
		switch {
		case a+b == 0:
			t.Errorf("message to %s delivered but no ISMG received it", m.To)
		case a+b == 1:
			if want := map[bool]string{true: dead, false: alive}[a == 1]; m.Gateway != want {
				t.Errorf("message to %s received by %s only but delivered through %s", m.To, want, m.Gateway)
			}
		case a == 1 && b == 1:
			doubled++
			// In doubt at the crash: the dead ISMG had it, we had no answer.
			if !noAnswer || m.Gateway != alive || m.Attempts != 2 {
				t.Errorf("message to %s reached both ISMGs but was not in doubt: gateway %s, attempts %d, timeline %+v",
					m.To, m.Gateway, m.Attempts, evs)
			}
		default:
			t.Errorf("message to %s reached the ISMGs %d+%d times", m.To, a, b)
		}
	}
	if doubled != inDoubt {
		t.Errorf("%d messages reached both ISMGs, %d were in doubt at the crash: every in-doubt one is resent, nothing else", doubled, inDoubt)
	}
	if doubled > window*conns {
		t.Errorf("%d messages reached both ISMGs, more than the dead gateway's window × conns = %d", doubled, window*conns)
	}
	t.Logf("killed after %d submits; %d waited for the dead ISMG's reports; %d in doubt, all resent once", killedAfter, waiting, doubled)

	// Fail-back: with weights equal, new traffic uses both again.
	waitFor(t, 15*time.Second, dead+" healthy again", func() bool { return sb.Pool.Get(dead).Healthy() })
	phase("healthy again")
	beforeDead, beforeAlive := subsDead.total(), subsAlive.total()
	const m2 = 200
	bid2 := sendBatch(t, sb, numbers("139", 0, m2), "恢复后分担", "")
	waitFor(t, 15*time.Second, "second batch delivered", func() bool {
		ms := batchMessages(t, sb, bid2, m2)
		for _, m := range ms {
			if m.State != store.Delivered {
				return false
			}
		}
		return len(ms) == m2
	})
	phase("second batch")
	gotDead, gotAlive := subsDead.total()-beforeDead, subsAlive.total()-beforeAlive
	if gotDead+gotAlive != m2 || gotDead < m2/3 || gotAlive < m2/3 {
		t.Fatalf("after fail-back %s received %d and %s %d of %d submits, want an even share", dead, gotDead, alive, gotAlive, m2)
	}
	if sb.Pool.Get(dead).Demoted() {
		t.Fatalf("%s still demoted after carrying traffic", dead)
	}
}
