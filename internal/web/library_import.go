package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Importing a file into a number-library category (A5) in the background:
// the upload returns at once to a page whose progress bar and counts (rows
// read, added, updated, invalid) move without reloading (static/library.js
// polls the job's status); the rows are stored libChunk at a time, each
// chunk its own short transaction, so other writers go on and a file of a
// million numbers never has more than a chunk of entries in memory (the
// file itself is, as every upload: at most libMaxUpload). Cancelling stops
// after the chunk being written: what was stored stays, and the page says
// how much.
//
// Jobs live in this process's memory (like the send imports: one node),
// for an hour after they start; a user runs at most libJobsPerUser of a
// kind at once. Customer files (customers_import.go) are imported by the
// same machinery: a job has a kind, the words of its page and a
// rowImporter that turns rows into records and stores them.

const (
	libMaxUpload    = 64 << 20  // bytes of one library or customer file
	libMaxRows      = 2_000_000 // data rows of one library or customer file
	libChunk        = 1000      // entries or records per transaction
	libJobsPerUser  = 3         // imports one user runs at once
	libKeepProblems = 100_000   // invalid rows kept for the report; more are only counted
	libJobTimeout   = time.Hour
)

// Phases of a library import.
const (
	libRunning   = "running"
	libDone      = "done"
	libFailed    = "failed"
	libCancelled = "cancelled"
)

// Kinds of background import.
const (
	jobLibrary   = "library"
	jobCustomers = "customers"
)

// libJob is one file being imported: into a category (catID, catName),
// or customer records (catID 0).
type libJob struct {
	id       string
	kind     string
	base     string // the URL its status, problems and cancel hang under
	page     string // the URL of its page
	words    *jobWords
	userID   int64
	catID    int64
	catName  string
	fileName string
	size     int64
	created  time.Time
	prog     progress
	cancel   context.CancelFunc
	done     chan struct{} // closed when the job has ended

	mu       sync.Mutex
	phase    string
	err      *fileError
	rows     int // data rows read (a header and empty rows are not)
	added    int
	updated  int // records already there, or repeated in the file
	invalid  int
	problems []problem // the first libKeepProblems invalid rows
	took     time.Duration
}

type libJobs struct {
	mu   sync.Mutex
	byID map[string]*libJob
}

func newLibJobs() *libJobs { return &libJobs{byID: map[string]*libJob{}} }

// add registers j unless its user runs libJobsPerUser imports of its kind
// already; jobs older than importTTL are forgotten.
func (lj *libJobs) add(j *libJob, now time.Time) bool {
	lj.mu.Lock()
	defer lj.mu.Unlock()
	running := 0
	for id, o := range lj.byID {
		o.mu.Lock()
		phase := o.phase
		o.mu.Unlock()
		if phase != libRunning && now.Sub(o.created) > importTTL {
			delete(lj.byID, id)
			continue
		}
		if o.userID == j.userID && o.kind == j.kind && phase == libRunning {
			running++
		}
	}
	if running >= libJobsPerUser {
		return false
	}
	lj.byID[j.id] = j
	return true
}

// get is the job of id if it is the user's, of that kind and category.
func (lj *libJobs) get(id, kind string, userID, catID int64) *libJob {
	lj.mu.Lock()
	defer lj.mu.Unlock()
	j := lj.byID[id]
	if j == nil || j.kind != kind || j.userID != userID || j.catID != catID {
		return nil // another user's import does not exist for this one
	}
	return j
}

// stopCategory cancels the imports into a category and waits for them to
// end, so that none writes after the category is deleted.
func (lj *libJobs) stopCategory(catID int64) {
	lj.mu.Lock()
	var js []*libJob
	for _, j := range lj.byID {
		if j.kind == jobLibrary && j.catID == catID {
			js = append(js, j)
		}
	}
	lj.mu.Unlock()
	for _, j := range js {
		j.cancel()
		<-j.done
	}
}

// jobWords are the catalogue keys of an import's page that differ by what
// is imported (the rest, the bar and the counts, are the same words).
type jobWords struct {
	Title, Where, Added, Updated, Invalid, Problems, Value, ConfirmCancel, Kept, Cancelled, See, Back string
}

var libWords = &jobWords{Title: "lib.imp.title", Added: "lib.imp.added", Updated: "lib.imp.updated", Invalid: "prob.invalid",
	Problems: "imp.problems", Value: "imp.col.number",
	ConfirmCancel: "lib.imp.confirm_cancel", Kept: "lib.imp.kept", Cancelled: "lib.imp.cancelled", See: "lib.imp.see", Back: "lib.imp.back"}

