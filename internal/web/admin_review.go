package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"hongyan/internal/biz/filter"
)

// The review queue (M4): requests whose text has a review word wait here,
// the words marked in the text, for an auditor or a platform
// administrator to approve (the messages go out at once) or reject with a
// reason (they end filtered, nothing is charged). Each decision is the
// API's: scoped, audited, decided once.

type textPart struct {
	Text string
	Mark bool
}

// marked splits text into parts, marking where the words are found the
// way the content filter finds them (case, width, spaces and marks
// between characters ignored), so what is marked is what held the text.
func marked(text string, words []string) []textPart {
	rules := make([]filter.Rule, 0, len(words))
	for i, w := range words {
		rules = append(rules, filter.Rule{ID: int64(i + 1), Word: w, Action: filter.Review})
	}
	f, err := filter.New(rules)
	if err != nil || len(rules) == 0 {
		return []textPart{{Text: text}}
	}
	hits := f.FindAll(text)
	slices.SortFunc(hits, func(a, b filter.Hit) int { return cmp.Compare(a.Start, b.Start) })
	var out []textPart
	at := 0
	for _, h := range hits {
		if h.End <= at {
			continue // inside a span already marked
		}
		start := max(h.Start, at)
		if start > at {
			out = append(out, textPart{Text: text[at:start]})
		}
		out = append(out, textPart{Text: text[start:h.End], Mark: true})
		at = h.End
	}
	if at < len(text) {
		out = append(out, textPart{Text: text[at:]})
	}
	return out
}

type holdRow struct {
	ID, Account, Org, Business, Src, HeldAt, State, StateLabel, DecidedBy, DecidedAt, Reason string
	Numbers                                                                                  int
	Parts                                                                                    []textPart
	Words                                                                                    []string
	ConfirmApprove                                                                           string
	Reject                                                                                   *form
}

type reviewData struct {
	Rows    []holdRow
	Decided bool
	Tabs    []admTab
}

func (s *Server) adminReviewPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_review", "adm.review.title")
	if !ok {
		return
	}
	s.showReview(a, http.StatusOK, "", nil)
}

func (s *Server) showReview(a *adminReq, status int, rejectID string, reject *form) {
	decided := a.r.URL.Query().Get("state") == "decided"
	path := "/api/v1/admin/review?limit=200"
	if decided {
		path += "&state=decided"
	}
	var out struct {
		Holds []apiHold `json:"holds"`
	}
	if err := a.call("GET", path, nil, &out); err != nil {
		a.fail(err)
		return
	}
	d := &reviewData{Decided: decided, Tabs: []admTab{
		{Label: a.v.T("adm.review.waiting"), Href: "/admin/review", Active: !decided},
		{Label: a.v.T("adm.review.decided"), Href: "/admin/review?state=decided", Active: decided}}}
	for _, h := range out.Holds {
		row := holdRow{ID: h.BatchID, Account: h.Account, Org: h.Org, Business: h.Business, Src: h.Src, HeldAt: a.when(h.HeldAt),
			State: h.State, StateLabel: a.v.T(catKey("adm", "review", "state", h.State)), DecidedBy: deref(h.DecidedBy), DecidedAt: a.when(deref(h.DecidedAt)),
			Reason: deref(h.Reason), Numbers: h.Numbers, Parts: marked(h.Content, h.Words), Words: h.Words,
			ConfirmApprove: a.v.Tf("adm.review.confirm_approve", h.Numbers)}
		row.Reject = newForm()
		if h.BatchID == rejectID && reject != nil {
			row.Reject = reject
		}
		d.Rows = append(d.Rows, row)
	}
	a.render(status, "admin_review", d)
}

