package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"hongyan/internal/store"
)

// The administration pages are clients of the admin API, in process: each
// read and each change is an admin API request run as the session's user
// (api.Server.ServeAdminAs) through the API's own route table, role check,
// handler, scope and audit entry. So the console cannot see or change more
// than `hongyan admin` can, and every rule lives in one place. The pages
// only turn forms into JSON and answers into Chinese.

// AdminAPI is the admin API as the administration pages use it.
type AdminAPI interface {
	// ServeAdminAs serves an admin API request as user u, who is already
	// authenticated (here: by the console's session).
	ServeAdminAs(w http.ResponseWriter, r *http.Request, u *store.User)
}

// apiError is the admin API's refusal: its status and error code, and its
// message (English, shown under 详细信息).
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("admin API refused (%d %s): %s", e.Status, e.Code, e.Message)
}

// asAPIError returns the API's refusal in err, or nil for any other error
// (which is the console's or the store's problem: a 500).
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status < 500 {
		return ae
	}
	return nil
}

// errNoAdminAPI is the answer of an admin page on a console built without
// the API (web.Options.Admin nil).
var errNoAdminAPI = errors.New("console: the admin API is not wired (web.Options.Admin)")

// adminCall runs one admin API request as u: method and path (with its
// query), body marshalled as JSON when not nil, the answer unmarshalled
// into out when not nil. A refusal is an *apiError.
func (s *Server) adminCall(ctx context.Context, u *store.User, remote, method, path string, body, out any) error {
	if s.opts.Admin == nil {
		return errNoAdminAPI
	}
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("console: %s %s: encode: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return fmt.Errorf("console: %s %s: %w", method, path, err)
	}
	req.RemoteAddr = remote // the API's log lines name the browser's address
	req.Header.Set("Content-Type", "application/json")
	rec := &recorder{h: http.Header{}}
	s.opts.Admin.ServeAdminAs(rec, req, u)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(rec.buf.Bytes(), &e); err != nil || e.Error.Code == "" {
			e.Error.Code, e.Error.Message = "internal", rec.buf.String()
		}
		return &apiError{Status: rec.status, Code: e.Error.Code, Message: e.Error.Message}
	}
	if out != nil && rec.buf.Len() > 0 {
		if err := json.Unmarshal(rec.buf.Bytes(), out); err != nil {
			return fmt.Errorf("console: %s %s: decode the answer: %w", method, path, err)
		}
	}
	return nil
}

// recorder keeps an in-process answer.
type recorder struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.h }

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}

// ---- the API's objects, as the pages read them ----

// jsonID is an id the API writes as a string (or null).
type jsonID = string

type apiOrg struct {
	ID        jsonID   `json:"id"`
	ParentID  *jsonID  `json:"parent_id"`
	Level     string   `json:"level"`
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	CreatedAt string   `json:"created_at"`
	Children  []apiOrg `json:"children"`
}

type apiUser struct {
	ID        jsonID  `json:"id"`
	Username  string  `json:"username"`
	Role      string  `json:"role"`
	OrgID     *jsonID `json:"org_id"`
	Org       string  `json:"org"`
	AccountID *jsonID `json:"account_id"`
	Disabled  bool    `json:"disabled"`
	CreatedAt string  `json:"created_at"`
	Password  string  `json:"password"` // generated: shown once
}

type apiAccount struct {
	ID          jsonID      `json:"id"`
	Name        string      `json:"name"`
	Balance     json.Number `json:"balance"`
	Reserved    json.Number `json:"reserved"`
	CreditLimit json.Number `json:"credit_limit"`
	Available   json.Number `json:"available"`
	ServiceCode string      `json:"service_code"`
	CallbackURL string      `json:"callback_url"`
	CreatedAt   string      `json:"created_at"`
	OrgID       *jsonID     `json:"org_id"`
	Org         string      `json:"org"`
	Kind        string      `json:"kind"`
	Secret      string      `json:"secret"` // at creation: shown once
}

