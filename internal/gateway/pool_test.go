package gateway

import (
	"context"
	"testing"

	"hongyan/internal/session"
)

type fakeDriver struct{ up bool }

func (f *fakeDriver) Start(context.Context)                           {}
func (f *fakeDriver) Submit(context.Context, *Submit) (Result, error) { return Result{OK: true}, nil }
func (f *fakeDriver) Close(context.Context) error                     { return nil }
func (f *fakeDriver) Stats() session.Stats {
	if f.up {
		return session.Stats{Connected: 1}
	}
	return session.Stats{}
}

func gw(name, op string, prio, weight int, up bool) *Gateway {
	return &Gateway{Config: Config{Name: name, Operator: op, Priority: prio, Weight: weight}, Driver: &fakeDriver{up: up}}
}

func TestPoolWeightsFailoverAndFailback(t *testing.T) {
	a := gw("a", CMCC, 0, 3, true)
	b := gw("b", CMCC, 0, 1, true)
	c := gw("c", CMCC, 1, 1, true)
	p, err := NewPool([]*Gateway{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for i := 0; i < 400; i++ {
		g, err := p.Pick(CMCC)
		if err != nil {
			t.Fatal(err)
		}
		count[g.Name]++
	}
	if count["a"] != 300 || count["b"] != 100 || count["c"] != 0 {
		t.Fatalf("weighted share = %v, want a:300 b:100 c:0", count)
	}
	a.Driver.(*fakeDriver).up, b.Driver.(*fakeDriver).up = false, false
	if g, _ := p.Pick(CMCC); g == nil || g.Name != "c" {
		t.Fatalf("with the primaries down Pick = %v, want failover to c", g)
	}
	a.Driver.(*fakeDriver).up = true
	if g, _ := p.Pick(CMCC); g.Name != "a" {
		t.Fatalf("after a came back Pick = %s, want fail-back to a", g.Name)
	}
	c.Driver.(*fakeDriver).up, a.Driver.(*fakeDriver).up = false, false
	if _, err := p.Pick(CMCC); err == nil {
		t.Fatal("Pick with every gateway down returned no error")
	}
	if _, err := p.Pick(CUCC); err == nil {
		t.Fatal("Pick for an operator without gateways returned no error")
	}
}

func TestPoolRejectsDuplicateNames(t *testing.T) {
	if _, err := NewPool([]*Gateway{gw("a", CMCC, 0, 1, true), gw("a", CUCC, 0, 1, true)}); err == nil {
		t.Fatal("duplicate gateway names accepted")
	}
}