// rowImporter is one kind of import's part: what a row of the file
// becomes, and how the rows taken are stored a chunk at a time.
type rowImporter interface {
	// take reads a row (first: the file's first non-empty one). header:
	// the row names the columns and is not counted; otherwise a problem
	// (the row is invalid), or nil when the row is pending now.
	take(line int, cells []string, first bool) (header bool, prob *problem)
	pending() int
	// flush stores the pending rows and forgets them: how many were new.
	flush(ctx context.Context) (added int, err error)
}

// startJob registers j and imports data in the background; false: its
// user runs libJobsPerUser imports of its kind already.
func (s *Server) startJob(j *libJob, data []byte, imp rowImporter) bool {
	ctx, cancel := context.WithTimeout(context.Background(), libJobTimeout)
	j.cancel, j.done, j.phase, j.size = cancel, make(chan struct{}), libRunning, int64(len(data))
	if !s.libJobs.add(j, j.created) {
		cancel()
		return false
	}
	go s.runImport(ctx, j, data, imp)
	return true
}

// libraryImport answers POST /library/{id}/import: the file is checked to
// be one the readers know, then read and stored in the background; the
// job's page follows.
func (s *Server) libraryImport(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "library", "lib.title")
	if !ok {
		return
	}
	c, ok := l.category(true)
	if !ok {
		return
	}
	fail := func(status int, msg string) {
		f := newForm()
		f.Error = msg
		l.show(status, f, nil)
	}
	name, data, msg := l.readUpload(libMaxUpload)
	if msg == "" {
		msg = l.knownFile(name, data)
	}
	if msg != "" {
		fail(http.StatusBadRequest, msg)
		return
	}
	j := &libJob{id: randomToken(12), kind: jobLibrary, words: libWords, userID: sess.userID, catID: c.ID, catName: c.Name,
		fileName: truncate(name, 200), created: s.opts.Now()}
	j.base = "/library/" + strconv.FormatInt(c.ID, 10) + "/import/" + j.id
	j.page = j.base
	imp := &numberRows{catID: c.ID, st: s.core.Store(), segs: s.core.Segments(), rows: make([]store.NumberEntry, 0, libChunk)}
	if !s.startJob(j, data, imp) {
		fail(http.StatusTooManyRequests, l.v.Tf("lib.imp.err.busy", libJobsPerUser))
		return
	}
	s.log.Info("console: library import started", "user", sess.username, "category", c.ID, "file", j.fileName, "bytes", len(data))
	http.Redirect(w, r, j.page, http.StatusSeeOther)
}

// knownFile says why the readers cannot read the file, or "".
func (l *libReq) knownFile(name string, data []byte) string {
	if _, err := fileKind(name, data); err != nil {
		var fe *fileError
		errors.As(err, &fe)
		return l.v.Tf(fe.key, fe.args...)
	}
	return ""
}

// numberRows turns rows into a category's entries: number, province,
// city, tags (separated by |); a header row is skipped.
type numberRows struct {
	catID int64
	st    store.Store
	segs  *gateway.Segments
	rows  []store.NumberEntry
}

func (nr *numberRows) take(line int, cells []string, first bool) (bool, *problem) {
	n, err := sms.NormalizeNumber(cellOf(cells, 0))
	switch {
	case err != nil && first && strings.Trim(cellOf(cells, 0), "0123456789+-() ") != "":
		return true, nil // a header row (号码,省份,城市,标签)
	case err != nil:
		return false, &problem{Row: line, Raw: cellOf(cells, 0), Kind: probInvalid, Detail: "num.invalid_number"}
	}
	var tags []string
	if t := cellOf(cells, 3); t != "" {
		tags = strings.Split(t, "|")
	}
	nr.rows = append(nr.rows, store.NumberEntry{CategoryID: nr.catID, Number: n, Province: truncate(cellOf(cells, 1), 50),
		City: truncate(cellOf(cells, 2), 50), Operator: nr.segs.Operator(n), Tags: tags})
	return false, nil
}

func (nr *numberRows) pending() int { return len(nr.rows) }

func (nr *numberRows) flush(ctx context.Context) (int, error) {
	n, err := nr.st.AddNumbers(ctx, nr.rows)
	nr.rows = nr.rows[:0]
	return n, err
}