type apiLedger struct {
	At       string      `json:"at"`
	Kind     string      `json:"kind"`
	Amount   json.Number `json:"amount"`
	Balance  json.Number `json:"balance_after"`
	Messages int64       `json:"messages"`
	Note     string      `json:"note"`
	Actor    string      `json:"actor"`
}

type apiLimits struct {
	IPAllow    []string `json:"ip_allow"`
	TPS        int      `json:"tps_limit"`
	DailyQuota int64    `json:"daily_quota"`
	Today      int64    `json:"today"`
}

type apiGrants struct {
	Business  []string `json:"business"`
	Effective []string `json:"effective"`
}

type apiBusinessType struct {
	Code             string      `json:"code"`
	Name             string      `json:"name"`
	Enabled          bool        `json:"enabled"`
	Priority         int         `json:"priority"`
	MaxRetries       int         `json:"max_retries"`
	RetryInterval    string      `json:"retry_interval"`
	MaxSegments      int         `json:"max_segments"`
	AtLeastOnce      bool        `json:"at_least_once"`
	Validity         string      `json:"validity"`
	ChargeMode       string      `json:"charge_mode"`
	Fee              json.Number `json:"fee"`
	ChargeOn         string      `json:"charge_on"`
	MonthlyFee       json.Number `json:"monthly_fee"`
	MonthlyCap       json.Number `json:"monthly_cap"`
	ReportRequired   bool        `json:"report_required"`
	ServiceCode      string      `json:"service_code"`
	MOKeywords       []string    `json:"mo_keywords"`
	SendHours        string      `json:"send_hours"`
	FreqLimit        int         `json:"freq_limit"`
	FreqWindow       string      `json:"freq_window"`
	TemplateRequired bool        `json:"template_required"`
	Signature        string      `json:"signature"`
	UnsubscribeText  string      `json:"unsubscribe_text"`
}

type apiWord struct {
	ID        jsonID `json:"id"`
	Word      string `json:"word"`
	Action    string `json:"action"`
	CreatedAt string `json:"created_at"`
}

type apiBlackEntry struct {
	Number    string `json:"number"`
	Business  string `json:"business"`
	Reason    string `json:"reason"`
	Source    string `json:"source"`
	CreatedAt string `json:"created_at"`
}

type apiHold struct {
	BatchID   jsonID   `json:"batch_id"`
	AccountID jsonID   `json:"account_id"`
	Account   string   `json:"account"`
	Org       string   `json:"org"`
	Business  string   `json:"business"`
	Src       string   `json:"src"`
	Content   string   `json:"content"`
	Words     []string `json:"words"`
	Numbers   int      `json:"numbers"`
	HeldAt    string   `json:"held_at"`
	State     string   `json:"state"`
	DecidedBy *string  `json:"decided_by"`
	DecidedAt *string  `json:"decided_at"`
	Reason    *string  `json:"reason"`
}

// apiOwned is a signature or a template with its owner.
type apiOwned struct {
	ID         jsonID   `json:"id"`
	Text       string   `json:"text"`
	Code       string   `json:"code"`
	Business   string   `json:"business"`
	Variables  []string `json:"variables"`
	State      string   `json:"state"`
	Reason     string   `json:"reason"`
	Default    bool     `json:"default"`
	CreatedBy  string   `json:"created_by"`
	CreatedAt  string   `json:"created_at"`
	ReviewedBy string   `json:"reviewed_by"`
	ReviewedAt *string  `json:"reviewed_at"`
	AccountID  *jsonID  `json:"account_id"`
	Account    string   `json:"account"`
	OrgID      *jsonID  `json:"org_id"`
	Org        string   `json:"org"`
}

type apiAudit struct {
	ID       jsonID          `json:"id"`
	At       string          `json:"at"`
	Username string          `json:"username"`
	Action   string          `json:"action"`
	Object   string          `json:"object"`
	ObjectID string          `json:"object_id"`
	OrgID    *jsonID         `json:"org_id"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

// deref is a nullable id or string as text ("" for null).
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
