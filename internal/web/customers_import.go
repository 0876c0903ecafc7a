package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Importing a customer file (A9) in the background, with the number
// library's machinery (library_import.go): POST /customers/import answers
// at once with the job's page, /customers/import/{job}/progress, whose bar
// and counts move without reloading; the records are saved libChunk at a
// time (SaveCustomers: a phone the organisation has already is updated,
// what the row leaves empty keeping its old value), so only a chunk of
// records is in memory beyond the file. The records go to the user's
// organisation, as those added by hand; the roles are /customers' editors.
//
// The page is not /customers/import/{job}: that would overlap
// /customers/{id}/edit for the router (a path /customers/import/edit
// matches both).

var custWords = &jobWords{Title: "cust.import", Where: "cust.title", Added: "cust.imp.added", Updated: "cust.imp.updated",
	Invalid: "cust.imp.invalid", Problems: "cust.imp.problems", Value: "cust.imp.value", ConfirmCancel: "cust.imp.confirm_cancel", Kept: "cust.imp.kept", Cancelled: "cust.imp.cancelled",
	See: "cust.imp.see"}

// customersImport answers POST /customers/import: the file is checked to
// be one the readers know, then read and saved in the background.
func (s *Server) customersImport(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "customers", "cust.title")
	if !ok {
		return
	}
	fail := func(status int, msg string) {
		f := newForm()
		f.Error = msg
		l.showCustomers(status, f)
	}
	name, data, msg := l.readUpload(libMaxUpload)
	if msg == "" {
		msg = l.knownFile(name, data)
	}
	if msg != "" {
		fail(http.StatusBadRequest, msg)
		return
	}
	j := &libJob{id: randomToken(12), kind: jobCustomers, words: custWords, userID: sess.userID, fileName: truncate(name, 200),
		created: s.opts.Now()}
	j.base = "/customers/import/" + j.id
	j.page = j.base + "/progress"
	imp := &customerRows{org: l.ownerOrg(), st: s.core.Store(), rows: make([]*store.Customer, 0, libChunk)}
	if !s.startJob(j, data, imp) {
		fail(http.StatusTooManyRequests, l.v.Tf("cust.imp.err.busy", libJobsPerUser))
		return
	}
	s.log.Info("console: customer import started", "user", sess.username, "org", imp.org, "import", j.id, "file", j.fileName, "bytes", len(data))
	http.Redirect(w, r, j.page, http.StatusSeeOther)
}

// customerRows turns rows into records: phone, name, occupation, age,
// income; a header row is skipped, and its further columns name the
// record's other details.
type customerRows struct {
	org    int64
	st     store.Store
	header []string
	rows   []*store.Customer
}

func (cr *customerRows) take(line int, cells []string, first bool) (bool, *problem) {
	n, err := sms.NormalizeNumber(cellOf(cells, 0))
	switch {
	case err != nil && first && strings.Trim(cellOf(cells, 0), "0123456789+-() ") != "":
		cr.header = append([]string(nil), cells...) // the reader reuses its slice
		return true, nil
	case err != nil:
		return false, &problem{Row: line, Raw: cellOf(cells, 0), Kind: probInvalid, Detail: "num.invalid_number"}
	}
	age, aerr := strconv.Atoi(cellOf(cells, 3))
	if a := cellOf(cells, 3); a != "" && (aerr != nil || age < 1 || age > 120) {
		return false, &problem{Row: line, Raw: a, Kind: probInvalid, Detail: "cust.err.age"}
	}
	c := &store.Customer{OrgID: cr.org, Phone: n, Name: cellOf(cells, 1), Occupation: cellOf(cells, 2), Age: age,
		Income: cellOf(cells, 4), Source: "import"}
	for i := 5; i < len(cells) && i < len(cr.header); i++ {
		if k := strings.TrimSpace(cr.header[i]); k != "" && cellOf(cells, i) != "" {
			if c.Fields == nil {
				c.Fields = map[string]string{}
			}
			c.Fields[k] = cellOf(cells, i)
		}
	}
	cr.rows = append(cr.rows, c)
	return false, nil
}

func (cr *customerRows) pending() int { return len(cr.rows) }

func (cr *customerRows) flush(ctx context.Context) (int, error) {
	n, err := cr.st.SaveCustomers(ctx, cr.rows)
	clear(cr.rows) // the records go with the chunk
	cr.rows = cr.rows[:0]
	return n, err
}

// custJobFor reads the user's customer import of the URL.
func (s *Server) custJobFor(w http.ResponseWriter, r *http.Request, sess session) (*libReq, *libJob, bool) {
	l, ok := s.lib(w, r, sess, "customers", custWords.Title)
	if !ok {
		return nil, nil, false
	}
	j, ok := s.jobOf(w, r, sess, jobCustomers, 0)
	return l, j, ok
}

// customersImportPage answers GET /customers/import/{job}/progress.
func (s *Server) customersImportPage(w http.ResponseWriter, r *http.Request, sess session) {
	l, j, ok := s.custJobFor(w, r, sess)
	if !ok {
		return
	}
	l.render(http.StatusOK, "library_import", j.view(l.v.msgs))
}

// customersImportStatus answers GET /customers/import/{job}/status (JSON).
func (s *Server) customersImportStatus(w http.ResponseWriter, r *http.Request, sess session) {
	l, j, ok := s.custJobFor(w, r, sess)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, j.view(l.v.msgs))
}

// customersImportCancel answers POST /customers/import/{job}/cancel.
func (s *Server) customersImportCancel(w http.ResponseWriter, r *http.Request, sess session) {
	if _, j, ok := s.custJobFor(w, r, sess); ok {
		s.cancelJob(w, r, sess, j)
	}
}

// customersImportProblems answers GET /customers/import/{job}/problems.csv.
func (s *Server) customersImportProblems(w http.ResponseWriter, r *http.Request, sess session) {
	if l, j, ok := s.custJobFor(w, r, sess); ok {
		jobProblems(w, l.v.msgs, j)
	}
}
