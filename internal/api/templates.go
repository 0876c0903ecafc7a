package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Signatures and templates (docs/api.md): units register them, platform
// administrators approve or reject them, auditors read them, and a sending
// account lists what it may use. Every change is audited in the same
// transaction (audited, adminaudit.go).

// registrars are the roles that register (and withdraw) their unit's
// signatures and templates, within their scope.
var registrars = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator, store.RolePartner}

// templateRoutes are the admin endpoints of signatures and templates.
func (s *Server) templateRoutes() []adminRoute {
	return []adminRoute{
		{"GET /api/v1/admin/signatures", everyone, s.adminSignatures},
		{"POST /api/v1/admin/signatures", registrars, s.adminCreateSignature},
		{"GET /api/v1/admin/signatures/{id}", everyone, s.adminSignature},
		{"POST /api/v1/admin/signatures/{id}/approve", platformAll, s.adminReviewSignature(true)},
		{"POST /api/v1/admin/signatures/{id}/reject", platformAll, s.adminReviewSignature(false)},
		{"POST /api/v1/admin/signatures/{id}/default", registrars, s.adminDefaultSignature},
		{"DELETE /api/v1/admin/signatures/{id}", registrars, s.adminDeleteSignature},
		{"GET /api/v1/admin/templates", everyone, s.adminTemplates},
		{"POST /api/v1/admin/templates", registrars, s.adminCreateTemplate},
		{"GET /api/v1/admin/templates/{id}", everyone, s.adminTemplate},
		{"POST /api/v1/admin/templates/{id}/approve", platformAll, s.adminReviewTemplate(true)},
		{"POST /api/v1/admin/templates/{id}/reject", platformAll, s.adminReviewTemplate(false)},
		{"DELETE /api/v1/admin/templates/{id}", registrars, s.adminDeleteTemplate},
	}
}

// mountTemplates mounts a sending account's own view: the approved
// templates and signatures it may use.
func (s *Server) mountTemplates(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/templates", s.auth(s.accountTemplates))
	m.HandleFunc("GET /api/v1/signatures", s.auth(s.accountSignatures))
}

// ---- the send request's part ----

// stringOrNumber is a JSON string, or a number kept as written: a
// template's id or code, a recipient's number.
type stringOrNumber string

func (t *stringOrNumber) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = stringOrNumber(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("%s: want a string or a number", b)
	}
	*t = stringOrNumber(n.String())
	return nil
}

// variables are a template's values: strings, or numbers and booleans as
// written (a number keeps its digits: 0755 is not a JSON number, "0755" is).
// A null value is as if not given.
type variables map[string]string

func (v *variables) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return errors.New(`"variables" must be an object of names and values, e.g. {"name": "张三"}`)
	}
	out := make(variables, len(raw))
	for k, x := range raw {
		switch x := x.(type) {
		case nil:
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = strconv.FormatBool(x)
		default:
			return fmt.Errorf("variable %q must be a string or a number", k)
		}
	}
	*v = out
	return nil
}

// recipient is one number with its own variables.
type recipient struct {
	To        stringOrNumber `json:"to"`
	Variables variables      `json:"variables"`
}

// templated moves the body's template, variables, recipients and
// signature into req (req.To comes from "recipients" when given).
func (b *sendBody) templated(req *core.SendRequest) error {
	req.Template, req.Signature = strings.TrimSpace(string(b.Template)), b.Signature
	if b.Variables != nil {
		req.Variables = b.Variables
	}
	if b.Recipients == nil {
		return nil
	}
	if len(b.To) > 0 {
		return errors.New(`give "to" or "recipients", not both`)
	}
	req.To = make([]string, len(b.Recipients))
	per, given := make([]map[string]string, len(b.Recipients)), false
	for i, rc := range b.Recipients {
		req.To[i], per[i] = string(rc.To), rc.Variables
		given = given || rc.Variables != nil
	}
	if given {
		req.PerRecipient = per
	}
	return nil
}

// legacyTemplated takes the legacy interface's template=, signature= and
// var.NAME= parameters.
func legacyTemplated(form url.Values, req *core.SendRequest) {
	req.Template, req.Signature = strings.TrimSpace(form.Get("template")), form.Get("signature")
	for k, v := range form {
		if name, ok := strings.CutPrefix(k, "var."); ok && len(v) > 0 {
			if req.Variables == nil {
				req.Variables = map[string]string{}
			}
			req.Variables[name] = v[0]
		}
	}
}

// ---- a sending account's own view ----

