package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// File import (W2, M7): upload, then the server reads and checks the file
// in the background while the page shows a progress bar; then a preview
// and a report of the rows that will not be sent (invalid, duplicate,
// blacklisted, …), downloadable as CSV; sending starts only when the user
// confirms, and runs in the background (sendrun.go).
//
// An import being checked lives in this process's memory for an hour: it
// is a preview, nothing is decided until the user confirms (with several
// nodes, the preview page needs the node that read the file; a load
// balancer keeps a browser on one). From the confirmation on, the rows are
// in the database (sendrun.go): a crash or a restart resumes the send.

const (
	importTTL      = time.Hour
	importsPerUser = 5
	previewRows    = 10
	listProblems   = 100
)

// work holds the imports being checked and the sends being handed to the
// core (sendrun.go).
type work struct {
	mu      sync.Mutex
	imports map[string]*importJob
	runs    map[int64]*sendRun
}

func newWork() *work {
	return &work{imports: map[string]*importJob{}, runs: map[int64]*sendRun{}}
}

// importJob is one uploaded file.
type importJob struct {
	id       string
	userID   int64
	username string
	account  *store.Account
	bt       *store.BusinessType
	maxSegs  int
	content  string // the text, or a template with {fields}
	// An approved template instead of free text: tpl is its id (what each
	// unit's SendRequest.Template names), vars its variables (columns of
	// the file by header name), compose the core's composition of one row.
	tpl      string
	vars     []string
	compose  func(map[string]string) (string, error)
	schedule time.Time
	fileName string
	size     int64
	created  time.Time
	prog     progress

	mu     sync.Mutex
	phase  string // importParsing, importReady, importFailed, importSent
	err    *fileError
	res    *importResult
	sendID int64
}

const (
	importParsing = "parsing"
	importReady   = "ready"
	importFailed  = "failed"
	importSent    = "sent"
)

// importResult is what the check found.
type importResult struct {
	Header    []string // the header row, when the file has one
	NumberCol int      // 0-based column of the numbers
	Fields    []string // template fields used
	Rows      int      // data rows read (empty rows are skipped)
	Valid     []recipient
	Problems  []problem
	Counts    map[string]int // problem kind → rows
	Segments  int            // over the valid rows
	FeeLi     int64
	Personal  bool // the texts differ from row to row
}

// recipient is one row that will be sent.
type recipient struct {
	Row    int
	Number string
	Text   string // as it will be sent (a template: composed by the core)
	Segs   int
	Vars   map[string]string // a template's variables (nil: free text)
}

// problem is one row that will not be sent, and why.
type problem struct {
	Row    int
	Raw    string
	Kind   string // invalid, duplicate, blacklisted, missing_field, too_long
	Detail string // more, in the user's words
}

// Problem kinds.
const (
	probInvalid     = "invalid"
	probDuplicate   = "duplicate"
	probBlacklisted = "blacklisted"
	probMissing     = "missing_field"
	probTooLong     = "too_long"
	probMissingVar  = "missing_variable" // a template's variable empty in the row
	probRefusedRow  = "refused"          // the core would refuse the row's text
)

var problemKinds = []string{probInvalid, probDuplicate, probBlacklisted, probMissing, probMissingVar, probTooLong, probRefusedRow}

// fieldRE finds template fields: {name}, {姓名}, {2}.
var fieldRE = regexp.MustCompile(`\{([^{}\s]{1,32})\}`)

// numberHeaders name the number column of a file with a header row.
var numberHeaders = []string{"手机号", "手机号码", "号码", "手机", "电话", "电话号码", "mobile", "phone", "number", "msisdn", "tel", "to"}

func (w *work) addImport(j *importJob, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for id, o := range w.imports {
		if now.Sub(o.created) > importTTL {
			delete(w.imports, id)
			continue
		}
		if o.userID == j.userID {
			n++
		}
	}
	if n >= importsPerUser {
		// The user's oldest import makes room (its file is forgotten).
		var oldest *importJob
		for _, o := range w.imports {
			if o.userID == j.userID && (oldest == nil || o.created.Before(oldest.created)) {
				oldest = o
			}
		}
		if oldest != nil {
			delete(w.imports, oldest.id)
		}
	}
	w.imports[j.id] = j
	return true
}

