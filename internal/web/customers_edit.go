package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Editing one customer record in place (A9): /customers/{id}/edit shows
// the record in a form, its other details one row each (a name and a
// value; a row is removed with its box ticked or its name cleared, added
// in the empty rows at the end). Saving replaces the record
// (UpdateCustomer): a phone another record of the organisation has is
// refused next to the field, and a refused form keeps what was typed.

// custFieldRows is how many empty rows the form offers for new details.
const custFieldRows = 3

// custField is one row of other details on the form.
type custField struct {
	Key, Val string
	Del      bool
}

type custEditData struct {
	ID     int64
	Owner  string
	Source string
	Form   *form
	Fields []custField
	Back   string
}

// customerFor reads the record of the URL, 404 when out of scope.
func (l *libReq) customerFor() (*store.Customer, bool) {
	id, _ := strconv.ParseInt(l.r.PathValue("id"), 10, 64)
	c, err := l.s.core.Store().GetCustomer(l.r.Context(), id)
	if err == nil && !l.sc.Org(c.OrgID) {
		err = store.ErrNotFound // out of scope is as absent
	}
	if errors.Is(err, store.ErrNotFound) {
		l.s.errorPageFor(l.w, l.r, &l.sess, http.StatusNotFound, "adm.err.not_found")
		return nil, false
	}
	if err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return nil, false
	}
	return c, true
}

func (l *libReq) showCustomerEdit(status int, c *store.Customer, f *form, fields []custField) {
	d := &custEditData{ID: c.ID, Source: c.Source, Form: f, Back: "/customers?q=" + c.Phone}
	d.Owner = l.v.T("lib.platform")
	if orgs, err := l.s.core.Store().Orgs(l.r.Context()); err == nil {
		if i := slices.IndexFunc(orgs, func(o *store.Org) bool { return o.ID == c.OrgID }); i >= 0 {
			d.Owner = orgs[i].Name
		}
	}
	d.Fields = fields
	for range custFieldRows {
		d.Fields = append(d.Fields, custField{})
	}
	l.render(status, "customers_edit", d)
}

// customerEditPage answers GET /customers/{id}/edit.
func (s *Server) customerEditPage(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.edit.title")
	if !ok {
		return
	}
	c, ok := l.customerFor()
	if !ok {
		return
	}
	f := newForm()
	f.Vals["phone"], f.Vals["name"], f.Vals["occupation"], f.Vals["income"] = c.Phone, c.Name, c.Occupation, c.Income
	if c.Age > 0 {
		f.Vals["age"] = strconv.Itoa(c.Age)
	}
	var fields []custField
	for k, v := range c.Fields {
		fields = append(fields, custField{Key: k, Val: v})
	}
	slices.SortFunc(fields, func(a, b custField) int { return strings.Compare(a.Key, b.Key) })
	l.showCustomerEdit(http.StatusOK, c, f, fields)
}

// customerEdit answers POST /customers/{id}/edit.
func (s *Server) customerEdit(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.edit.title")
	if !ok {
		return
	}
	old, ok := l.customerFor()
	if !ok {
		return
	}
	f := newForm().keep(r, "phone", "name", "occupation", "age", "income")
	c := &store.Customer{ID: old.ID, OrgID: old.OrgID, Name: strings.TrimSpace(f.Vals["name"]), Occupation: strings.TrimSpace(f.Vals["occupation"]),
		Income: strings.TrimSpace(f.Vals["income"]), Source: old.Source, CreatedAt: old.CreatedAt}
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
	fields := postedFields(r)
	for _, fl := range fields {
		k := strings.TrimSpace(fl.Key)
		switch {
		case fl.Del:
			continue
		case k == "":
			f.fieldErr("fields", l.v.T("cust.err.field_name"))
			continue
		}
		if _, dup := c.Fields[k]; dup {
			f.fieldErr("fields", l.v.Tf("cust.err.field_dup", k))
			continue
		}
		if c.Fields == nil {
			c.Fields = map[string]string{}
		}
		c.Fields[k] = strings.TrimSpace(fl.Val)
	}
	if f.bad() {
		l.showCustomerEdit(http.StatusBadRequest, old, f, fields)
		return
	}
	if err := s.core.Store().UpdateCustomer(r.Context(), c); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			f.fieldErr("phone", l.v.Tf("cust.err.phone_taken", c.Phone))
			l.showCustomerEdit(http.StatusConflict, old, f, fields)
			return
		}
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: customer edited", "user", sess.username, "customer", c.ID)
	l.done("/customers?q="+url.QueryEscape(c.Phone), "saved")
}

// postedFields reads the form's rows of other details: fkey and fval
// aligned, fdel the indexes of rows ticked for removal. Rows left wholly
// empty are dropped.
func postedFields(r *http.Request) []custField {
	keys, vals := r.PostForm["fkey"], r.PostForm["fval"]
	del := r.PostForm["fdel"]
	var out []custField
	for i, k := range keys {
		fl := custField{Key: truncate(k, 100), Del: slices.Contains(del, strconv.Itoa(i))}
		if i < len(vals) {
			fl.Val = truncate(vals[i], 500)
		}
		if strings.TrimSpace(fl.Key) == "" && strings.TrimSpace(fl.Val) == "" {
			continue
		}
		out = append(out, fl)
	}
	return out
}
