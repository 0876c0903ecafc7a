package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/gateway"
	"hongyan/internal/proto/sgip"
	"hongyan/internal/sim"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Sandbox is a whole platform wired to in-process operator simulators: what
// `hongyan demo` runs, what `hongyan bench` measures and what end-to-end
// tests drive.
type Sandbox struct {
	*Platform
	Sims     map[string]Simulator // gateway name → its simulator
	primary  map[string]string    // operator → its primary gateway
	APIKey   string
	Account  *store.Account
	Password string // the sandbox account's password for /sms/send
	// The platform administrator: console login and admin-API token.
	AdminUser, AdminPassword, AdminToken string
	// Users of the organisation roles, once SeedProvince ran (demoorgs.go).
	Users []DemoUser
}

// SandboxOptions tune a sandbox.
type SandboxOptions struct {
	DataDir      string // database lives here (sqlite) unless Database is set
	Database     string // overrides DataDir, e.g. a PostgreSQL DSN
	HTTP         string // listen address ["127.0.0.1:0"]
	Sim          sim.Config
	Logger       *slog.Logger
	SQLiteSync   string
	GatewayConns int
	Window       int
	TPS          float64 // per-gateway submit limit; 0 = none
	// Extra gateways per operator (failover tests): each operator gets this
	// many simulators and gateways; [1].
	PerOperator int
	DemoMO      bool
	// Bare is the benchmarks' baseline without the business rules' costs:
	// every business type free (no reservation, no ledger) and no
	// statistics counters (`hongyan bench --bare`).
	Bare        bool
	CallbackURL string        // the sandbox account's receive URL for MO and status pushes
	ReportWait  time.Duration // see core.Config.ReportWait
	// Gateway, if set, adjusts each gateway's configuration (its Addr is
	// the simulator's) before the platform is built: tests set timers,
	// priorities and weights.
	Gateway func(*gateway.Config)
	// Protocols overrides the protocol an operator's simulators and
	// gateways speak (operator → cngp2, …), so tests can run a protocol the
	// demo does not assign; nil keeps the demo's choice.
	Protocols map[string]string
}

// The demo's sending account and its long number (DESIGN.md contract).
const (
	SandboxAccount     = "demo"
	SandboxServiceCode = "10658000"
)

// sandboxOperators are the operators the demo simulates, each with its own
// simulator and protocol.
var sandboxOperators = []struct{ op, proto string }{
	{gateway.CMCC, "cmpp3"}, {gateway.CUCC, "sgip"}, {gateway.CTCC, "smgp3"},
	{gateway.CBN, "smpp34"}, {gateway.Intl, "smpp34"},
}

// Simulator is what the sandbox and its tests need of an operator simulator.
type Simulator interface {
	Listen(addr string) error
	Addr() string
	Close(ctx context.Context) error
	Stats() sim.Stats
	RejectNext(n int)
	SendMO(ctx context.Context, from, to, text string) error
	OnSubmit(fn func(dest string, content []byte))
}