func (w *work) importOf(id string, userID int64) *importJob {
	w.mu.Lock()
	defer w.mu.Unlock()
	j := w.imports[id]
	if j == nil || j.userID != userID {
		return nil // another user's import does not exist for this one
	}
	return j
}

// importUpload answers POST /send/import: the form's settings and the file.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, sess session) {
	ctx := r.Context()
	m := msgs(catalogue[langOf(r)])
	// Parsed already when the token came in a form field (route's CSRF
	// check); the file goes to a temporary file past 1 MB.
	perr := r.ParseMultipartForm(1 << 20)
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	acctID, _ := strconv.ParseInt(r.FormValue("account"), 10, 64)
	d := &sendData{Tab: "file", AccountID: acctID, Business: r.FormValue("business"),
		Content: normText(r.FormValue("content")), ScheduleAt: r.FormValue("schedule_at"), Template: r.FormValue("template")}
	fail := func(status int, key string, args ...any) {
		s.showSend(w, r, sess, status, d, m.Tf(key, args...), true)
	}
	if perr != nil {
		var mbe *http.MaxBytesError
		if errors.As(perr, &mbe) {
			fail(http.StatusRequestEntityTooLarge, "imp.err.too_big", maxUpload>>20)
			return
		}
		fail(http.StatusBadRequest, "imp.err.no_file")
		return
	}
	so, err := s.sender(ctx, sess)
	if err != nil {
		s.log.Error("console: import", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	acc, bt, tc, at, ok := s.checkBulkSend(ctx, so, acctID, d, m, fail)
	if !ok {
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		fail(http.StatusBadRequest, "imp.err.no_file")
		return
	}
	defer file.Close()
	if hdr.Size > maxUpload {
		fail(http.StatusRequestEntityTooLarge, "imp.err.too_big", maxUpload>>20)
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, maxUpload+1))
	if err != nil {
		fail(http.StatusBadRequest, "imp.err.read", err.Error())
		return
	}
	if len(data) > maxUpload {
		fail(http.StatusRequestEntityTooLarge, "imp.err.too_big", maxUpload>>20)
		return
	}
	if len(data) == 0 {
		fail(http.StatusBadRequest, "imp.err.empty")
		return
	}
	name := hdr.Filename
	if _, err := fileKind(name, data); err != nil {
		var fe *fileError
		errors.As(err, &fe)
		fail(http.StatusBadRequest, fe.key, fe.args...)
		return
	}
	j := &importJob{id: randomToken(12), userID: sess.userID, username: sess.username, account: acc, bt: bt,
		maxSegs: s.core.MaxSegmentsOf(bt), content: d.Content, schedule: at, fileName: truncate(name, 200), size: int64(len(data)),
		created: s.opts.Now(), phase: importParsing}
	if tc != nil {
		j.tpl, j.vars, j.compose, j.content = d.Template, tc.vars, tc.compose, tc.label
	}
	s.work.addImport(j, j.created)
	s.log.Info("console: import started", "user", sess.username, "account", acc.Name, "file", j.fileName, "bytes", len(data))
	go s.checkImport(j, data)
	http.Redirect(w, r, "/send/import/"+j.id, http.StatusSeeOther)
}

// checkImport reads and checks the file in the background.
func (s *Server) checkImport(j *importJob, data []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	res, err := s.checkRows(ctx, j, data)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil {
		var fe *fileError
		if !errors.As(err, &fe) {
			s.log.Error("console: import check", "import", j.id, "err", err)
			fe = &fileError{key: "imp.err.read", args: []any{err.Error()}}
		}
		j.phase, j.err = importFailed, fe
		s.log.Info("console: import refused", "import", j.id, "user", j.username, "reason", fe.key)
		return
	}
	j.phase, j.res = importReady, res
	s.log.Info("console: import checked", "import", j.id, "user", j.username, "rows", res.Rows, "valid", len(res.Valid),
		"problems", len(res.Problems), "took", time.Since(start).Round(time.Millisecond))
}

