package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"hongyan/internal/core"
)

// Contacts a group send leaves out: those lacking a value the text uses
// ({单位} of a contact without 单位) or whose text the core would refuse.
// They are never left out silently: the form says how many lack what,
// lists the first of them (all as CSV), and the user sends to the others
// or goes back; the send records how many were left out and why.

const skipsListed = 20 // contacts listed on the form

// skipped is one contact left out.
type skipped struct {
	Number, Name string
	Missing      []string // the variables it lacks
	Err          error    // or the core's refusal of its text
}

// skipTally counts the contacts left out, by reason.
type skipTally struct {
	total   int
	byVar   map[string]int
	varSeq  []string // the variables in the order first lacked
	refused map[string]int
	refSeq  []string
	first   []skipped
}

// reason is a refusal's key in the tally: the core's code.
func refusalCode(err error) string {
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return "internal"
}

func (t *skipTally) add(sk skipped) {
	if t.byVar == nil {
		t.byVar, t.refused = map[string]int{}, map[string]int{}
	}
	t.total++
	for _, v := range sk.Missing {
		if t.byVar[v]++; t.byVar[v] == 1 {
			t.varSeq = append(t.varSeq, v)
		}
	}
	if sk.Err != nil {
		code := refusalCode(sk.Err)
		if t.refused[code]++; t.refused[code] == 1 {
			t.refSeq = append(t.refSeq, code)
		}
	}
	if len(t.first) < skipsListed {
		t.first = append(t.first, sk)
	}
}

// skipReport is the form's report of the contacts left out.
type skipReport struct {
	Total, Others int
	Reasons       []string // "3 个联系人缺少 {单位}"
	Rows          []skipRow
	More          int
	CSV           string // where the whole list is ("" = none)
}

type skipRow struct{ Number, Name, Why string }

// why says in words why a contact is left out.
func (sk skipped) why(m msgs) string {
	if len(sk.Missing) > 0 {
		vs := make([]string, len(sk.Missing))
		for i, v := range sk.Missing {
			vs[i] = "{" + v + "}"
		}
		return m.Tf("book.skip.lacks", strings.Join(vs, " "))
	}
	return refusalText(m, refusalCode(sk.Err))
}

func (t *skipTally) reasons(m msgs) []string {
	var out []string
	for _, v := range t.varSeq {
		out = append(out, m.Tf("book.skip.reason.var", t.byVar[v], v))
	}
	for _, c := range t.refSeq {
		out = append(out, m.Tf("book.skip.reason.text", t.refused[c], refusalText(m, c)))
	}
	return out
}

func (t *skipTally) report(m msgs, others int, csvURL string) *skipReport {
	rep := &skipReport{Total: t.total, Others: others, Reasons: t.reasons(m), More: t.total - len(t.first), CSV: csvURL}
	for _, sk := range t.first {
		rep.Rows = append(rep.Rows, skipRow{Number: sk.Number, Name: sk.Name, Why: sk.why(m)})
	}
	return rep
}

// groupSkippedCSV answers POST /book/{id}/send/skipped.csv: the group send
// form's contacts left out, all of them, with why (the form posts here
// from its download button).
func (s *Server) groupSkippedCSV(w http.ResponseWriter, r *http.Request, sess session) {
	g, _, ok := s.groupFor(w, r, sess, false)
	if !ok {
		return
	}
	ctx := r.Context()
	m := msgs(catalogue[langOf(r)])
	d := sendForm(r)
	refused := false
	fail := func(status int, key string, args ...any) {
		refused = true
		s.showGroupSend(w, r, sess, status, g, d, m.Tf(key, args...))
	}
	so, err := s.sender(ctx, sess)
	if err != nil {
		s.bookFail(w, r, sess, "skipped contacts", err)
		return
	}
	_, _, tc, _, ok := s.checkBulkSend(ctx, so, d.AccountID, &d.sendData, m, fail)
	if !ok || refused {
		return
	}
	var list []skipped
	err = s.groupRecipients(ctx, g, d.Content, tc, func(recipient) {}, func(sk skipped) {
		if len(list) < maxRows {
			list = append(list, sk)
		}
	})
	if err != nil {
		s.bookFail(w, r, sess, "skipped contacts", err)
		return
	}
	cw := startCSV(w, "contacts-"+strconv.FormatInt(g.ID, 10)+"-skipped.csv")
	_ = cw.Write([]string{m.T("book.col.number"), m.T("book.col.name"), m.T("book.skip.col.why")})
	for _, sk := range list {
		_ = cw.Write([]string{sk.Number, csvSafe(sk.Name), csvSafe(sk.why(m))})
	}
	cw.Flush()
}
