package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"hongyan/internal/api"
	"hongyan/internal/core"
	"hongyan/internal/gateway"
	"hongyan/internal/store"
	"hongyan/internal/store/sqlstore"
	"hongyan/internal/web"
)

// Platform is a running Hongyan node.
type Platform struct {
	Config *Config
	Log    *slog.Logger
	Store  store.Store
	Pool   *gateway.Pool
	Core   *core.Core
	API    *api.Server
	Web    *web.Server  // the browser console
	Front  http.Handler // what the HTTP listener serves: the console in front of the API
	http   *http.Server
	ln     net.Listener
}

// Options adjust Build for the demo, bench and tests.
type Options struct {
	Logger *slog.Logger
	API    api.Options
	Web    web.Options
	// NoStatistics keeps no statistics counters: only for measuring their
	// cost (`hongyan bench --bare`).
	NoStatistics bool
}

// Build opens the store, applies the configured business types and
// accounts, and wires gateways, core and HTTP. Nothing runs until Start.
func Build(ctx context.Context, cfg *Config, opts Options) (*Platform, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	var sopts []sqlstore.Option
	if cfg.SQLiteSync == "normal" {
		sopts = append(sopts, sqlstore.WithSynchronous(sqlstore.SyncNormal))
	}
	if opts.NoStatistics {
		sopts = append(sopts, sqlstore.WithoutStatistics())
	}
	st, err := sqlstore.Open(ctx, cfg.Database, sopts...)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	p := &Platform{Config: cfg, Log: log, Store: st}
	if err := p.build(ctx, opts); err != nil {
		st.Close()
		return nil, err
	}
	return p, nil
}

func (p *Platform) build(ctx context.Context, opts Options) error {
	cfg := p.Config
	segs := gateway.DefaultSegments()
	if cfg.Segments.File != "" {
		f, err := os.Open(cfg.Segments.File)
		if err != nil {
			return fmt.Errorf("segments: %w", err)
		}
		segs, err = gateway.ParseSegments(f, cfg.Segments.Overrides)
		f.Close()
		if err != nil {
			return err
		}
	} else if len(cfg.Segments.Overrides) > 0 {
		var err error
		if segs, err = segs.WithOverrides(cfg.Segments.Overrides); err != nil {
			return err
		}
	}
	if err := p.seed(ctx); err != nil {
		return err
	}
	// The core is the gateways' Inbound, and the gateways are the core's
	// pool: create the gateways with a forwarding Inbound, then the core.
	fwd := &inboundRef{}
	var gws []*gateway.Gateway
	for _, gc := range cfg.Gateways {
		g := &gateway.Gateway{Config: gc}
		drv, err := NewDriver(g, fwd, p.Log)
		if err != nil {
			return err
		}
		g.Driver = drv
		gws = append(gws, g)
	}
	pool, err := gateway.NewPool(gws)
	if err != nil {
		return err
	}
	p.Pool = pool
	p.Core = core.New(core.Config{
		NodeID: cfg.NodeID, DefaultBusiness: cfg.Messages.DefaultBusiness, MaxSegments: cfg.Messages.MaxSegments,
		Validity: cfg.Messages.Validity, ReportWait: cfg.Messages.ReportWait, Logger: p.Log,
		UnsubscribeWords: cfg.Messages.UnsubscribeWords, UnsubscribeReply: cfg.Messages.UnsubscribeReply,
		SubscribeWords: cfg.Subscriptions.SubscribeWords, SubscriptionReplies: cfg.Subscriptions.replies(),
		TimeZone: cfg.location(),
	}, p.Store, pool, segs)
	fwd.in = p.Core
	apiOpts := opts.API
	apiOpts.Settlement = &cfg.Settlement // read at each request (api/stats.go)
	apiOpts.Logger = p.Log
	p.API = api.New(p.Core, apiOpts)
	webOpts := opts.Web
	cfg.Console.apply(&webOpts) // console: in the file overrides only the keys it sets (console.go)
	webOpts.Logger = p.Log
	webOpts.Settlement = &cfg.Settlement // the settlement page's, as the API's
	webOpts.Admin = p.API                // the admin pages are clients of the admin API (web/admin_api.go)
	p.Web = web.New(p.Core, webOpts)
	p.Front = front(p.API, p.Web)
	return nil
}