// checkRows reads every row and decides what each becomes.
func (s *Server) checkRows(ctx context.Context, j *importJob, data []byte) (*importResult, error) {
	res := &importResult{Counts: map[string]int{}}
	var fields []string
	for _, m := range fieldRE.FindAllStringSubmatch(j.content, -1) {
		if !contains(fields, m[1]) {
			fields = append(fields, m[1])
		}
	}
	if j.compose != nil {
		fields = j.vars // a template's variables are columns by header name
	}
	res.Fields = fields
	col := map[string]int{} // field → 0-based column
	seen := make(map[string]int, 1024)
	first := true
	fee := feeOf(j.bt)
	var lastText string
	var lastSegs int
	err := readRows(ctx, j.fileName, data, &j.prog, func(line int, cells []string) error {
		if first {
			first = false
			if _, code, _ := s.core.CheckNumber(cells[0]); code == core.NumberInvalid && looksLikeHeader(cells) {
				res.Header = cells
				res.NumberCol = numberColumn(cells)
				for i, h := range cells {
					if h != "" {
						col[h] = i
					}
				}
			}
			for _, f := range fields {
				if _, ok := col[f]; ok {
					continue
				}
				if j.compose != nil {
					names := strings.Join(res.Header, "、")
					if names == "" {
						return badFile("imp.err.var_noheader", f)
					}
					return badFile("imp.err.var", f, names)
				}
				if n, err := strconv.Atoi(f); err == nil && n >= 1 && n <= maxColumns {
					col[f] = n - 1
					continue
				}
				names := strings.Join(res.Header, "、")
				if names == "" {
					return badFile("imp.err.field_noheader", f)
				}
				return badFile("imp.err.field", f, names)
			}
			if res.Header != nil {
				return nil
			}
		}
		if res.Rows++; res.Rows > maxRows {
			return badFile("imp.err.too_many_rows", maxRows)
		}
		raw := ""
		if res.NumberCol < len(cells) {
			raw = cells[res.NumberCol]
		}
		add := func(kind, detail string) {
			res.Problems = append(res.Problems, problem{Row: line, Raw: raw, Kind: kind, Detail: detail})
			res.Counts[kind]++
		}
		num, code, _ := s.core.CheckNumber(raw)
		switch {
		case code != "":
			add(probInvalid, "num."+code)
			return nil
		case seen[num] != 0:
			add(probDuplicate, strconv.Itoa(seen[num]))
			return nil
		}
		seen[num] = line
		if s.core.Blocked(num, j.bt.Code) {
			add(probBlacklisted, "")
			return nil
		}
		if j.compose != nil {
			return s.checkTemplateRow(j, res, line, num, cells, col, add, fee)
		}
		text := j.content
		if len(fields) > 0 {
			var missing string
			text = fieldRE.ReplaceAllStringFunc(j.content, func(m string) string {
				i := col[m[1:len(m)-1]]
				if i >= len(cells) || cells[i] == "" {
					if missing == "" {
						missing = m
					}
					return m
				}
				return cells[i]
			})
			if missing != "" {
				add(probMissing, missing)
				return nil
			}
		}
		segs := lastSegs
		if text != lastText {
			segs, _ = sms.Count(text)
			if lastText != "" {
				res.Personal = true
			}
			lastText, lastSegs = text, segs
		}
		if segs > j.maxSegs {
			add(probTooLong, strconv.Itoa(segs))
			return nil
		}
		res.Valid = append(res.Valid, recipient{Row: line, Number: num, Text: text, Segs: segs})
		res.Segments += segs
		res.FeeLi += int64(segs) * fee
		return nil
	})
	if err != nil {
		return nil, err
	}
	if res.Rows == 0 {
		return nil, badFile("imp.err.no_rows")
	}
	j.prog.done.Store(j.prog.total.Load())
	return res, nil
}

// checkTemplateRow composes a row of a template import as the core will:
// a variable empty in the row, or a text the core would refuse, is a
// problem of that row.
func (s *Server) checkTemplateRow(j *importJob, res *importResult, line int, num string, cells []string,
	col map[string]int, add func(kind, detail string), fee int64) error {
	vars := make(map[string]string, len(j.vars))
	for _, v := range j.vars {
		i := col[v]
		if i >= len(cells) || strings.TrimSpace(cells[i]) == "" {
			add(probMissingVar, "{"+v+"}")
			return nil
		}
		vars[v] = cells[i]
	}
	text, err := j.compose(vars)
	if err != nil {
		var ce *core.Error
		if !errors.As(err, &ce) {
			return err
		}
		add(probRefusedRow, ce.Code)
		return nil
	}
	segs, _ := sms.Count(text)
	if segs > j.maxSegs {
		add(probTooLong, strconv.Itoa(segs))
		return nil
	}
	if len(res.Valid) > 0 && res.Valid[0].Text != text {
		res.Personal = true
	}
	res.Valid = append(res.Valid, recipient{Row: line, Number: num, Text: text, Segs: segs, Vars: vars})
	res.Segments += segs
	res.FeeLi += int64(segs) * fee
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// looksLikeHeader: a first row whose first cell is not a number but has
// letters (手机号, mobile) names the columns.
func looksLikeHeader(cells []string) bool {
	for _, r := range cells[0] {
		if r > 0x7F || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return true
		}
	}
	return false
}

