// Package web is the browser console (W1): server-rendered pages in
// Chinese by default (English by a switch), logged in with a username and
// password, with a menu and access rules per role. See docs/console.md.
//
// The foundation — login, sessions, CSRF, lockout, the language switch,
// the role-based menu (menu.go) — carries the pages: sending, file import
// and batches (send.go, importfile.go, importjob.go, sendrun.go,
// batches.go), reports and settlement (reports.go, charts.go, export.go,
// settlement.go), self-service (account.go, password.go), the gateway
// status page, and the administration pages (admin_*.go), which are
// in-process clients of the admin API (admin_api.go).
package web

import (
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"hongyan/internal/biz/lockout"
	"hongyan/internal/biz/settle"
	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Options configure the console. Zero values take the defaults.
type Options struct {
	Logger *slog.Logger
	// IdleTimeout ends a session nobody used for this long [30m].
	IdleTimeout time.Duration
	// MaxSessionAge ends a session this long after login, used or not [12h].
	MaxSessionAge time.Duration
	// MaxFailures failed logins for one username within LockWindow lock
	// it for LockFor [5 in 15m, locked 15m].
	MaxFailures int
	LockWindow  time.Duration
	LockFor     time.Duration
	// Refresh is how often the gateway page refreshes itself [5s].
	Refresh time.Duration
	// SecureCookies marks cookies Secure even on plain HTTP, for a console
	// behind a TLS-terminating proxy (on a TLS listener they always are).
	SecureCookies bool
	// Now is the clock (tests move it); nil = time.Now.
	Now func() time.Time
	// Settlement is the agreed operator costs and revenue shares the
	// settlement page computes with (the API's); nil = none.
	Settlement *settle.Config
	// Admin runs admin API requests as a console user: the administration
	// pages are its clients, in process (admin_api.go). app wires the
	// platform's api.Server; nil = those pages answer 503.
	Admin AdminAPI
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.MaxSessionAge <= 0 {
		o.MaxSessionAge = 12 * time.Hour
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = 5
	}
	if o.LockWindow <= 0 {
		o.LockWindow = 15 * time.Minute
	}
	if o.LockFor <= 0 {
		o.LockFor = 15 * time.Minute
	}
	if o.Refresh <= 0 {
		o.Refresh = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Server is the console's HTTP handler.
type Server struct {
	core     *core.Core
	opts     Options
	log      *slog.Logger
	mux      *http.ServeMux
	sessions *sessions
	lock     *lockout.Guard // kept in the store: shared with the admin API, survives restarts
	csrf     csrfKeys
	cop      *http.CrossOriginProtection
	hashing  chan struct{} // bounds concurrent password checks (argon2id takes 64 MiB each)
	rates    *rates
	work     *work // file imports being checked, sends being handed to the core (importjob.go)

	// This process's lease on durable send runs, the resume loop (sendresume.go).
	runner runner

	// Blacklist files being added (admin_blacklist.go).
	blImport *blImports
	// Address-book imports (addressbook.go).
	book *bookWork
	// Number-library imports (library_import.go).
	libJobs *libJobs
}

// New builds the console over a core.
func New(c *core.Core, opts Options) *Server {
	opts.defaults()
	s := &Server{core: c, opts: opts, log: opts.Logger, mux: http.NewServeMux(),
		sessions: newSessions(c.Store(), opts.Logger, opts.IdleTimeout, opts.MaxSessionAge), // in the store: shared by nodes
		lock: lockout.New(c.Store(), store.LockPolicy{Max: opts.MaxFailures, Window: opts.LockWindow, LockFor: opts.LockFor},
			opts.Now),
		csrf: newCSRFKeys(c.Store()), cop: http.NewCrossOriginProtection(),
		hashing: make(chan struct{}, max(2, runtime.GOMAXPROCS(0))), rates: newRates(), work: newWork(), blImport: newBLImports()}
	m := s.mux
	m.Handle("GET /static/{file}", serveStatic())
	m.HandleFunc("GET /{$}", s.root)
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	s.route("POST /logout", "home", s.logout)
	s.route("GET /send", "send", s.sendPage) // send.go, importjob.go, batches.go
	s.route("POST /send", "send", s.sendSubmit)
	s.routeBody("POST /send/import", "send", 64<<20, s.importUpload) // a file over maxUpload gets a clear refusal
	s.route("GET /send/import/{id}", "send", s.importPage)
	s.route("GET /send/import/{id}/status", "send", s.importStatus)
	s.route("GET /send/import/{id}/problems.csv", "send", s.importProblems)
	s.route("POST /send/import/{id}/confirm", "send", s.importConfirm)
	s.route("GET /batches", "batches", s.batchesPage)
	s.route("GET /batches/find", "batches", s.batchFind)
	s.route("GET /batches/{id}", "batches", s.batchPage)
	s.route("GET /batches/{id}/status", "batches", s.batchStatusJSON)
	s.route("GET /batches/{id}/failures.csv", "batches", s.batchFailuresCSV)
	s.route("POST /batches/{id}/cancel", "batch_cancel", s.batchCancel)
	s.route("GET /reports", "reports", s.reportsPage) // reports.go, charts.go, export.go
	s.route("GET /reports/export", "reports", s.reportsExport)
	s.route("GET /settlement", "settlement", s.settlementPage) // settlement.go
	s.route("GET /settlement/export", "settlement", s.settlementExport)
	s.routeBody("POST /settlement/reconcile", "settlement", maxBill+1<<20, s.settlementReconcile)
	s.route("GET /account", "account", s.accountPage) // account.go
	s.route("POST /account/keys", "account_keys", s.accountCreateKey)
	s.route("POST /account/keys/revoke", "account_keys", s.accountRevokeKey)
	s.route("GET /password", "password", s.passwordPage) // password.go
	s.route("POST /password", "password", s.passwordChange)
	s.route("GET /gateways", "gateways", s.gatewaysPage)
	s.route("GET /gateways/status", "gateways", s.gatewaysJSON)
	s.mountAdmin() // the administration pages (admin_*.go)
	s.mountBook()
	s.mountLibrary() // the number library and customer information (library.go, customers.go)
	s.mountEnterprises()
	m.HandleFunc("/", s.notFound)
	return s
}

// ServeHTTP adds the headers every console response carries, answers the
// language switch and recovers from a handler's panic with an error page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; "+
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store") // pages show live data and personal menus
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("console: panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			s.errorPage(w, r, http.StatusInternalServerError, "err.internal")
		}
	}()
	if switchLang(w, r, s.secure(r)) {
		return
	}
	if err := s.cop.Check(r); err != nil {
		s.errorPage(w, r, http.StatusForbidden, "err.csrf")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// secure says whether cookies set on this request must be Secure.
func (s *Server) secure(r *http.Request) bool { return s.opts.SecureCookies || r.TLS != nil }
