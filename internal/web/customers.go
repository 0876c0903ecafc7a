package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"hongyan/internal/core"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Customer information (A9): /customers searches, counts, adds (a phone
// already recorded is updated), deletes and imports (in the background:
// customers_import.go) the records of the user's organisation subtree,
// and configures the survey keywords whose SMS replies create records
// (core/survey.go).

type custData struct {
	Rows    []*store.Customer
	Q       string
	Occ0    string               // the occupation searched for (a statistic clicked)
	Next    string               // the next page's URL; "" = the last page
	First   string               // the first page's URL when on a later one
	Stats   *store.CustomerStats // of the search, not only of the page
	Occ     []kv
	Unknown string // the label of a statistic's empty value
	Age     []kv
	Income  []kv
	MayEdit bool
	Add     *form
	Surveys []*store.Survey
	Orgs    map[int64]string
}

type kv struct {
	K string
	N int64
}

func sortedKV(m map[string]int64, unknown string) []kv {
	var out []kv
	for k, n := range m {
		if k == "" {
			k = unknown
		}
		out = append(out, kv{k, n})
	}
	slices.SortFunc(out, func(a, b kv) int {
		if a.N != b.N {
			return int(b.N - a.N)
		}
		return strings.Compare(a.K, b.K)
	})
	return out
}

func (s *Server) customersPage(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.title")
	if !ok {
		return
	}
	l.showCustomers(http.StatusOK, newForm())
}

func (l *libReq) showCustomers(status int, f *form) {
	ctx := l.r.Context()
	st := l.s.core.Store()
	uq := l.r.URL.Query()
	d := &custData{Q: strings.TrimSpace(uq.Get("q")), Occ0: strings.TrimSpace(uq.Get("occ")), MayEdit: slices.Contains(libEditors, l.u.Role),
		Add: f, Orgs: map[int64]string{0: l.v.T("lib.platform")}}
	// The search, its statistics and its pages are one query: the page
	// lists libShow records of it, newest first, the statistics count all.
	before, _ := strconv.ParseInt(uq.Get("before"), 10, 64)
	cq := store.CustomerQuery{OrgIDs: l.sc.OrgIDs(), Text: d.Q, Occupation: d.Occ0, BeforeID: before, Limit: libShow + 1}
	var err error
	if d.Rows, err = st.Customers(ctx, cq); err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	page := func(before int64) string {
		v := url.Values{}
		if d.Q != "" {
			v.Set("q", d.Q)
		}
		if d.Occ0 != "" {
			v.Set("occ", d.Occ0)
		}
		if before > 0 {
			v.Set("before", strconv.FormatInt(before, 10))
		}
		return "/customers?" + v.Encode()
	}
	if len(d.Rows) > libShow {
		d.Rows = d.Rows[:libShow]
		d.Next = page(d.Rows[libShow-1].ID)
	}
	if before > 0 {
		d.First = page(0)
	}
	if d.Stats, err = st.CustomerStatsOf(ctx, cq); err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	unknown := l.v.T("cust.unknown")
	d.Unknown = unknown
	d.Occ, d.Age, d.Income = sortedKV(d.Stats.ByOccupation, unknown), sortedKV(d.Stats.ByAge, unknown), sortedKV(d.Stats.ByIncome, unknown)
	svs, err := st.Surveys(ctx)
	if err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	for _, sv := range svs {
		if l.sc.Org(sv.OrgID) {
			d.Surveys = append(d.Surveys, sv)
		}
	}
	orgs, err := st.Orgs(ctx)
	if err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	for _, o := range orgs {
		d.Orgs[o.ID] = o.Name
	}
	l.render(status, "customers", d)
}

// customerOf reads a record from the posted fields.
func (l *libReq) customerOf(f *form) *store.Customer {
	c := &store.Customer{OrgID: l.ownerOrg(), Name: strings.TrimSpace(f.Vals["name"]), Occupation: strings.TrimSpace(f.Vals["occupation"]),
		Income: strings.TrimSpace(f.Vals["income"]), Source: "form"}
	if n, err := sms.NormalizeNumber(f.Vals["phone"]); err != nil {
		f.fieldErr("phone", l.v.T("cust.err.phone"))
	} else {
		c.Phone = n
	}
	if a := strings.TrimSpace(f.Vals["age"]); a != "" {
		if n, err := strconv.Atoi(a); err != nil || n < 1 || n > 120 {
			f.fieldErr("age", l.v.T("cust.err.age"))
		} else {
			c.Age = n
		}
	}
	// Custom fields: one "name=value" a line.
	for _, line := range strings.Split(f.Vals["fields"], "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if k = strings.TrimSpace(k); ok && k != "" {
			if c.Fields == nil {
				c.Fields = map[string]string{}
			}
			c.Fields[k] = strings.TrimSpace(v)
		}
	}
	return c
}

func (s *Server) customerSave(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "phone", "name", "occupation", "age", "income", "fields")
	c := l.customerOf(f)
	if f.bad() {
		l.showCustomers(http.StatusBadRequest, f)
		return
	}
	if _, err := s.core.Store().SaveCustomers(r.Context(), []*store.Customer{c}); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: customer saved", "user", sess.username, "customer", c.ID)
	l.done("/customers?q="+c.Phone, "saved")
}

func (s *Server) customerDelete(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.title")
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	c, err := s.core.Store().GetCustomer(r.Context(), id)
	if err == nil && !l.sc.Org(c.OrgID) {
		err = store.ErrNotFound // out of scope is as absent
	}
	if err == nil {
		err = s.core.Store().DeleteCustomer(r.Context(), id)
	}
	if errors.Is(err, store.ErrNotFound) {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "adm.err.not_found")
		return
	}
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: customer deleted", "user", sess.username, "customer", id)
	l.done("/customers", "deleted")
}

func (s *Server) surveyCreate(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "keyword", "reply")
	kw := core.MOKeyword(f.Vals["keyword"])
	if kw == "" {
		f.fieldErr("keyword", l.v.T("cust.err.keyword"))
		l.showCustomers(http.StatusBadRequest, f)
		return
	}
	sv := &store.Survey{OrgID: l.ownerOrg(), Keyword: kw, Reply: strings.TrimSpace(f.Vals["reply"])}
	if err := s.core.Store().CreateSurvey(r.Context(), sv); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			f.fieldErr("keyword", l.v.T("cust.err.keyword_dup"))
			l.showCustomers(http.StatusConflict, f)
			return
		}
		s.pageError(w, r, sess, err)
		return
	}
	s.core.ForgetSurveys()
	s.log.Info("console: survey keyword added", "user", sess.username, "keyword", kw, "org", sv.OrgID)
	l.done("/customers", "survey_added")
}

func (s *Server) surveyDelete(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.title")
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	svs, err := s.core.Store().Surveys(r.Context())
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	i := slices.IndexFunc(svs, func(sv *store.Survey) bool { return sv.ID == id && l.sc.Org(sv.OrgID) })
	if i < 0 {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "adm.err.not_found")
		return
	}
	if err := s.core.Store().DeleteSurvey(r.Context(), id); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	s.core.ForgetSurveys()
	l.done("/customers", "survey_removed")
}