// apiPrefixes are the paths the API handler keeps; everything else is the
// console's.
var apiPrefixes = []string{"/api", "/sms", "/healthz", "/metrics", "/demo"}

// front sends the API's paths (and all below them) to the API handler,
// unchanged, and every other path to the console.
func front(apiH, console http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range apiPrefixes {
			if rest, ok := strings.CutPrefix(r.URL.Path, p); ok && (rest == "" || rest[0] == '/') {
				apiH.ServeHTTP(w, r)
				return
			}
		}
		console.ServeHTTP(w, r)
	})
}

// NewDriver builds the protocol driver a gateway's protocol names.
func NewDriver(g *gateway.Gateway, in gateway.Inbound, log *slog.Logger) (gateway.Driver, error) {
	switch g.Protocol {
	case "cmpp3", "cmpp30", "cmpp", "cmpp2", "cmpp20":
		return gateway.NewCMPP(g, in, log)
	case "smpp34", "smpp33", "smpp":
		return gateway.NewSMPP(g, in, log)
	case "smgp3", "smgp30", "smgp", "smgp2", "smgp20", "smgp13":
		return gateway.NewSMGP(g, in, log)
	case "cngp2", "cngp20", "cngp", "cngp1", "cngp10":
		return gateway.NewCNGP(g, in, log)
	case "sgip", "sgip12":
		return gateway.NewSGIP(g, in, log)
	case "":
		return nil, fmt.Errorf("gateway %s: protocol is required (cmpp3, cmpp2, sgip, smgp3, smgp2, smgp13, cngp2, cngp1, smpp34, smpp33)", g.Name)
	}
	return nil, fmt.Errorf("gateway %s: protocol %q is not supported yet (cmpp3, cmpp2, sgip, smgp3, smgp2, smgp13, cngp2, cngp1, smpp34, smpp33)", g.Name, g.Protocol)
}

type inboundRef struct{ in gateway.Inbound }

func (r *inboundRef) Report(ctx context.Context, g *gateway.Gateway, rp gateway.Report) error {
	return r.in.Report(ctx, g, rp)
}
func (r *inboundRef) MO(ctx context.Context, g *gateway.Gateway, m gateway.MO) error {
	return r.in.MO(ctx, g, m)
}

// seed creates or updates the business types and accounts the config declares.
func (p *Platform) seed(ctx context.Context) error {
	st := p.Store
	existing, err := st.BusinessTypes(ctx)
	if err != nil {
		return err
	}
	def := p.Config.Messages.DefaultBusiness
	if def == "" {
		def = "default"
	}
	hasDefault := false
	for _, b := range existing {
		hasDefault = hasDefault || b.Code == def
	}
	for _, bc := range p.Config.BusinessTypes {
		bt, err := businessTypeFromConfig(bc) // business.go
		if err == nil {
			err = core.CheckBusinessType(bt)
		}
		if err != nil {
			return fmt.Errorf("business type %s: %w", bc.Code, configErr(err))
		}
		if err := st.UpsertBusinessType(ctx, bt); err != nil {
			return fmt.Errorf("business type %s: %w", bc.Code, err)
		}
		hasDefault = hasDefault || bc.Code == def
	}
	if !hasDefault {
		if err := st.UpsertBusinessType(ctx, &store.BusinessType{Code: def, Name: "默认业务", Priority: 1, MaxRetries: 3,
			RetryInterval: 5 * time.Second, AtLeastOnce: true, Enabled: true, ReportRequired: true}); err != nil {
			return fmt.Errorf("default business type: %w", err)
		}
	}
	for _, ac := range p.Config.Accounts {
		a, err := st.AccountByName(ctx, ac.Name)
		created := errors.Is(err, store.ErrNotFound)
		if created {
			a = &store.Account{Name: ac.Name, ServiceCode: ac.ServiceCode, CallbackURL: ac.CallbackURL, Secret: ac.Secret,
				PasswordHash: ac.PasswordHash, Balance: int64(math.Round(ac.BalanceYuan * 1000)),
				CreditLimit: int64(math.Round(ac.CreditYuan * 1000)), CreatedAt: time.Now()}
			if err := st.CreateAccount(ctx, a); err != nil {
				return fmt.Errorf("account %s: %w", ac.Name, err)
			}
		} else if err != nil {
			return fmt.Errorf("account %s: %w", ac.Name, err)
		}
		if ac.APIKeySHA256 != "" {
			h, err := hex.DecodeString(ac.APIKeySHA256)
			if err != nil {
				return fmt.Errorf("account %s: api_key_sha256: %w", ac.Name, err)
			}
			keys, err := st.APIKeys(ctx)
			if err != nil {
				return err
			}
			found := false
			for _, k := range keys {
				found = found || hex.EncodeToString(k.Hash) == ac.APIKeySHA256
			}
			if !found {
				if err := st.CreateAPIKey(ctx, &store.APIKey{Hash: h, Prefix: "config", AccountID: a.ID, CreatedAt: time.Now()}); err != nil {
					return fmt.Errorf("account %s: api key: %w", ac.Name, err)
				}
			}
		}
		if err := p.seedAccountBusiness(ctx, a, ac, created); err != nil { // business.go
			return err
		}
	}
	if err := p.seedMORoutes(ctx); err != nil {
		return err
	}
	return p.seedSubscriptions(ctx) // subscriptions.go
}