func (s *Server) accountTemplates(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	ts, err := s.core.UsableTemplates(r.Context(), acc)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	label, err := s.ownerLabels(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(ts))
	for i, t := range ts {
		out[i] = map[string]any{"id": id(t.ID), "code": t.Code, "business": t.Business, "text": t.Text,
			"variables": nonNil(core.TemplateVariables(t.Text)), "owner": label(t.AccountID, t.OrgID)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": out})
}

func (s *Server) accountSignatures(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	sigs, def, err := s.core.UsableSignatures(r.Context(), acc)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	label, err := s.ownerLabels(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(sigs))
	for i, sg := range sigs {
		out[i] = map[string]any{"id": id(sg.ID), "text": sg.Text, "default": def != nil && def.ID == sg.ID,
			"owner": label(sg.AccountID, sg.OrgID)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"signatures": out})
}

// ownerLabels names owners for a sending account: "account NAME" or
// "organisation CODE".
func (s *Server) ownerLabels(r *http.Request) (func(accountID, orgID int64) string, error) {
	orgs, err := s.core.Store().Orgs(r.Context())
	if err != nil {
		return nil, fmt.Errorf("owner labels: %w", err)
	}
	codes := make(map[int64]string, len(orgs))
	for _, o := range orgs {
		codes[o.ID] = o.Code
	}
	return func(accountID, orgID int64) string {
		if accountID != 0 {
			if a := s.core.Account(accountID); a != nil {
				return "account " + a.Name
			}
			return "account " + id(accountID)
		}
		if c, ok := codes[orgID]; ok {
			return "organisation " + c
		}
		return "organisation " + id(orgID)
	}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ---- administration: who owns what ----

// ownerScope answers whether an owner is in the caller's scope, and which
// organisation an owner's audit entries belong to.
type ownerScope struct {
	wh   *who
	accs map[int64]*store.Account
}

func (s *Server) ownerScope(r *http.Request, u *store.User) (*ownerScope, error) {
	wh, err := s.who(r, u)
	if err != nil {
		return nil, err
	}
	accs, err := s.core.Store().Accounts(r.Context())
	if err != nil {
		return nil, fmt.Errorf("admin templates: %w", err)
	}
	ow := &ownerScope{wh: wh, accs: map[int64]*store.Account{}}
	for _, a := range accs {
		ow.accs[a.ID] = a
	}
	return ow, nil
}

func (o *ownerScope) reaches(accountID, orgID int64) bool {
	if accountID != 0 {
		a := o.accs[accountID]
		return a != nil && o.wh.sc.Account(a)
	}
	return o.wh.sc.Org(orgID)
}

// orgOf is the organisation of an owner (an account's, or the owner itself).
func (o *ownerScope) orgOf(accountID, orgID int64) int64 {
	if accountID != 0 {
		if a := o.accs[accountID]; a != nil {
			return a.OrgID
		}
		return 0
	}
	return orgID
}

// ownerJSON adds the owner's fields to an object.
func (o *ownerScope) ownerJSON(m map[string]any, accountID, orgID int64) map[string]any {
	m["account_id"], m["account"], m["org_id"], m["org"] = optID(accountID), "", optID(orgID), o.wh.orgCode(orgID)
	if a := o.accs[accountID]; a != nil {
		m["account"] = a.Name
	}
	return m
}

// ownerRef is who a new signature or template is for, as a body gives it.
type ownerRef struct {
	AccountID idRef  `json:"account_id"`
	Account   string `json:"account"`
	OrgID     idRef  `json:"org_id"`
	Org       string `json:"org"`
}

// resolve picks the owner: the account or organisation named (which must
// be in the caller's scope), else the caller's own — a partner user's
// account, anyone else's organisation. It writes the refusal and returns
// ok false when there is none.
func (s *Server) resolveOwner(w http.ResponseWriter, r *http.Request, ow *ownerScope, ref ownerRef, invalidCode string) (accountID, orgID int64, ok bool) {
	byAccount := ref.AccountID != 0 || ref.Account != ""
	byOrg := ref.OrgID != 0 || ref.Org != ""
	u := ow.wh.u
	switch {
	case byAccount && byOrg:
		writeError(w, http.StatusBadRequest, "invalid_request", "give an account or an organisation as the owner, not both")
	case byAccount:
		a, ok := s.accountRef(w, r, ow.wh, ref.AccountID, ref.Account, invalidCode)
		if ok {
			return a.ID, 0, true
		}
	case byOrg:
		if oid, ok := ow.wh.orgRef(w, ref.OrgID, ref.Org, invalidCode); ok {
			return 0, oid, true
		}
	case u.Role == store.RolePartner && u.AccountID != 0:
		return u.AccountID, 0, true
	case u.OrgID != 0:
		return 0, u.OrgID, true
	default:
		writeError(w, http.StatusBadRequest, "invalid_request", `name the owner: "account" (name or id) or "org" (code or id)`)
	}
	return 0, 0, false
}

// auditTemplated is r's context carrying the audit entry of a change to a
// signature or template.
func auditTemplated(r *http.Request, u *store.User, action, object string, objID, orgID int64, before any, after func(e *store.AuditEntry) any) context.Context {
	return audited(r.Context(), u, store.AuditEntry{At: time.Now(), Action: action, Object: object, ObjectID: optIDString(objID), OrgID: orgID},
		before, after)
}

func optIDString(n int64) string {
	if n == 0 {
		return ""
	}
	return id(n)
}

// stateFilter reads ?state= (pending, approved, rejected or "").
func stateFilter(w http.ResponseWriter, r *http.Request) (string, bool) {
	st := r.URL.Query().Get("state")
	switch st {
	case "", store.ReviewPending, store.ReviewApproved, store.ReviewRejected:
		return st, true
	}
	writeError(w, http.StatusBadRequest, "invalid_parameter", "state must be pending, approved or rejected")
	return "", false
}

// ownerFilter reads ?account=ID|NAME and ?org=ID|CODE of a list (0, 0:
// every owner in scope; ok false: a refusal was written).
func (o *ownerScope) ownerFilter(w http.ResponseWriter, r *http.Request) (accountID, orgID int64, ok bool) {
	q := r.URL.Query()
	if v := q.Get("account"); v != "" {
		for _, a := range o.accs {
			if (a.Name == v || id(a.ID) == v) && o.wh.sc.Account(a) {
				return a.ID, 0, true
			}
		}
		writeError(w, http.StatusNotFound, "not_found", "no account "+strconv.Quote(v))
		return 0, 0, false
	}
	if v := q.Get("org"); v != "" {
		org := o.wh.tree.ByCode(v)
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			org = o.wh.tree.Get(n)
		}
		if org == nil || !o.wh.sc.Org(org.ID) {
			writeError(w, http.StatusNotFound, "not_found", "no organisation "+strconv.Quote(v))
			return 0, 0, false
		}
		return 0, org.ID, true
	}
	return 0, 0, true
}

// decodeOptional is decodeStrict for a body that may be left out.
func decodeOptional(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("reading the request body: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body is not valid JSON of this endpoint: %w", err)
	}
	return nil
}

// ---- signatures ----

func (o *ownerScope) signatureJSON(sg *store.Signature) map[string]any {
	return o.ownerJSON(map[string]any{"id": id(sg.ID), "text": sg.Text, "state": sg.State, "reason": sg.Reason,
		"default": sg.Default, "created_by": sg.CreatedBy, "created_at": ts(sg.CreatedAt),
		"reviewed_by": sg.ReviewedBy, "reviewed_at": ts(sg.ReviewedAt)}, sg.AccountID, sg.OrgID)
}

// signatureAudit is what the audit log keeps of a signature.
func signatureAudit(sg *store.Signature) map[string]any {
	return map[string]any{"text": sg.Text, "account_id": optID(sg.AccountID), "org_id": optID(sg.OrgID), "state": sg.State,
		"reason": sg.Reason, "default": sg.Default}
}

// adminSignatures lists the signatures in scope: ?state=, ?account=, ?org=.
func (s *Server) adminSignatures(w http.ResponseWriter, r *http.Request, u *store.User) {
	ow, err := s.ownerScope(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	state, ok := stateFilter(w, r)
	if !ok {
		return
	}
	acct, org, ok := ow.ownerFilter(w, r)
	if !ok {
		return
	}
	sigs, err := s.core.Signatures(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, sg := range sigs {
		if !ow.reaches(sg.AccountID, sg.OrgID) || (state != "" && sg.State != state) ||
			(acct != 0 && sg.AccountID != acct) || (org != 0 && sg.OrgID != org) {
			continue
		}
		out = append(out, ow.signatureJSON(sg))
	}
	writeJSON(w, http.StatusOK, map[string]any{"signatures": out})
}

// scopedSignature reads the signature of the path's {id}: 404 when there
// is none or it is outside the caller's scope.
func (s *Server) scopedSignature(w http.ResponseWriter, r *http.Request, u *store.User) (*store.Signature, *ownerScope, bool) {
	return scopedOwned(s, w, r, u, "signature", s.core.Signature,
		func(sg *store.Signature) (int64, int64) { return sg.AccountID, sg.OrgID })
}

// scopedOwned reads the object of the path's {id} with get — a signature
// or a template, owned by an account or an organisation: 404 when there is
// none or its owner is outside the caller's scope.
func scopedOwned[T any](s *Server, w http.ResponseWriter, r *http.Request, u *store.User, what string,
	get func(context.Context, int64) (T, error), owner func(T) (acct, org int64)) (T, *ownerScope, bool) {
	var none T
	n, ok := parseID(w, r)
	if !ok {
		return none, nil, false
	}
	ow, err := s.ownerScope(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return none, nil, false
	}
	v, err := get(r.Context(), n)
	if err == nil && !ow.reaches(owner(v)) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no "+what+" with id "+id(n))
		return none, nil, false
	}
	if err != nil {
		s.writeErr(w, r, err)
		return none, nil, false
	}
	return v, ow, true
}

func (s *Server) adminSignature(w http.ResponseWriter, r *http.Request, u *store.User) {
	sg, ow, ok := s.scopedSignature(w, r, u)
	if ok {
		writeJSON(w, http.StatusOK, ow.signatureJSON(sg))
	}
}

// adminCreateSignature registers a signature, pending approval:
// {"text": "【中国邮政】", "account"|"account_id"|"org"|"org_id": …, "default": true}.
func (s *Server) adminCreateSignature(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		ownerRef
		Text    string `json:"text"`
		Default bool   `json:"default"`
	}
	if err := decodeStrict(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	ow, err := s.ownerScope(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	acct, org, ok := s.resolveOwner(w, r, ow, body.ownerRef, "invalid_signature")
	if !ok {
		return
	}
	sg := &store.Signature{AccountID: acct, OrgID: org, Text: body.Text, Default: body.Default, CreatedBy: u.Username}
	ctx := auditTemplated(r, u, "create", "signature", 0, ow.orgOf(acct, org), nil, func(e *store.AuditEntry) any {
		e.ObjectID = id(sg.ID)
		return signatureAudit(sg)
	})
	if err := s.core.CreateSignature(ctx, sg); err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.log.Info("signature registered", "id", sg.ID, "text", sg.Text, "by", u.Username)
	writeJSON(w, http.StatusCreated, ow.signatureJSON(sg))
}

// adminReviewSignature approves a signature, or rejects it with
// {"reason": "…"}.
func (s *Server) adminReviewSignature(approve bool) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, u *store.User) {
		var body struct {
			Reason string `json:"reason"`
		}
		if err := decodeOptional(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
			return
		}
		sg, ow, ok := s.scopedSignature(w, r, u)
		if !ok {
			return
		}
		before, after := signatureAudit(sg), sg
		action := map[bool]string{true: "approve", false: "reject"}[approve]
		ctx := auditTemplated(r, u, action, "signature", sg.ID, ow.orgOf(sg.AccountID, sg.OrgID), before,
			func(*store.AuditEntry) any { return signatureAudit(after) })
		if err := s.core.ReviewSignature(ctx, sg, approve, body.Reason, u.Username); err != nil {
			s.writeErr(w, r, err)
			return
		}
		s.log.Info("signature reviewed", "id", sg.ID, "text", sg.Text, "state", sg.State, "by", u.Username)
		writeJSON(w, http.StatusOK, ow.signatureJSON(sg))
	}
}

// adminDefaultSignature makes a signature its owner's default.
func (s *Server) adminDefaultSignature(w http.ResponseWriter, r *http.Request, u *store.User) {
	sg, ow, ok := s.scopedSignature(w, r, u)
	if !ok {
		return
	}
	before := signatureAudit(sg)
	ctx := auditTemplated(r, u, "update", "signature", sg.ID, ow.orgOf(sg.AccountID, sg.OrgID), before,
		func(*store.AuditEntry) any { return signatureAudit(sg) })
	if err := s.core.SetSignatureDefault(ctx, sg); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ow.signatureJSON(sg))
}