// numberColumn finds the column a header names as the numbers; the first
// by default.
func numberColumn(header []string) int {
	for i, h := range header {
		for _, n := range numberHeaders {
			if strings.EqualFold(strings.TrimSpace(h), n) {
				return i
			}
		}
	}
	return 0
}

// ---- the import's pages ----

// importView is the import page's data.
type importView struct {
	ID, FileName, Size string
	Phase              string
	Percent            int
	Account, Business  string
	Content            string
	Schedule           string
	ErrText            string
	Rows, Valid        int
	Counts             []kindCount
	Fields             string
	Preview            []previewRow
	Problems           []problemRow
	MoreProblems       int
	Segments           int
	Fee                string
	Summary            string
	Personal           bool
	StatusURL          string
}

type kindCount struct {
	Kind, Label string
	N           int
}

type previewRow struct {
	Row          int
	Number, Text string
	Segs         int
}

type problemRow struct {
	Row         int
	Raw, Reason string
}

func (s *Server) importFor(w http.ResponseWriter, r *http.Request, sess session) *importJob {
	j := s.work.importOf(r.PathValue("id"), sess.userID)
	if j == nil {
		if wantsJSON(r) {
			writeJSONError(w, http.StatusNotFound, "not_found", "no such import; it may have expired")
		} else {
			s.errorPageFor(w, r, &sess, http.StatusNotFound, "imp.gone")
		}
	}
	return j
}

// problemReason is a problem in the user's words.
func problemReason(m msgs, p problem) string {
	switch p.Kind {
	case probInvalid:
		return m.T(p.Detail)
	case probDuplicate:
		return m.Tf("imp.reason.duplicate", p.Detail)
	case probMissing:
		return m.Tf("imp.reason.missing_field", p.Detail)
	case probMissingVar:
		return m.Tf("imp.reason.missing_variable", p.Detail)
	case probRefusedRow:
		return refusalText(m, p.Detail)
	case probTooLong:
		return m.Tf("imp.reason.too_long", p.Detail)
	}
	return m.T("prob." + p.Kind)
}

// importPage answers GET /send/import/{id}.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request, sess session) {
	j := s.importFor(w, r, sess)
	if j == nil {
		return
	}
	v := newView(r, "send", "imp.title").withSession(sess)
	iv := s.importData(j, v.msgs)
	if iv.Phase == importSent {
		http.Redirect(w, r, "/batches/"+strconv.FormatInt(j.sendID, 10), http.StatusSeeOther)
		return
	}
	if r.URL.Query().Get("m") == "schedule_past" {
		v.Flash, v.Error = v.T("send.err.schedule_past"), true
	}
	v.Data = iv
	s.render(w, r, http.StatusOK, "import", v)
}

func (s *Server) importData(j *importJob, m msgs) *importView {
	j.mu.Lock()
	defer j.mu.Unlock()
	iv := &importView{ID: j.id, FileName: j.fileName, Size: sizeText(j.size), Phase: j.phase,
		Percent: int(j.prog.fraction() * 100), Account: j.account.Name, Business: j.bt.Code, Content: j.content,
		StatusURL: "/send/import/" + j.id + "/status"}
	if j.bt.Name != "" && j.bt.Name != j.bt.Code {
		iv.Business = j.bt.Name + " (" + j.bt.Code + ")"
	}
	if !j.schedule.IsZero() {
		iv.Schedule = j.schedule.In(s.core.TimeZone()).Format("2006-01-02 15:04")
	}
	if j.err != nil {
		iv.ErrText = m.Tf(j.err.key, j.err.args...)
	}
	res := j.res
	if res == nil {
		return iv
	}
	iv.Rows, iv.Valid, iv.Segments, iv.Fee, iv.Personal = res.Rows, len(res.Valid), res.Segments, core.Yuan(res.FeeLi), res.Personal
	iv.Fields = strings.Join(res.Fields, "、")
	for _, k := range problemKinds {
		if j.compose != nil && k == probMissing || j.compose == nil && (k == probMissingVar || k == probRefusedRow) {
			continue // kinds of the other mode
		}
		iv.Counts = append(iv.Counts, kindCount{Kind: k, Label: m.T("prob." + k), N: res.Counts[k]})
	}
	for _, rc := range res.Valid[:min(len(res.Valid), previewRows)] {
		iv.Preview = append(iv.Preview, previewRow{Row: rc.Row, Number: rc.Number, Text: rc.Text, Segs: rc.Segs})
	}
	for _, p := range res.Problems[:min(len(res.Problems), listProblems)] {
		iv.Problems = append(iv.Problems, problemRow{Row: p.Row, Raw: p.Raw, Reason: problemReason(m, p)})
	}
	iv.MoreProblems = max(len(res.Problems)-listProblems, 0)
	iv.Summary = m.Tf("imp.summary", res.Rows, len(res.Valid), len(res.Problems), res.Segments, iv.Fee)
	return iv
}