// seedMORoutes adds the configured MO routes whose (service code, keyword)
// pair is not routed yet; routes changed through the admin API are kept.
func (p *Platform) seedMORoutes(ctx context.Context) error {
	st := p.Store
	have, err := st.MORoutes(ctx)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, r := range have {
		taken[r.ServiceCode+"|"+r.Keyword] = true
	}
	for i, rc := range p.Config.MORoutes {
		acc, err := st.AccountByName(ctx, rc.Account)
		if err != nil {
			return fmt.Errorf("mo_routes[%d]: account %q: %w", i, rc.Account, err)
		}
		r := &store.MORoute{ServiceCode: rc.ServiceCode, Keyword: core.MOKeyword(rc.Keyword), AccountID: acc.ID,
			Business: rc.Business, URL: rc.URL, CreatedAt: time.Now()}
		if taken[r.ServiceCode+"|"+r.Keyword] {
			continue
		}
		if err := st.CreateMORoute(ctx, r); err != nil {
			return fmt.Errorf("mo_routes[%d]: %w", i, err)
		}
		taken[r.ServiceCode+"|"+r.Keyword] = true
	}
	return nil
}

// Start recovers pending work, connects the gateways and opens the HTTP
// listener (cfg.HTTP.Listen; ":0" picks a port, see Addr).
func (p *Platform) Start(ctx context.Context) error {
	if err := p.Core.Start(ctx); err != nil {
		return err
	}
	p.Pool.Start(ctx)
	p.Web.Start(ctx) // resumes the console's sends a stopped or failed process left (web/sendresume.go)
	ln, err := net.Listen("tcp", p.Config.HTTP.Listen)
	if err != nil {
		p.Web.Stop(ctx)
		p.Core.Stop(ctx)
		return fmt.Errorf("http listen %s: %w", p.Config.HTTP.Listen, err)
	}
	p.ln = ln
	p.http = &http.Server{Handler: p.Front, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(p.Log.Handler(), slog.LevelWarn)}
	go func() {
		if err := p.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.Log.Error("http server", "err", err)
		}
	}()
	return nil
}

// Addr is the HTTP listening address once started.
func (p *Platform) Addr() string {
	if p.ln == nil {
		return ""
	}
	return p.ln.Addr().String()
}

// Stop shuts down in the order that loses nothing: stop taking requests,
// let submits in flight finish, log out of the gateways, close the store.
func (p *Platform) Stop(ctx context.Context) error {
	var errs []error
	if p.http != nil {
		errs = append(errs, p.http.Shutdown(ctx))
	}
	p.Web.Stop(ctx) // the console's sends pause, resumable, while the core still accepts
	p.Core.Stop(ctx)
	errs = append(errs, p.Pool.Close(ctx))
	errs = append(errs, p.Store.Close())
	return errors.Join(errs...)
}