// NewSandbox starts simulators and builds (but does not start) the platform.
func NewSandbox(ctx context.Context, o SandboxOptions) (*Sandbox, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	if o.HTTP == "" {
		o.HTTP = "127.0.0.1:0"
	}
	if o.PerOperator <= 0 {
		o.PerOperator = 1
	}
	db := o.Database
	if db == "" {
		if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		db = "sqlite:" + filepath.Join(o.DataDir, "hongyan.db")
	}
	cfg := &Config{Database: db, SQLiteSync: o.SQLiteSync}
	cfg.HTTP.Listen = o.HTTP
	cfg.Messages.DefaultBusiness = "notice"
	cfg.Messages.ReportWait = o.ReportWait
	f := false
	cfg.BusinessTypes = []BusinessTypeConfig{
		{Code: "verify", Name: "验证码", Priority: 0, MaxRetries: 3, RetryInterval: time.Second, MaxSegments: 2, Fee: 0.045},
		{Code: "notice", Name: "业务通知", Priority: 1, MaxRetries: 3, RetryInterval: 2 * time.Second, Fee: 0.05},
		{Code: "marketing", Name: "营销推广", Priority: 2, MaxRetries: 1, RetryInterval: 10 * time.Second, AtLeastOnce: &f,
			Fee: 0.04, ChargeOn: store.ChargeSubmitted},
	}
	if o.Bare {
		for i := range cfg.BusinessTypes {
			cfg.BusinessTypes[i].Fee = 0
		}
	}
	sb := &Sandbox{Sims: map[string]Simulator{}, primary: map[string]string{}}
	cleanup := func() {
		for _, s := range sb.Sims {
			_ = s.Close(context.Background())
		}
	}
	for _, so := range sandboxOperators {
		if p, ok := o.Protocols[so.op]; ok {
			so.proto = p
		}
		for i := 1; i <= o.PerOperator; i++ {
			g := gateway.Config{Operator: so.op, Protocol: so.proto, ServiceID: "HYDEMO", SrcID: SandboxServiceCode,
				Conns: max(o.GatewayConns, 1), Window: max(o.Window, 16),
				TPS: o.TPS, Priority: i - 1, // the first simulator is primary; others are failover
			}
			var s Simulator
			switch so.proto {
			case "cngp2", "cngp1":
				g.Name, g.Account, g.Secret = fmt.Sprintf("%s-cngp-%d", so.op, i), "1060123456", core.NewSecret("", 9)
				s = sim.NewCNGP(sim.CNGPConfig{Config: o.Sim, Accounts: map[string]string{g.Account: g.Secret},
					Gateway: uint32(10061 + len(sb.Sims)), Logger: log.With("sim", so.op)})
			case "smgp3":
				g.Name, g.Account, g.Secret = fmt.Sprintf("%s-smgp-%d", so.op, i), "10601234", core.NewSecret("", 9)
				s = sim.NewSMGP(sim.SMGPConfig{Config: o.Sim, Accounts: map[string]string{g.Account: g.Secret},
					Gateway: uint32(10061 + len(sb.Sims)), Logger: log.With("sim", so.op)})
			case "sgip":
				// The SMG simulator connects back to the platform's SGIP
				// Receiver. Its port is picked by listening on :0 and
				// closing again; another process could take it before the
				// platform listens (a small race, acceptable in a sandbox:
				// the driver retries listening and logs the error).
				listen, err := freeLocalAddr()
				if err != nil {
					cleanup()
					return nil, err
				}
				node, err := sgip.SPNodeID("010", fmt.Sprintf("%05d", 90120+i))
				if err != nil {
					cleanup()
					return nil, err
				}
				g.Name, g.Account, g.Secret = fmt.Sprintf("%s-sgip-%d", so.op, i), "hongyan", core.NewSecret("", 9)
				g.Listen, g.NodeID = listen, node
				g.SMGLogin, g.SMGPassword = "unicom-smg", core.NewSecret("", 9)
				s = sim.NewSGIP(sim.SGIPConfig{Config: o.Sim, Accounts: map[string]string{g.Account: g.Secret},
					SPAddr: listen, SPLogin: g.SMGLogin, SPPassword: g.SMGPassword,
					NodeID: uint32(101000 + len(sb.Sims)), Logger: log.With("sim", so.op)})
			case "smpp34":
				g.Name, g.Account, g.Secret, g.SMPPIDFormat = fmt.Sprintf("%s-smpp-%d", so.op, i), "hongyan", core.NewSecret("", 6), "hex-dec"
				s = sim.NewSMPP(sim.SMPPConfig{Config: o.Sim, Accounts: map[string]string{g.Account: g.Secret}, Logger: log.With("sim", so.op)})
			default:
				g.Name, g.Account, g.Secret = fmt.Sprintf("%s-cmpp-%d", so.op, i), "901234", core.NewSecret("", 9)
				// Each simulated ISMG has its own gateway code, as real ones
				// do, so their Msg_Ids differ.
				s = sim.NewCMPP(sim.CMPPConfig{Config: o.Sim, Accounts: map[string]string{g.Account: g.Secret},
					Gateway: uint32(10061 + len(sb.Sims)), Logger: log.With("sim", so.op)})
			}
			if err := s.Listen("127.0.0.1:0"); err != nil {
				cleanup()
				return nil, err
			}
			g.Addr = s.Addr()
			if o.Gateway != nil {
				o.Gateway(&g)
			}
			sb.Sims[g.Name] = s
			if i == 1 {
				sb.primary[so.op] = g.Name
			}
			cfg.Gateways = append(cfg.Gateways, g)
		}
	}
	sb.Password = core.NewSecret("", 9)
	pwHash, err := core.HashPassword(sb.Password)
	if err != nil {
		cleanup()
		return nil, err
	}
	cfg.Accounts = []AccountConfig{{Name: SandboxAccount, ServiceCode: SandboxServiceCode, BalanceYuan: 1_000_000,
		PasswordHash: pwHash, Secret: core.NewSecret("", 18), CallbackURL: o.CallbackURL}}
	var opts Options
	opts.Logger = log
	opts.NoStatistics = o.Bare
	if o.DemoMO {
		opts.API.DemoMO = sb.SendMO
	}
	p, err := Build(ctx, cfg, opts)
	if err != nil {
		cleanup()
		return nil, err
	}
	sb.Platform = p
	if err := sb.freshAdmin(ctx); err != nil {
		cleanup()
		p.Store.Close()
		return nil, err
	}
	if err := sb.freshKey(ctx); err != nil {
		cleanup()
		p.Store.Close()
		return nil, err
	}
	return sb, nil
}