// cellOf is cell i of a row, trimmed; "" past its end.
func cellOf(cells []string, i int) string {
	if i < len(cells) {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

// runImport reads the file and has imp store its valid rows a chunk at a
// time. Reading stops when ctx ends (cancelled); a chunk being written is
// written whole, with a context of its own.
func (s *Server) runImport(ctx context.Context, j *libJob, data []byte, imp rowImporter) {
	defer close(j.done)
	defer j.cancel()
	start := time.Now()
	flush := func() error {
		n := imp.pending()
		if n == 0 {
			return nil
		}
		wctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		added, err := imp.flush(wctx)
		if err != nil {
			return fmt.Errorf("console: %s import %q: %w", j.kind, j.fileName, err)
		}
		j.mu.Lock()
		j.added += added
		j.updated += n - added
		j.mu.Unlock()
		return nil
	}
	first := true
	err := readRows(ctx, j.fileName, data, &j.prog, func(line int, cells []string) error {
		header, prob := imp.take(line, cells, first)
		first = false
		if header {
			return nil
		}
		j.mu.Lock()
		j.rows++
		rows := j.rows
		if prob != nil {
			j.invalid++
			if len(j.problems) < libKeepProblems {
				j.problems = append(j.problems, *prob)
			}
		}
		j.mu.Unlock()
		switch {
		case rows > libMaxRows:
			return badFile("imp.err.too_many_rows", libMaxRows)
		case imp.pending() >= libChunk:
			return flush()
		}
		return nil
	})
	if err == nil && ctx.Err() == nil {
		err = flush()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.took = time.Since(start)
	switch {
	case errors.Is(err, context.Canceled) || err == nil && errors.Is(ctx.Err(), context.Canceled):
		j.phase = libCancelled
		s.log.Info("console: import cancelled", "kind", j.kind, "import", j.id, "category", j.catID, "rows", j.rows, "added", j.added)
		return
	case err == nil && j.rows == 0:
		err = badFile("imp.err.no_rows")
	}
	if err != nil {
		var fe *fileError
		if !errors.As(err, &fe) {
			s.log.Error("console: import", "kind", j.kind, "import", j.id, "category", j.catID, "err", err)
			fe = &fileError{key: "imp.err.read", args: []any{err.Error()}}
		}
		j.phase, j.err = libFailed, fe
		return
	}
	j.prog.done.Store(j.prog.total.Load())
	j.phase = libDone
	s.log.Info("console: file imported", "kind", j.kind, "import", j.id, "category", j.catID, "file", j.fileName, "rows", j.rows,
		"added", j.added, "updated", j.updated, "invalid", j.invalid, "took", j.took.Round(time.Millisecond))
}

// libJobView is the import page's data and, in part, its status JSON.
type libJobView struct {
	URL          string       `json:"-"` // what the cancel, the status and the problems hang under
	Words        *jobWords    `json:"-"`
	Where        string       `json:"-"` // the category, or what is imported
	WhereURL     string       `json:"-"`
	SeeURL       string       `json:"-"`
	BackURL      string       `json:"-"`
	FileName     string       `json:"-"`
	Size         string       `json:"-"`
	Phase        string       `json:"phase"`
	Percent      int          `json:"percent"`
	Rows         int          `json:"rows"`
	Added        int          `json:"added"`
	Updated      int          `json:"updated"`
	Invalid      int          `json:"invalid"`
	Stored       int          `json:"stored"` // added and updated
	Text         string       `json:"text"`
	ErrText      string       `json:"-"`
	Report       string       `json:"-"` // the final counts, in a sentence
	Problems     []problemRow `json:"-"`
	MoreProblems int          `json:"-"`
	StatusURL    string       `json:"-"`
}

func (j *libJob) view(m msgs) *libJobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	pct := int(j.prog.fraction() * 100)
	jv := &libJobView{URL: j.base, Words: j.words, FileName: j.fileName, Size: sizeText(j.size),
		Phase: j.phase, Percent: pct, Rows: j.rows, Added: j.added, Updated: j.updated, Invalid: j.invalid,
		Stored: j.added + j.updated, StatusURL: j.base + "/status"}
	if j.kind == jobLibrary {
		jv.Where, jv.WhereURL = j.catName, "/library?search=1&category="+strconv.FormatInt(j.catID, 10)
		jv.SeeURL, jv.BackURL = jv.WhereURL, "/library"
	} else {
		jv.Where, jv.WhereURL, jv.SeeURL = m.T(j.words.Where), "/customers", "/customers"
	}
	jv.Text = m.Tf("lib.imp.progress", pct, j.rows, j.added, j.updated, j.invalid)
	if j.err != nil {
		jv.ErrText = m.Tf(j.err.key, j.err.args...)
	}
	if j.phase == libDone {
		if j.kind == jobLibrary {
			jv.Report = m.Tf("lib.import.done", j.fileName, j.catName, j.rows, j.added, j.updated, j.invalid)
		} else {
			jv.Report = m.Tf("cust.import.done", j.fileName, j.rows, j.added, j.updated, j.invalid)
		}
	}
	if j.phase != libRunning {
		for _, p := range j.problems[:min(len(j.problems), listProblems)] {
			jv.Problems = append(jv.Problems, problemRow{Row: p.Row, Raw: p.Raw, Reason: problemReason(m, p)})
		}
		jv.MoreProblems = max(j.invalid-listProblems, 0)
	}
	return jv
}

// libJobFor reads the category (owned in scope) and the user's job of the URL.
func (s *Server) libJobFor(w http.ResponseWriter, r *http.Request, sess session) (*libReq, *libJob, bool) {
	l, ok := s.lib(w, r, sess, "library", "lib.imp.title")
	if !ok {
		return nil, nil, false
	}
	c, ok := l.category(true)
	if !ok {
		return nil, nil, false
	}
	j, ok := s.jobOf(w, r, sess, jobLibrary, c.ID)
	return l, j, ok
}

// jobOf is the user's import of the URL, of that kind and category; a
// 404 when there is none.
func (s *Server) jobOf(w http.ResponseWriter, r *http.Request, sess session, kind string, catID int64) (*libJob, bool) {
	j := s.libJobs.get(r.PathValue("job"), kind, sess.userID, catID)
	if j == nil {
		if wantsJSON(r) {
			writeJSONError(w, http.StatusNotFound, "not_found", "no such import; it may have expired")
		} else {
			s.errorPageFor(w, r, &sess, http.StatusNotFound, "imp.gone")
		}
		return nil, false
	}
	return j, true
}

// libraryImportPage answers GET /library/{id}/import/{job}.
func (s *Server) libraryImportPage(w http.ResponseWriter, r *http.Request, sess session) {
	l, j, ok := s.libJobFor(w, r, sess)
	if !ok {
		return
	}
	l.render(http.StatusOK, "library_import", j.view(l.v.msgs))
}

// libraryImportStatus answers GET /library/{id}/import/{job}/status (JSON),
// what the page polls.
func (s *Server) libraryImportStatus(w http.ResponseWriter, r *http.Request, sess session) {
	l, j, ok := s.libJobFor(w, r, sess)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, j.view(l.v.msgs))
}

// libraryImportCancel answers POST /library/{id}/import/{job}/cancel.
func (s *Server) libraryImportCancel(w http.ResponseWriter, r *http.Request, sess session) {
	_, j, ok := s.libJobFor(w, r, sess)
	if !ok {
		return
	}
	s.cancelJob(w, r, sess, j)
}

// cancelJob stops an import and goes back to its page.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request, sess session, j *libJob) {
	j.cancel()
	s.log.Info("console: import cancel asked", "user", sess.username, "kind", j.kind, "import", j.id, "category", j.catID)
	http.Redirect(w, r, j.page, http.StatusSeeOther)
}

// libraryImportProblems answers GET /library/{id}/import/{job}/problems.csv:
// the invalid rows kept, with why.
func (s *Server) libraryImportProblems(w http.ResponseWriter, r *http.Request, sess session) {
	l, j, ok := s.libJobFor(w, r, sess)
	if !ok {
		return
	}
	jobProblems(w, l.v.msgs, j)
}

// jobProblems writes an import's invalid rows kept as CSV: line, value, reason.
func jobProblems(w http.ResponseWriter, m msgs, j *libJob) {
	j.mu.Lock()
	probs := slices.Clone(j.problems)
	j.mu.Unlock()
	cw := startCSV(w, j.kind+"-import-"+j.id+"-problems.csv")
	_ = cw.Write([]string{m.T("imp.col.row"), m.T(j.words.Value), m.T("imp.col.reason")})
	for _, p := range probs {
		_ = cw.Write([]string{strconv.Itoa(p.Row), csvSafe(p.Raw), problemReason(m, p)})
	}
	cw.Flush()
}