// adminReviewDecide answers POST /admin/review/{id}/approve and …/reject
// (reason).
func (s *Server) adminReviewDecide(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		a, ok := s.admin(w, r, sess, "admin_review", "adm.review.title")
		if !ok {
			return
		}
		id, ok := pathID(r)
		if !ok {
			s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
			return
		}
		verb, body := "approve", map[string]any(nil)
		f := newForm().keep(r, "reason")
		if !approve {
			verb, body = "reject", map[string]any{"reason": strings.TrimSpace(f.Vals["reason"])}
			if body["reason"] == "" {
				f.fieldErr("reason", a.v.T("adm.review.err.reason"))
				s.showReview(a, http.StatusBadRequest, id, f)
				return
			}
		}
		var out struct {
			Messages int `json:"messages"`
		}
		if err := a.call("POST", "/api/v1/admin/review/"+id+"/"+verb, body, &out); err != nil {
			ae := asAPIError(err)
			switch {
			case ae == nil || ae.Status == http.StatusNotFound:
				a.fail(err)
			case ae.Code == "already_decided":
				a.v.Flash, a.v.Error = a.v.apiMsg(ae), true
				s.showReview(a, ae.Status, "", nil)
			default:
				f.refused(a.v, ae, func(*apiError) (string, string) { return "reason", "" })
				s.showReview(a, ae.Status, id, f)
			}
			return
		}
		s.log.Info("console: held request decided", "user", sess.username, "batch", id, "decision", verb, "messages", out.Messages)
		a.done("/admin/review", map[bool]string{true: "held_approved", false: "held_rejected"}[approve])
	}
}

// ---- signatures and templates ----

// Signatures (签名) and templates (模板) are registered by units (within
// their scope, or for a partner its own account) and approved or rejected
// by platform administrators; /admin/signatures and /admin/templates list
// those in scope by state.

type ownedRow struct {
	ID, Text, Code, Business, Owner, State, StateLabel, Reason, CreatedBy, Created, ReviewedBy string
	Variables                                                                                  []string
	Default, Pending, Approved                                                                 bool
	ConfirmDelete, ConfirmApprove                                                              string
	Reject                                                                                     *form
}

type ownedData struct {
	Kind          string // "signatures" or "templates"
	Rows          []ownedRow
	State         string
	Tabs          []admTab
	MayRegister   bool
	MayReview     bool
	Add           *form
	Owners        []option
	Businesses    []option
	PendingCount  int
	FormAction    string
	ItemPathStart string
}

// ownedKinds are the two lists: the API's path, the page and its title.
var ownedKinds = map[string]struct{ page, title string }{
	"signatures": {"admin_signatures", "adm.sig.title"},
	"templates":  {"admin_templates", "adm.tpl.title"},
}

func (s *Server) adminOwnedPage(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		k := ownedKinds[kind]
		a, ok := s.admin(w, r, sess, k.page, k.title)
		if !ok {
			return
		}
		s.showOwned(a, http.StatusOK, kind, newForm(), "", nil)
	}
}

// ownerOptions lists who a signature or template may be for: the user's
// own unit first ("" lets the API choose it), then the organisations and
// accounts in scope.
func (a *adminReq) ownerOptions(sel string) ([]option, error) {
	ix, err := a.orgs()
	if err != nil {
		return nil, err
	}
	accs, err := a.accounts()
	if err != nil {
		return nil, err
	}
	var out []option
	if a.u.OrgID != 0 || a.u.AccountID != 0 {
		out = append(out, option{Value: "", Label: a.v.T("adm.owned.own")})
	}
	for _, o := range ix.list {
		out = append(out, option{Value: "o:" + o.ID, Label: a.v.T("adm.owned.org") + " " + orgIndent(o.Level) + o.Name})
	}
	for _, x := range accs {
		out = append(out, option{Value: "a:" + x.ID, Label: a.v.T("adm.owned.account") + " " + x.Name})
	}
	if sel == "" && len(out) > 0 {
		sel = out[0].Value
	}
	return options(sel, out...), nil
}

