package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Sending to a number-library category (A5, W2): /library/{id}/send is the
// address book's group send form (addressbook_send.go) for the numbers of
// a category the user sees (owned in scope or granted); the server reads
// them a page at a time and hands them to the core in the background
// exactly as a confirmed file import (sendrun.go), so the numbers never go
// through the browser. Free text, or an approved template without
// variables (a category's numbers carry no values to fill in).

// SendLibrary is the kind of a console send to a library category.
const SendLibrary = "library"

// libPage is how many numbers a read of the category takes.
const libPage = 5000

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
	if cs, err := s.core.Store().NumberCategories(ctx); err == nil { // with its count
		for _, x := range cs {
			if x.ID == c.ID {
				c = x
			}
		}
	}
	return c, true
}

func (s *Server) showLibrarySend(w http.ResponseWriter, r *http.Request, sess session, status int, c *store.NumberCategory, d *groupSendData, flash string) {
	d.Group, d.Contacts = c.Name, int(c.Count)
	d.Action, d.Back = "/library/"+strconv.FormatInt(c.ID, 10)+"/send", "/library?search=1&category="+strconv.FormatInt(c.ID, 10)
	d.page, d.title = "library", "lib.send.title"
	s.showSendForm(w, r, sess, status, d, flash)
}

// librarySendPage answers GET /library/{id}/send.
func (s *Server) librarySendPage(w http.ResponseWriter, r *http.Request, sess session) {
	c, ok := s.sendCategory(w, r, sess)
	if !ok {
		return
	}
	acct, _ := strconv.ParseInt(r.URL.Query().Get("account"), 10, 64)
	s.showLibrarySend(w, r, sess, http.StatusOK, c, &groupSendData{sendData: sendData{AccountID: acct}}, "")
}

// librarySend answers POST /library/{id}/send: check the form, read the
// category, start the hand-over and open the batch page.
func (s *Server) librarySend(w http.ResponseWriter, r *http.Request, sess session) {
	c, ok := s.sendCategory(w, r, sess)
	if !ok {
		return
	}
	d := sendForm(r)
	s.formSend(w, r, sess, d, func(status int, flash string) { s.showLibrarySend(w, r, sess, status, c, d, flash) },
		SendLibrary, c.Name, func(ctx context.Context, tc *tmplChoice, add func(recipient)) error {
			text := d.Content
			if tc != nil {
				if len(tc.vars) > 0 {
					return &fileError{key: "lib.err.template_var", args: []any{tc.vars[0]}}
				}
				var err error
				if text, err = tc.compose(nil); err != nil {
					return err
				}
			}
			segs, _ := sms.Count(text)
			q := store.NumberQuery{CategoryIDs: []int64{c.ID}, Limit: libPage}
			for {
				ns, err := s.core.Store().SearchNumbers(ctx, q)
				if err != nil {
					return err
				}
				for _, n := range ns {
					rc := recipient{Number: n.Number, Text: text, Segs: segs}
					if tc != nil {
						rc.Vars = map[string]string{}
					}
					add(rc)
				}
				if len(ns) < libPage {
					return nil
				}
				q.After = ns[len(ns)-1].Number
			}
		})
}