// freshKey gives the sandbox account a new API key (keys are stored
// hashed, so a restarted demo cannot print an old one) and a new password.
func (sb *Sandbox) freshKey(ctx context.Context) error {
	acc, err := sb.Store.AccountByName(ctx, SandboxAccount)
	if err != nil {
		return fmt.Errorf("sandbox account: %w", err)
	}
	sb.Account = acc
	sb.APIKey = core.NewSecret("hy_", 24)
	if err := sb.Store.CreateAPIKey(ctx, &store.APIKey{Hash: core.HashKey(sb.APIKey), Prefix: sb.APIKey[:8],
		AccountID: acc.ID, CreatedAt: time.Now()}); err != nil {
		return fmt.Errorf("sandbox api key: %w", err)
	}
	return nil
}

// freshAdmin makes sure the administrator exists, with a new password and
// token each start (both are stored hashed, so old ones cannot be printed).
func (sb *Sandbox) freshAdmin(ctx context.Context) error {
	sb.AdminUser = "admin"
	sb.AdminPassword = core.NewSecret("", 9)
	hash, err := core.HashPassword(sb.AdminPassword)
	if err != nil {
		return err
	}
	u, err := sb.Store.UserByName(ctx, sb.AdminUser)
	switch {
	case errors.Is(err, store.ErrNotFound):
		u = &store.User{Username: sb.AdminUser, PasswordHash: hash, Role: store.RolePlatformAdmin}
		err = sb.Store.CreateUser(ctx, u)
	case err == nil:
		u.PasswordHash, u.Role, u.Disabled = hash, store.RolePlatformAdmin, false
		err = sb.Store.UpdateUser(ctx, u)
	}
	if err != nil {
		return fmt.Errorf("sandbox admin: %w", err)
	}
	sb.AdminToken = core.NewSecret("hya_", 24)
	return sb.Store.CreateUserToken(ctx, &store.UserToken{Hash: core.HashKey(sb.AdminToken), Prefix: sb.AdminToken[:8], UserID: u.ID})
}

// Stop stops the platform, then the simulators.
func (sb *Sandbox) Stop(ctx context.Context) error {
	err := sb.Platform.Stop(ctx)
	for _, s := range sb.Sims {
		err = errors.Join(err, s.Close(ctx))
	}
	return err
}

// SimFor returns the primary simulator of an operator.
func (sb *Sandbox) SimFor(op string) Simulator { return sb.Sims[sb.primary[op]] }

// SendMO makes the simulator of the sender's operator deliver an MO, as the
// user's phone would (POST /demo/mo).
func (sb *Sandbox) SendMO(ctx context.Context, from, to, text string) error {
	n := from
	op := sb.Core.Segments().Operator(normalize(n))
	if op == "" {
		return fmt.Errorf("%q: no operator serves this number", from)
	}
	s := sb.SimFor(op)
	if s == nil {
		return fmt.Errorf("no simulator for operator %s", op)
	}
	return s.SendMO(ctx, normalize(n), to, text)
}

// freeLocalAddr returns a loopback address with a port free right now.
func freeLocalAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("sandbox: pick a port for the SGIP receiver: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

func normalize(n string) string {
	if v, err := sms.NormalizeNumber(n); err == nil {
		return v
	}
	return n
}