// templateBusinesses lists the business types a template may be for: all
// of them for the platform's roles, else those the accounts in scope may
// use (the core's rule for sending, SendableTypes).
func (a *adminReq) templateBusinesses(sel string) ([]option, error) {
	var out []option
	seen := map[string]bool{}
	if a.may("admin_business") {
		bts, err := a.businessTypes()
		if err != nil {
			return nil, err
		}
		for _, b := range bts {
			out = append(out, option{Value: b.Code, Label: b.Name + " (" + b.Code + ")"})
		}
		return options(sel, out...), nil
	}
	accs, err := a.accounts()
	if err != nil {
		return nil, err
	}
	for _, x := range accs {
		n, _ := strconv.ParseInt(x.ID, 10, 64)
		bts, err := a.s.core.SendableTypes(a.r.Context(), n)
		if err != nil {
			continue // an account the core does not hold (yet): nothing to offer
		}
		for _, b := range bts {
			if !seen[b.Code] {
				seen[b.Code] = true
				out = append(out, option{Value: b.Code, Label: b.Name + " (" + b.Code + ")"})
			}
		}
	}
	slices.SortFunc(out, func(x, y option) int { return strings.Compare(x.Value, y.Value) })
	return options(sel, out...), nil
}

func (s *Server) showOwned(a *adminReq, status int, kind string, add *form, rejectID string, reject *form) {
	state := a.r.URL.Query().Get("state")
	switch state {
	case "", "pending", "approved", "rejected":
	default:
		state = ""
	}
	var out struct {
		Signatures []apiOwned `json:"signatures"`
		Templates  []apiOwned `json:"templates"`
	}
	if err := a.call("GET", "/api/v1/admin/"+kind, nil, &out); err != nil {
		a.fail(err)
		return
	}
	list := out.Signatures
	if kind == "templates" {
		list = out.Templates
	}
	base := "/admin/" + kind
	d := &ownedData{Kind: kind, State: state, MayRegister: a.may("admin_owned_edit"), MayReview: a.may("admin_owned_review"), Add: add,
		FormAction: base, ItemPathStart: base + "/"}
	for _, st := range []string{"", "pending", "approved", "rejected"} {
		href := base
		if st != "" {
			href += "?state=" + st
		}
		d.Tabs = append(d.Tabs, admTab{Label: a.v.T(catKey("adm", "owned", "state", cmp.Or(st, "all"))), Href: href, Active: st == state})
	}
	for _, x := range list {
		if x.State == "pending" {
			d.PendingCount++
		}
		if state != "" && x.State != state {
			continue
		}
		owner := x.Account
		if owner == "" {
			owner = x.Org
		}
		row := ownedRow{ID: x.ID, Text: x.Text, Code: x.Code, Business: x.Business, Owner: owner, State: x.State,
			StateLabel: a.v.T(catKey("adm", "owned", "state", x.State)), Reason: x.Reason, CreatedBy: x.CreatedBy, Created: a.when(x.CreatedAt),
			ReviewedBy: x.ReviewedBy, Variables: x.Variables, Default: x.Default, Pending: x.State == "pending", Approved: x.State == "approved",
			ConfirmDelete: a.v.Tf("adm.owned.confirm_delete", cmp.Or(x.Code, x.Text)), ConfirmApprove: a.v.Tf("adm.owned.confirm_approve", cmp.Or(x.Code, x.Text))}
		row.Reject = newForm()
		if x.ID == rejectID && reject != nil {
			row.Reject = reject
		}
		d.Rows = append(d.Rows, row)
	}
	if d.MayRegister {
		var err error
		if d.Owners, err = a.ownerOptions(add.Vals["owner"]); err != nil {
			a.fail(err)
			return
		}
		if kind == "templates" {
			if d.Businesses, err = a.templateBusinesses(add.Vals["business"]); err != nil {
				a.fail(err)
				return
			}
		}
	}
	a.render(status, "admin_owned", d)
}

