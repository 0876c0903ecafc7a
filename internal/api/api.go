// Package api is the HTTP interface: the JSON API under /api/v1 (see
// docs/api.md), the legacy GET send for old systems, /healthz and /metrics.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hongyan/internal/biz/lockout"
	"hongyan/internal/biz/settle"
	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Options configure the HTTP interface.
type Options struct {
	Logger   *slog.Logger
	Registry *prometheus.Registry // /metrics; nil = a new one with Go and process collectors
	// DemoMO, when set (demo mode only), serves POST /demo/mo: the simulator of
	// the number's operator sends the platform an MO as a phone would.
	DemoMO func(ctx context.Context, from, to, content string) error
	// Extra routes (console, admin) mounted on the same mux.
	Mount func(mux *http.ServeMux)
	// LoginLock is the admin login's lockout policy [lockout.Default]; the
	// failures are the store's, shared with the console.
	LoginLock store.LockPolicy
	// TokenTTL is how long a token from POST /api/v1/admin/login lasts [12h].
	TokenTTL time.Duration
	// Settlement is the settlement: section of the configuration (operator
	// costs, revenue shares), read at each request; nil = none (stats.go).
	Settlement *settle.Config
}

// Server is the HTTP handler.
type Server struct {
	core *core.Core
	log  *slog.Logger
	mux  *http.ServeMux
	opts Options
	pw   *passwordCache
	lock *lockout.Guard
	// hashing bounds concurrent admin password checks (argon2id takes 64 MiB each).
	hashing chan struct{}
	adminAs adminAs // the admin routes for the console's pages (adminas.go)
}

// New builds the handler.
func New(c *core.Core, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
		opts.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if opts.LoginLock.Max <= 0 {
		opts.LoginLock = lockout.Default
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 12 * time.Hour
	}
	s := &Server{core: c, log: opts.Logger, mux: http.NewServeMux(), opts: opts, pw: newPasswordCache(),
		lock: lockout.New(c.Store(), opts.LoginLock, nil), hashing: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	for _, col := range c.Collectors() {
		_ = opts.Registry.Register(col)
	}
	_ = opts.Registry.Register(newGatewayCollector(c))
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.Handle("GET /metrics", promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{}))
	m.HandleFunc("POST /api/v1/messages", s.auth(s.sendMessages))
	m.HandleFunc("GET /api/v1/messages/{id}", s.auth(s.getMessage))
	m.HandleFunc("GET /api/v1/messages", s.auth(s.listMessages))
	m.HandleFunc("GET /api/v1/batches/{id}", s.auth(s.getBatch))
	m.HandleFunc("POST /api/v1/batches/{id}/cancel", s.auth(s.cancelBatch)) // cancel.go
	m.HandleFunc("GET /api/v1/mo", s.auth(s.listMO))
	m.HandleFunc("GET /api/v1/account", s.auth(s.getAccount))
	m.HandleFunc("PATCH /api/v1/account", s.auth(s.patchAccount))
	m.HandleFunc("GET /api/v1/account/ledger", s.auth(s.accountLedger))
	m.HandleFunc("GET /api/v1/gateways", s.auth(s.gateways))
	s.mountAdmin(m) // the admin API and its role table (adminroutes.go)
	m.HandleFunc("GET /sms/send", s.legacySend)
	m.HandleFunc("POST /sms/send", s.legacySend)
	s.mountBusiness(m) // business types, grants, account limits (business.go)
	s.mountStats(m)    // statistics and settlement (stats.go)
	// Subscription services' pushes and subscribers (subscriptions.go).
	s.mountSubscriptions(m)
	// A sending account's templates and signatures (templates.go).
	s.mountTemplates(m)
	if opts.DemoMO != nil {
		m.HandleFunc("POST /demo/mo", s.demoMO)
	}
	if opts.Mount != nil {
		opts.Mount(m)
	}
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			writeError(w, http.StatusInternalServerError, "internal", "internal error")
		}
	}()
	s.mux.ServeHTTP(w, r)
}

type ctxKey struct{}

// auth requires Authorization: Bearer <api key>.
func (s *Server) auth(next func(http.ResponseWriter, *http.Request, *store.Account)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		key, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || key == "" {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing Authorization: Bearer <api key>")
			return
		}
		acc := s.core.AccountByKey(strings.TrimSpace(key))
		if acc == nil {
			writeError(w, http.StatusUnauthorized, "unauthorized", "unknown or revoked API key")
			return
		}
		if err := s.core.CheckIP(acc, r.RemoteAddr); err != nil { // the account's allow-list (business.go)
			s.writeErr(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, acc)), acc)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ready, delayed := s.core.Backlog()
	gws := s.core.Pool().Statuses()
	up := 0
	for _, g := range gws {
		if g.Healthy {
			up++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "gateways_up": up, "gateways": len(gws),
		"outbox": ready, "scheduled": delayed, "time": time.Now().Format(time.RFC3339)})
}

func (s *Server) gateways(w http.ResponseWriter, r *http.Request, _ *store.Account) {
	writeJSON(w, http.StatusOK, map[string]any{"gateways": s.core.Pool().Statuses()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError is the one error shape: {"error": {"code", "message"}}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// writeDupOr answers err: store.ErrDuplicate as 409 duplicate with what
// (the thing already there, in words), anything else as writeErr does.
func (s *Server) writeDupOr(w http.ResponseWriter, r *http.Request, err error, what string) {
	if errors.Is(err, store.ErrDuplicate) {
		writeError(w, http.StatusConflict, "duplicate", what)
		return
	}
	s.writeErr(w, r, err)
}

// writeErr maps core refusals to their status; anything else is a 500
// with no internals shown.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var ce *core.Error
	if errors.As(err, &ce) {
		if ce.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(ce.RetryAfter.Seconds())), 10))
		}
		writeError(w, ce.Status, ce.Code, ce.Message)
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "not found")
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "internal", "internal error; see the server log")
}
