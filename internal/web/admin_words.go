package web

import (
	"net/http"
	"strings"
)

// Forbidden words (M4): /admin/words lists them with their action —
// reject (the request is refused) or review (it waits in the review
// queue) — adds many at once, one a line, and removes one. Each word is
// one API call, so each is audited and refused on its own: a duplicate or
// a line with nothing to match stays in the box with its reason, the
// others are added.

// maxWordsAtOnce bounds one submission (each word rebuilds the filter).
const maxWordsAtOnce = 500

type wordRow struct {
	ID, Word, Action, ActionLabel, Created, Confirm string
}

type wordProblem struct{ Word, Reason string }

type wordsData struct {
	Rows           []wordRow
	Total, Reject  int
	Review         int
	Q, Action      string
	ActionFilter   []option
	MayEdit        bool
	Add            *form
	Actions        []option
	Problems       []wordProblem
	Added          int
	ReviewQueueURL string
}

func (s *Server) adminWordsPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_words", "adm.words.title")
	if !ok {
		return
	}
	f := newForm()
	f.Vals["action"] = "reject"
	s.showWords(a, http.StatusOK, f, nil, 0)
}

func (s *Server) showWords(a *adminReq, status int, add *form, problems []wordProblem, added int) {
	var out struct {
		Words []apiWord `json:"words"`
	}
	if err := a.call("GET", "/api/v1/admin/filter-words", nil, &out); err != nil {
		a.fail(err)
		return
	}
	q := a.r.URL.Query()
	d := &wordsData{Q: strings.TrimSpace(q.Get("q")), Action: q.Get("action"), MayEdit: a.may("admin_words_edit"), Add: add,
		Problems: problems, Added: added}
	if a.may("admin_review") {
		d.ReviewQueueURL = "/admin/review"
	}
	acts := func(sel string) []option {
		return options(sel, option{Value: "reject", Label: a.v.T("adm.words.action.reject")}, option{Value: "review", Label: a.v.T("adm.words.action.review")})
	}
	d.ActionFilter = append([]option{{Value: "", Label: a.v.T("adm.all")}}, acts(d.Action)...)
	d.Actions = acts(add.Vals["action"])
	for _, fw := range out.Words {
		if fw.Action == "review" {
			d.Review++
		} else {
			d.Reject++
		}
		if (d.Q != "" && !strings.Contains(strings.ToLower(fw.Word), strings.ToLower(d.Q))) || (d.Action != "" && fw.Action != d.Action) {
			continue
		}
		d.Rows = append(d.Rows, wordRow{ID: fw.ID, Word: fw.Word, Action: fw.Action, ActionLabel: a.v.T(catKey("adm", "words", "action", fw.Action)),
			Created: a.when(fw.CreatedAt), Confirm: a.v.Tf("adm.words.confirm_remove", fw.Word)})
	}
	d.Total = len(out.Words)
	a.render(status, "admin_words", d)
}

// adminWordsAdd answers POST /admin/words (words: one a line; action).
func (s *Server) adminWordsAdd(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_words", "adm.words.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "words", "action")
	words := lines(f.Vals["words"])
	switch {
	case len(words) == 0:
		f.fieldErr("words", a.v.T("adm.words.err.empty"))
	case len(words) > maxWordsAtOnce:
		f.fieldErr("words", a.v.Tf("adm.words.err.many", maxWordsAtOnce))
	}
	if f.bad() {
		s.showWords(a, http.StatusBadRequest, f, nil, 0)
		return
	}
	var problems []wordProblem
	var left []string
	added := 0
	for _, word := range words {
		err := a.call("POST", "/api/v1/admin/filter-words", map[string]any{"word": word, "action": f.Vals["action"]}, nil)
		if err == nil {
			added++
			continue
		}
		ae := asAPIError(err)
		if ae == nil {
			a.fail(err)
			return
		}
		if ae.Code == "invalid_action" {
			f.refused(a.v, ae, func(*apiError) (string, string) { return "action", "" })
			s.showWords(a, ae.Status, f, nil, added)
			return
		}
		reason := a.v.apiMsg(ae)
		if ae.Code == "duplicate" {
			reason = a.v.T("adm.words.err.duplicate")
		}
		problems = append(problems, wordProblem{Word: word, Reason: reason})
		left = append(left, word)
	}
	s.log.Info("console: forbidden words added", "user", sess.username, "added", added, "refused", len(problems))
	if len(problems) == 0 {
		a.done("/admin/words", "words_added")
		return
	}
	// What was not added stays in the box to be corrected; what was added is gone from it.
	f.Vals["words"] = strings.Join(left, "\n")
	f.Error, f.Open = a.v.Tf("adm.words.partly", added, len(problems)), true
	s.showWords(a, http.StatusBadRequest, f, problems, added)
}

// adminWordRemove answers POST /admin/words/{id}/delete.
func (s *Server) adminWordRemove(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_words", "adm.words.title")
	if !ok {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
		return
	}
	if err := a.call("DELETE", "/api/v1/admin/filter-words/"+id, nil, nil); err != nil {
		a.fail(err)
		return
	}
	s.log.Info("console: forbidden word removed", "user", sess.username, "id", id)
	a.done("/admin/words", "word_removed")
}