// sizeText is a file size for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// importStatus is what the import page polls while the file is checked.
func (s *Server) importStatus(w http.ResponseWriter, r *http.Request, sess session) {
	j := s.importFor(w, r, sess)
	if j == nil {
		return
	}
	j.mu.Lock()
	phase := j.phase
	j.mu.Unlock()
	m := msgs(catalogue[langOf(r)])
	done, total := j.prog.done.Load(), j.prog.total.Load()
	writeJSON(w, http.StatusOK, map[string]any{"phase": phase, "percent": int(j.prog.fraction() * 100),
		"done": done, "total": total, "text": m.Tf("imp.progress", int(j.prog.fraction()*100))})
}

// importProblems answers GET /send/import/{id}/problems.csv: every row
// that will not be sent, with why.
func (s *Server) importProblems(w http.ResponseWriter, r *http.Request, sess session) {
	j := s.importFor(w, r, sess)
	if j == nil {
		return
	}
	j.mu.Lock()
	res := j.res
	j.mu.Unlock()
	if res == nil {
		s.errorPageFor(w, r, &sess, http.StatusConflict, "imp.not_ready")
		return
	}
	m := msgs(catalogue[langOf(r)])
	cw := startCSV(w, "import-"+j.id+"-problems.csv")
	_ = cw.Write([]string{m.T("imp.col.row"), m.T("imp.col.number"), m.T("imp.col.kind"), m.T("imp.col.reason")})
	for _, p := range res.Problems {
		_ = cw.Write([]string{strconv.Itoa(p.Row), csvSafe(p.Raw), m.T("prob." + p.Kind), problemReason(m, p)})
	}
	cw.Flush()
}

// importConfirm answers POST /send/import/{id}/confirm: send the valid rows.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request, sess session) {
	j := s.importFor(w, r, sess)
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case j.phase == importSent:
		http.Redirect(w, r, "/batches/"+strconv.FormatInt(j.sendID, 10), http.StatusSeeOther)
		return
	case j.phase != importReady || len(j.res.Valid) == 0:
		http.Redirect(w, r, "/send/import/"+j.id, http.StatusSeeOther)
		return
	case !j.schedule.IsZero() && !j.schedule.After(s.opts.Now()):
		http.Redirect(w, r, "/send/import/"+j.id+"?m=schedule_past", http.StatusSeeOther)
		return
	}
	sd := &store.Send{ID: s.core.NewID(), AccountID: j.account.ID, UserID: sess.userID, Username: sess.username,
		Kind: store.SendFile, Business: j.bt.Code, Content: j.content, FileName: j.fileName, Total: len(j.res.Valid),
		Skipped: j.res.Rows - len(j.res.Valid), ScheduleAt: j.schedule, State: store.SendSending, CreatedAt: s.opts.Now()}
	if err := s.core.Store().CreateSend(r.Context(), sd, nil); err != nil {
		s.log.Error("console: record send", "import", j.id, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	j.phase, j.sendID = importSent, sd.ID
	s.startRun(sd, j.tpl, j.res.Valid)
	s.log.Info("console: import sending", "import", j.id, "send", sd.ID, "user", sess.username, "numbers", len(j.res.Valid))
	http.Redirect(w, r, "/batches/"+strconv.FormatInt(sd.ID, 10)+"?m=importing", http.StatusSeeOther)
}