func (s *Server) adminDeleteSignature(w http.ResponseWriter, r *http.Request, u *store.User) {
	sg, ow, ok := s.scopedSignature(w, r, u)
	if !ok {
		return
	}
	ctx := auditTemplated(r, u, "delete", "signature", sg.ID, ow.orgOf(sg.AccountID, sg.OrgID), signatureAudit(sg), nil)
	if err := s.core.DeleteSignature(ctx, sg.ID); err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- templates ----

func (o *ownerScope) templateJSON(t *store.Template) map[string]any {
	return o.ownerJSON(map[string]any{"id": id(t.ID), "code": t.Code, "business": t.Business, "text": t.Text,
		"variables": nonNil(core.TemplateVariables(t.Text)), "state": t.State, "reason": t.Reason,
		"created_by": t.CreatedBy, "created_at": ts(t.CreatedAt), "reviewed_by": t.ReviewedBy, "reviewed_at": ts(t.ReviewedAt)},
		t.AccountID, t.OrgID)
}

func templateAudit(t *store.Template) map[string]any {
	return map[string]any{"code": t.Code, "business": t.Business, "text": t.Text, "account_id": optID(t.AccountID),
		"org_id": optID(t.OrgID), "state": t.State, "reason": t.Reason}
}

// adminTemplates lists the templates in scope: ?state=, ?account=, ?org=, ?business=.
func (s *Server) adminTemplates(w http.ResponseWriter, r *http.Request, u *store.User) {
	ow, err := s.ownerScope(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	state, ok := stateFilter(w, r)
	if !ok {
		return
	}
	acct, org, ok := ow.ownerFilter(w, r)
	if !ok {
		return
	}
	business := r.URL.Query().Get("business")
	ts, err := s.core.Templates(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, t := range ts {
		if !ow.reaches(t.AccountID, t.OrgID) || (state != "" && t.State != state) || (business != "" && t.Business != business) ||
			(acct != 0 && t.AccountID != acct) || (org != 0 && t.OrgID != org) {
			continue
		}
		out = append(out, ow.templateJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": out})
}

// scopedTemplate reads the template of the path's {id} (see scopedOwned).
func (s *Server) scopedTemplate(w http.ResponseWriter, r *http.Request, u *store.User) (*store.Template, *ownerScope, bool) {
	return scopedOwned(s, w, r, u, "template", s.core.Template,
		func(t *store.Template) (int64, int64) { return t.AccountID, t.OrgID })
}

func (s *Server) adminTemplate(w http.ResponseWriter, r *http.Request, u *store.User) {
	t, ow, ok := s.scopedTemplate(w, r, u)
	if ok {
		writeJSON(w, http.StatusOK, ow.templateJSON(t))
	}
}

// adminCreateTemplate registers a template, pending approval:
// {"code": "parcel", "business": "notice", "text": "{name}，您的包裹已到", owner…}.
func (s *Server) adminCreateTemplate(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		ownerRef
		Code     string `json:"code"`
		Business string `json:"business"`
		Text     string `json:"text"`
	}
	if err := decodeStrict(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	ow, err := s.ownerScope(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	acct, org, ok := s.resolveOwner(w, r, ow, body.ownerRef, "invalid_template")
	if !ok {
		return
	}
	t := &store.Template{AccountID: acct, OrgID: org, Code: body.Code, Business: body.Business, Text: body.Text, CreatedBy: u.Username}
	ctx := auditTemplated(r, u, "create", "template", 0, ow.orgOf(acct, org), nil, func(e *store.AuditEntry) any {
		e.ObjectID = id(t.ID)
		return templateAudit(t)
	})
	if err := s.core.CreateTemplate(ctx, t); err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.log.Info("template registered", "id", t.ID, "code", t.Code, "business", t.Business, "by", u.Username)
	writeJSON(w, http.StatusCreated, ow.templateJSON(t))
}

func (s *Server) adminReviewTemplate(approve bool) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, u *store.User) {
		var body struct {
			Reason string `json:"reason"`
		}
		if err := decodeOptional(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
			return
		}
		t, ow, ok := s.scopedTemplate(w, r, u)
		if !ok {
			return
		}
		before := templateAudit(t)
		action := map[bool]string{true: "approve", false: "reject"}[approve]
		ctx := auditTemplated(r, u, action, "template", t.ID, ow.orgOf(t.AccountID, t.OrgID), before,
			func(*store.AuditEntry) any { return templateAudit(t) })
		if err := s.core.ReviewTemplate(ctx, t, approve, body.Reason, u.Username); err != nil {
			s.writeErr(w, r, err)
			return
		}
		s.log.Info("template reviewed", "id", t.ID, "code", t.Code, "state", t.State, "by", u.Username)
		writeJSON(w, http.StatusOK, ow.templateJSON(t))
	}
}

func (s *Server) adminDeleteTemplate(w http.ResponseWriter, r *http.Request, u *store.User) {
	t, ow, ok := s.scopedTemplate(w, r, u)
	if !ok {
		return
	}
	ctx := auditTemplated(r, u, "delete", "template", t.ID, ow.orgOf(t.AccountID, t.OrgID), templateAudit(t), nil)
	if err := s.core.DeleteTemplate(ctx, t.ID); err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
