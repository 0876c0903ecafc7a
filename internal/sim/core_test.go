package sim

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// simulator is what every protocol's simulator offers on top of its core.
type simulator interface {
	Listen(addr string) error
	Addr() string
	Close(ctx context.Context) error
	Kill()
	Restart() error
	SendMO(ctx context.Context, from, to, text string) error
	SendStrayReport(ctx context.Context, dest string) error
	Stats() Stats
}

func simulators() map[string]simulator {
	quiet := slog.New(slog.DiscardHandler)
	return map[string]simulator{
		"cmpp": NewCMPP(CMPPConfig{Logger: quiet}),
		"sgip": NewSGIP(SGIPConfig{Logger: quiet}),
		"smgp": NewSMGP(SMGPConfig{Logger: quiet}),
		"cngp": NewCNGP(CNGPConfig{Logger: quiet}),
		"smpp": NewSMPP(SMPPConfig{Logger: quiet}),
	}
}

// The life every simulator shares: listen, crash, come back on the same
// address, close (twice is fine); with no client nothing can be delivered.
func TestLifecycle(t *testing.T) {
	for name, s := range simulators() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if s.Addr() != "" {
				t.Fatal("address before Listen")
			}
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			addr := s.Addr()
			if addr == "" {
				t.Fatal("no address")
			}
			if err := s.SendMO(ctx, "13800138000", "10658000", "hi"); !errors.Is(err, ErrNoClient) {
				t.Fatalf("SendMO without a client: %v", err)
			}
			if err := s.SendStrayReport(ctx, "13800138000"); !errors.Is(err, ErrNoClient) {
				t.Fatalf("SendStrayReport without a client: %v", err)
			}
			s.Kill()
			if s.Addr() != "" {
				t.Fatal("address after Kill")
			}
			s.Kill() // already down
			if err := s.Restart(); err != nil {
				t.Fatal(err)
			}
			if s.Addr() != addr {
				t.Fatalf("restarted on %s, want %s", s.Addr(), addr)
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(ctx); err != nil || s.Addr() != "" {
				t.Fatalf("second Close: %v %q", err, s.Addr())
			}
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if st := s.Stats(); st != (Stats{}) {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}
