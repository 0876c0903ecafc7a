package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"hongyan/internal/core"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Customer information (A9): /customers searches, counts, adds (a phone
// already recorded is updated), deletes and imports the records of the
// user's organisation subtree, and configures the survey keywords whose
// SMS replies create records (core/survey.go).

type custData struct {
	Rows    []*store.Customer
	Q       string
	Stats   *store.CustomerStats
	Occ     []kv
	Age     []kv
	Income  []kv
	MayEdit bool
	Add     *form
	Report  *libReport
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
	l.showCustomers(http.StatusOK, newForm(), nil)
}

func (l *libReq) showCustomers(status int, f *form, rep *libReport) {
	ctx := l.r.Context()
	st := l.s.core.Store()
	d := &custData{Q: strings.TrimSpace(l.r.URL.Query().Get("q")), MayEdit: slices.Contains(libEditors, l.u.Role), Add: f, Report: rep,
		Orgs: map[int64]string{0: l.v.T("lib.platform")}}
	ids := l.sc.OrgIDs()
	var err error
	if d.Rows, err = st.Customers(ctx, store.CustomerQuery{OrgIDs: ids, Text: d.Q, Limit: libShow}); err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	if d.Stats, err = st.CustomerStats(ctx, ids); err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	unknown := l.v.T("cust.unknown")
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
		l.showCustomers(http.StatusBadRequest, f, nil)
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

// customersImport reads phone, name, occupation, age, income per row; a
// header row is skipped; further columns become custom fields named by
// the header.
func (s *Server) customersImport(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.title")
	if !ok {
		return
	}
	name, data, msg := l.readUpload()
	if msg != "" {
		f := newForm()
		f.Error = msg
		l.showCustomers(http.StatusBadRequest, f, nil)
		return
	}
	rep := &libReport{File: name}
	var cs []*store.Customer
	var header []string
	err := readRows(r.Context(), name, data, &progress{}, func(line int, cells []string) error {
		if rep.Rows++; rep.Rows > maxRows {
			return badFile("imp.err.too_many_rows", maxRows)
		}
		cell := func(i int) string {
			if i < len(cells) {
				return strings.TrimSpace(cells[i])
			}
			return ""
		}
		n, err := sms.NormalizeNumber(cell(0))
		age, aerr := strconv.Atoi(cell(3))
		switch {
		case err != nil && line == 1 && strings.Trim(cell(0), "0123456789+-() ") != "":
			rep.Rows--
			header = cells
			return nil
		case err == nil && cell(3) != "" && (aerr != nil || age < 1 || age > 120):
			err = errors.New("age")
		}
		if err != nil {
			rep.Invalid++
			if len(rep.Bad) < 100 {
				rep.Bad = append(rep.Bad, fmt.Sprintf("%d: %s", line, strings.Join(cells, ",")))
			}
			return nil
		}
		c := &store.Customer{OrgID: l.ownerOrg(), Phone: n, Name: cell(1), Occupation: cell(2), Age: age, Income: cell(4), Source: "import"}
		for i := 5; i < len(cells) && i < len(header); i++ {
			if k := strings.TrimSpace(header[i]); k != "" && cell(i) != "" {
				if c.Fields == nil {
					c.Fields = map[string]string{}
				}
				c.Fields[k] = cell(i)
			}
		}
		cs = append(cs, c)
		return nil
	})
	var fe *fileError
	if errors.As(err, &fe) {
		f := newForm()
		f.Error = l.v.Tf(fe.key, fe.args...)
		l.showCustomers(http.StatusBadRequest, f, nil)
		return
	}
	if err != nil {
		s.pageError(w, r, sess, fmt.Errorf("console: customer import %q: %w", name, err))
		return
	}
	for i := 0; i < len(cs); i += 1000 {
		n, err := s.core.Store().SaveCustomers(r.Context(), cs[i:min(i+1000, len(cs))])
		if err != nil {
			s.pageError(w, r, sess, fmt.Errorf("console: customer import %q: %w", name, err))
			return
		}
		rep.Added += n
	}
	rep.Updated = len(cs) - rep.Added
	s.log.Info("console: customers imported", "user", sess.username, "file", name, "added", rep.Added, "invalid", rep.Invalid)
	l.showCustomers(http.StatusOK, newForm(), rep)
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
		l.showCustomers(http.StatusBadRequest, f, nil)
		return
	}
	sv := &store.Survey{OrgID: l.ownerOrg(), Keyword: kw, Reply: strings.TrimSpace(f.Vals["reply"])}
	if err := s.core.Store().CreateSurvey(r.Context(), sv); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			f.fieldErr("keyword", l.v.T("cust.err.keyword_dup"))
			l.showCustomers(http.StatusConflict, f, nil)
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
