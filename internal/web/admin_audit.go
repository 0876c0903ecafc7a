package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// The audit log (A10, A1): every administrative change with who, what,
// the object and its state before and after, written in the change's own
// transaction. /admin/audit lists the entries in the user's scope (the
// API's: an organisation's administrator those of their organisations),
// newest first, filtered by object and user, a page at a time.

const auditPage = 50

// auditObjects are the object types the filter offers (the API takes any).
var auditObjects = []string{"org", "user", "account", "api_key", "account_limits", "grants", "business_type", "blacklist",
	"filter_word", "hold", "signature", "template", "mo_route", "subscription", "subscription_service",
	"segment_prefix", "ported_number", "contact_group", "number_category", "customer", "survey", "enterprise"}

type auditRow struct {
	ID, At, User, Action, Object, ObjectID, ObjectHref, Org, Before, After string
}

type auditData struct {
	Rows                   []auditRow
	Object, ObjectID, User string
	Objects                []option
	Next                   string
	Filtered               bool
}

func (s *Server) adminAuditPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_audit", "adm.audit.title")
	if !ok {
		return
	}
	q := r.URL.Query()
	d := &auditData{Object: strings.TrimSpace(q.Get("object")), ObjectID: strings.TrimSpace(q.Get("object_id")), User: strings.TrimSpace(q.Get("user"))}
	d.Filtered = d.Object != "" || d.ObjectID != "" || d.User != ""
	opts := []option{{Value: "", Label: a.v.T("adm.all")}}
	for _, o := range auditObjects {
		opts = append(opts, option{Value: o, Label: a.v.auditObject(o)})
	}
	d.Objects = options(d.Object, opts...)
	api := url.Values{"limit": {"51"}}
	for k, v := range map[string]string{"object": d.Object, "object_id": d.ObjectID, "user": d.User, "before": q.Get("before")} {
		if v != "" {
			api.Set(k, v)
		}
	}
	if d.ObjectID != "" && d.Object == "" {
		a.v.Flash, a.v.Error = a.v.T("adm.audit.err.object"), true
		a.render(http.StatusBadRequest, "admin_audit", d)
		return
	}
	var out struct {
		Audit []apiAudit `json:"audit"`
	}
	if err := a.call("GET", "/api/v1/admin/audit?"+api.Encode(), nil, &out); err != nil {
		if ae := asAPIError(err); ae != nil && ae.Status == http.StatusBadRequest {
			a.v.Flash, a.v.Error = a.v.apiMsg(ae), true
			a.render(ae.Status, "admin_audit", d)
			return
		}
		a.fail(err)
		return
	}
	ix, err := a.orgs()
	if err != nil {
		a.fail(err)
		return
	}
	es := out.Audit
	if len(es) > auditPage {
		es = es[:auditPage]
		next := url.Values{}
		for k, v := range map[string]string{"object": d.Object, "object_id": d.ObjectID, "user": d.User} {
			if v != "" {
				next.Set(k, v)
			}
		}
		next.Set("before", es[len(es)-1].ID)
		d.Next = "/admin/audit?" + next.Encode()
	}
	for _, e := range es {
		row := auditRow{ID: e.ID, At: a.when(e.At), User: e.Username, Action: a.v.auditAction(e.Action), Object: a.v.auditObject(e.Object),
			ObjectID: e.ObjectID, Org: ix.name(deref(e.OrgID)), Before: prettyJSON(e.Before), After: prettyJSON(e.After)}
		switch e.Object {
		case "account":
			row.ObjectHref = "/admin/accounts/" + url.PathEscape(e.ObjectID)
		case "business_type":
			row.ObjectHref = "/admin/business-types/" + url.PathEscape(e.ObjectID)
		}
		d.Rows = append(d.Rows, row)
	}
	a.render(http.StatusOK, "admin_audit", d)
}

func (v *view) auditObject(o string) string {
	if t, ok := v.msgs[catKey("adm", "audit", "obj", o)]; ok {
		return t
	}
	return o
}

func (v *view) auditAction(act string) string {
	if t, ok := v.msgs[catKey("adm", "audit", "act", act)]; ok {
		return t
	}
	return act
}

// prettyJSON indents a snapshot for reading ("" for none).
func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
