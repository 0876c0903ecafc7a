package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Sending to the number library (A5, W2): /library/{id}/send sends to
// every number of a category the user sees (owned in scope or granted),
// /library/send?province=…&city=…&tag=…&category=… to the result of a
// search. Both are the address book's group send form (addressbook_send.go);
// the server runs the query itself at send time, over the categories the
// user sees then (never a list of numbers from the browser), a page at a
// time in number order, each number once, and hands them to the core in
// the background exactly as a confirmed file import (sendrun.go).
//
// Numbers the core would refuse anyway are left out before the hand-over:
// blacklisted for the chosen business type, and numbers no operator or
// gateway serves (they would refuse a whole unit of 1,000). Free text or
// an approved template; {province}/{省份} and {city}/{城市} are each
// number's region as the library has it (a template's number without that
// value is left out, as a contact without a name is).

// SendLibrary is the kind of a console send to a library category or search.
const SendLibrary = "library"

// libPage is how many numbers a read of the library takes.
const libPage = 5000

// libVar is what a template variable is of a library entry; nil for any other.
func libVar(v string) func(store.NumberEntry) string {
	switch v {
	case "province", "省份":
		return func(e store.NumberEntry) string { return e.Province }
	case "city", "城市":
		return func(e store.NumberEntry) string { return e.City }
	}
	return nil
}

// libTextVars are the library's variables in free text.
var libTextVars = []string{"{province}", "{省份}", "{city}", "{城市}"}

// sendCategory reads the category of the URL if the user sees it (404
// otherwise).
func (s *Server) sendCategory(w http.ResponseWriter, r *http.Request, sess session) (*store.NumberCategory, bool) {
	l, ok := s.lib(w, r, sess, "library", "lib.title")
	if !ok {
		return nil, false
	}
	ctx := r.Context()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	c, err := s.core.Store().NumberCategory(ctx, id)
	if err == nil {
		var grants map[int64][]int64
		if grants, err = s.core.Store().NumberGrants(ctx); err == nil && !l.visible(c, grants) {
			err = store.ErrNotFound
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "adm.err.not_found")
		return nil, false
	}
	if err != nil {
		s.pageError(w, r, sess, err)
		return nil, false
	}
	return c, true
}

// libSendHints are the form's hints for library sends.
func libSendHints(d *groupSendData) {
	d.Hint, d.TemplateHint = "lib.send.hint", "lib.send.template_hint"
}

// libSearch is a library search to send to: its query over the categories
// the user sees, and the filter as the URL and the page say it.
type libSearch struct {
	q      store.NumberQuery
	filter url.Values
	label  string
	count  int64
}

// searchFilter is the part of a library search's URL that chooses numbers.
func searchFilter(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"category", "province", "city", "tag", "prefix"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// searchFor reads the search of the URL's query over the categories the
// user sees now; a category the user does not see is 404.
func (s *Server) searchFor(w http.ResponseWriter, r *http.Request, sess session) (*libSearch, bool) {
	l, ok := s.lib(w, r, sess, "library", "lib.search_send.title")
	if !ok {
		return nil, false
	}
	ctx := r.Context()
	st := s.core.Store()
	cats, err := st.NumberCategories(ctx)
	var grants map[int64][]int64
	if err == nil {
		grants, err = st.NumberGrants(ctx)
	}
	if err != nil {
		s.pageError(w, r, sess, err)
		return nil, false
	}
	f := searchFilter(r.URL.Query())
	ls := &libSearch{filter: f, q: store.NumberQuery{Province: f.Get("province"), City: f.Get("city"), Tag: f.Get("tag"), Prefix: f.Get("prefix")}}
	var parts []string
	if f.Has("category") {
		id, _ := strconv.ParseInt(f.Get("category"), 10, 64)
		i := slices.IndexFunc(cats, func(c *store.NumberCategory) bool { return c.ID == id && l.visible(c, grants) })
		if i < 0 {
			s.errorPageFor(w, r, &sess, http.StatusNotFound, "adm.err.not_found")
			return nil, false
		}
		ls.q.CategoryIDs = []int64{id}
		parts = append(parts, l.v.T("lib.category")+" "+cats[i].Name)
	} else {
		for _, c := range cats {
			if l.visible(c, grants) {
				ls.q.CategoryIDs = append(ls.q.CategoryIDs, c.ID)
			}
		}
		parts = append(parts, l.v.T("lib.all_categories"))
	}
	for _, k := range []string{"province", "city", "tag", "prefix"} {
		if v := f.Get(k); v != "" {
			parts = append(parts, l.v.T("lib."+k)+" "+v)
		}
	}
	ls.label = truncate(strings.Join(parts, " · "), 200)
	if ls.count, err = st.CountNumbers(ctx, ls.q); err != nil {
		s.pageError(w, r, sess, err)
		return nil, false
	}
	return ls, true
}

// libTarget is what a library send goes to: a category, or a search's
// result (the search is run again at send time, in the user's scope then).
type libTarget struct {
	label, title string
	count        int64
	action, back string
	q            store.NumberQuery
}

type libResolver func(w http.ResponseWriter, r *http.Request, sess session) (*libTarget, bool)

// categoryTarget is the category of the URL (/library/{id}/send).
func (s *Server) categoryTarget(w http.ResponseWriter, r *http.Request, sess session) (*libTarget, bool) {
	c, ok := s.sendCategory(w, r, sess)
	if !ok {
		return nil, false
	}
	id := strconv.FormatInt(c.ID, 10)
	return &libTarget{label: c.Name, title: "lib.send.title", count: c.Count, action: "/library/" + id + "/send",
		back: "/library?search=1&category=" + id, q: store.NumberQuery{CategoryIDs: []int64{c.ID}}}, true
}

// searchTarget is the search of the URL's query (/library/send?…).
func (s *Server) searchTarget(w http.ResponseWriter, r *http.Request, sess session) (*libTarget, bool) {
	ls, ok := s.searchFor(w, r, sess)
	if !ok {
		return nil, false
	}
	f := ls.filter.Encode()
	return &libTarget{label: ls.label, title: "lib.search_send.title", count: ls.count, action: "/library/send?" + f,
		back: "/library?search=1&" + f, q: ls.q}, true
}

func (s *Server) showLibSend(w http.ResponseWriter, r *http.Request, sess session, status int, t *libTarget, d *groupSendData, flash string) {
	d.Group, d.Contacts = t.label, int(t.count)
	d.Action, d.Back = t.action, t.back
	d.page, d.title = "library", t.title
	libSendHints(d)
	s.showSendForm(w, r, sess, status, d, flash)
}

// libSendPage answers the GET of a library send form.
func (s *Server) libSendPage(resolve libResolver) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		t, ok := resolve(w, r, sess)
		if !ok {
			return
		}
		acct, _ := strconv.ParseInt(r.URL.Query().Get("account"), 10, 64)
		s.showLibSend(w, r, sess, http.StatusOK, t, &groupSendData{sendData: sendData{AccountID: acct}}, "")
	}
}