// ownedField places a signature or template refusal.
func ownedField(e *apiError) (string, string) {
	m := e.Message
	switch {
	case e.Code == "unknown_business", strings.Contains(m, "business is required"):
		return "business", ""
	case e.Code == "duplicate" && strings.HasPrefix(m, "template code"):
		return "code", "adm.tpl.err.taken"
	case e.Code == "duplicate":
		return "text", ""
	case e.Code == "invalid_template" && strings.Contains(m, ": code"):
		return "code", "adm.tpl.err.code"
	case e.Code == "invalid_template", e.Code == "invalid_signature":
		return "text", ""
	case strings.Contains(m, "owner"), strings.Contains(m, "organisation"), strings.Contains(m, "account"):
		return "owner", ""
	}
	return "", ""
}

// adminOwnedCreate answers POST /admin/signatures (text, owner, default)
// and POST /admin/templates (code, business, text, owner).
func (s *Server) adminOwnedCreate(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		k := ownedKinds[kind]
		a, ok := s.admin(w, r, sess, k.page, k.title)
		if !ok {
			return
		}
		f := newForm().keep(r, "text", "owner", "default", "code", "business")
		body := map[string]any{"text": f.Vals["text"]}
		if kind == "signatures" {
			body["default"] = f.Vals["default"] != ""
		} else {
			body["code"], body["business"] = strings.TrimSpace(f.Vals["code"]), f.Vals["business"]
		}
		switch typ, id, _ := strings.Cut(f.Vals["owner"], ":"); typ {
		case "a":
			body["account_id"] = id
		case "o":
			body["org_id"] = id
		}
		if err := a.call("POST", "/api/v1/admin/"+kind, body, nil); err != nil {
			ae := asAPIError(err)
			if ae == nil {
				a.fail(err)
				return
			}
			f.refused(a.v, ae, ownedField)
			s.showOwned(a, ae.Status, kind, f, "", nil)
			return
		}
		s.log.Info("console: registered", "user", sess.username, "kind", kind, "text", f.Vals["text"])
		a.done("/admin/"+kind+"?state=pending", "owned_added")
	}
}

// adminOwnedAct answers POST /admin/{kind}/{id}/{op}: approve, reject
// (reason), default (a signature) or delete.
func (s *Server) adminOwnedAct(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		k := ownedKinds[kind]
		a, ok := s.admin(w, r, sess, k.page, k.title)
		if !ok {
			return
		}
		id, ok := pathID(r)
		op := r.PathValue("op")
		need := map[string]string{"approve": "admin_owned_review", "reject": "admin_owned_review", "default": "admin_owned_edit", "delete": "admin_owned_edit"}[op]
		if !ok || need == "" || (op == "default" && kind != "signatures") {
			s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
			return
		}
		if !a.may(need) {
			s.log.Warn("console: refused by role", "user", sess.username, "role", sess.role, "path", r.URL.Path)
			s.errorPageFor(w, r, &sess, http.StatusForbidden, "err.forbidden")
			return
		}
		method, path, body := "POST", "/api/v1/admin/"+kind+"/"+id+"/"+op, map[string]any(nil)
		f := newForm().keep(r, "reason")
		switch op {
		case "delete":
			method, path = "DELETE", "/api/v1/admin/"+kind+"/"+id
		case "reject":
			body = map[string]any{"reason": strings.TrimSpace(f.Vals["reason"])}
			if body["reason"] == "" {
				f.fieldErr("reason", a.v.T("adm.review.err.reason"))
				s.showOwned(a, http.StatusBadRequest, kind, newForm(), id, f)
				return
			}
		}
		if err := a.call(method, path, body, nil); err != nil {
			ae := asAPIError(err)
			if ae == nil || ae.Status == http.StatusNotFound || op != "reject" {
				a.fail(err)
				return
			}
			f.refused(a.v, ae, func(*apiError) (string, string) { return "reason", "" })
			s.showOwned(a, ae.Status, kind, newForm(), id, f)
			return
		}
		s.log.Info("console: "+kind+" changed", "user", sess.username, "id", id, "op", op)
		back := "/admin/" + kind
		if st := r.PostFormValue("back_state"); st != "" {
			back += "?state=" + url.QueryEscape(st)
		}
		a.done(back, "owned_"+op)
	}
}