// libSend answers the POST of a library send form: check the form, read
// the numbers, start the hand-over and open the batch page.
func (s *Server) libSend(resolve libResolver) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		t, ok := resolve(w, r, sess)
		if !ok {
			return
		}
		d := sendForm(r)
		s.formSend(w, r, sess, d, func(status int, flash string) { s.showLibSend(w, r, sess, status, t, d, flash) },
			SendLibrary, t.label, func(ctx context.Context, tc *tmplChoice, add func(recipient)) error {
				return s.libRecipients(ctx, t.q, d, tc, add)
			})
	}
}

// libRecipients reads the numbers of q a page at a time in number order,
// each once (the first category's region when it is in several), leaves
// out those the core would refuse anyway, and adds each with its text.
func (s *Server) libRecipients(ctx context.Context, q store.NumberQuery, d *groupSendData, tc *tmplChoice, add func(recipient)) error {
	if tc != nil {
		for _, v := range tc.vars {
			if libVar(v) == nil {
				return &fileError{key: "lib.err.template_var", args: []any{v}}
			}
		}
	}
	personal := tc == nil && slices.ContainsFunc(libTextVars, func(v string) bool { return strings.Contains(d.Content, v) })
	segsOf := map[string]int{}
	recipientOf := func(e store.NumberEntry) (recipient, bool) {
		if tc != nil {
			vars := make(map[string]string, len(tc.vars))
			for _, v := range tc.vars {
				val := libVar(v)(e)
				if strings.TrimSpace(val) == "" {
					return recipient{}, false
				}
				vars[v] = val
			}
			text, err := tc.compose(vars)
			if err != nil {
				return recipient{}, false
			}
			segs, _ := sms.Count(text)
			return recipient{Number: e.Number, Text: text, Segs: segs, Vars: vars}, true
		}
		text := d.Content
		if personal {
			text = strings.NewReplacer("{province}", e.Province, "{省份}", e.Province, "{city}", e.City, "{城市}", e.City).Replace(text)
		}
		segs, ok := segsOf[text]
		if !ok {
			segs, _ = sms.Count(text)
			if len(segsOf) < 100_000 {
				segsOf[text] = segs
			}
		}
		return recipient{Number: e.Number, Text: text, Segs: segs}, true
	}
	q.After, q.Limit = "", libPage
	last := ""
	for {
		ns, err := s.core.Store().SearchNumbers(ctx, q)
		if err != nil {
			return err
		}
		for _, e := range ns {
			if e.Number == last {
				continue // in another category too
			}
			last = e.Number
			if _, code, _ := s.core.CheckNumber(e.Number); code != "" || s.core.Blocked(e.Number, d.Business) {
				continue
			}
			if rc, ok := recipientOf(e); ok {
				add(rc)
			}
		}
		if len(ns) < libPage {
			return nil
		}
		q.After = ns[len(ns)-1].Number
	}
}
