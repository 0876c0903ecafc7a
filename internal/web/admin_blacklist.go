package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// The blacklist (M5): /admin/blacklist finds a number, pages through the
// list, adds numbers (pasted, one a line) for every business type or one,
// imports a file of numbers with a progress bar, and lifts an entry. The
// numbers are checked here first, so one mistyped number is shown next to
// the box instead of refusing the rest; the API checks them again.

const (
	blPage     = 100    // entries a page shows
	blPasteMax = 10_000 // numbers one paste may add (more go by file)
	blChunk    = 1_000  // numbers per API call of an import: one audit entry each
	blKeep     = time.Hour
)

type blRow struct {
	Number, Business, BusinessLabel, Reason, Source, Created, Confirm string
}

type blData struct {
	Rows        []blRow
	Number      string // the number looked for
	NotListed   bool
	Next        string // the next page's link
	First       bool
	MayEdit     bool
	Add         *form
	Businesses  []option
	Bad         []string // numbers of the paste that are not numbers
	ImportErr   string
	MaxUploadMB int
}

// businessLabels names the business types for the blacklist ("" = all).
func (a *adminReq) businessLabels() (map[string]string, []option, error) {
	bts, err := a.businessTypes()
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{"": a.v.T("adm.bl.all_business")}
	opts := []option{{Value: "", Label: names[""]}}
	for _, b := range bts {
		label := b.Name + " (" + b.Code + ")"
		if b.Name == "" {
			label = b.Code
		}
		names[b.Code] = label
		opts = append(opts, option{Value: b.Code, Label: label})
	}
	return names, opts, nil
}

func (s *Server) adminBlacklistPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_blacklist", "adm.bl.title")
	if !ok {
		return
	}
	s.showBlacklist(a, http.StatusOK, newForm(), nil, "")
}

func (s *Server) showBlacklist(a *adminReq, status int, add *form, bad []string, importErr string) {
	names, opts, err := a.businessLabels()
	if err != nil {
		a.fail(err)
		return
	}
	q := a.r.URL.Query()
	d := &blData{MayEdit: a.may("admin_blacklist_edit"), Add: add, Bad: bad, ImportErr: importErr, MaxUploadMB: maxUpload >> 20}
	d.Businesses = options(add.Vals["business"], opts...)
	if q.Get("m") == "bl_added" { // how many, from the change that sent the browser here
		n, _ := strconv.Atoi(q.Get("n"))
		k, _ := strconv.Atoi(q.Get("new"))
		a.v.Flash = a.v.Tf("adm.bl.added", n, k)
	}
	d.Number = strings.TrimSpace(q.Get("number"))
	path := "/api/v1/admin/blacklist?limit=" + fmt.Sprint(blPage+1)
	if d.Number != "" {
		n, err := sms.NormalizeNumber(d.Number)
		if err != nil {
			a.v.Flash, a.v.Error = a.v.T("adm.bl.err.search"), true
			a.render(http.StatusBadRequest, "admin_blacklist", d)
			return
		}
		d.Number = n
		path += "&number=" + url.QueryEscape(n)
	} else if after := q.Get("after"); after != "" {
		path += "&after=" + url.QueryEscape(after)
	} else {
		d.First = true
	}
	var out struct {
		Blacklist []apiBlackEntry `json:"blacklist"`
	}
	if err := a.call("GET", path, nil, &out); err != nil {
		a.fail(err)
		return
	}
	es := out.Blacklist
	if len(es) > blPage {
		es = es[:blPage]
		d.Next = "/admin/blacklist?after=" + url.QueryEscape(es[len(es)-1].Number)
	}
	for _, e := range es {
		label, ok := names[e.Business]
		if !ok {
			label = e.Business
		}
		d.Rows = append(d.Rows, blRow{Number: e.Number, Business: e.Business, BusinessLabel: label, Reason: e.Reason,
			Source: blSource(a.v, e.Source), Created: a.when(e.CreatedAt), Confirm: a.v.Tf("adm.bl.confirm_remove", e.Number, label)})
	}
	d.NotListed = d.Number != "" && len(d.Rows) == 0
	a.render(status, "admin_blacklist", d)
}

// blSource shows where an entry came from: "admin:wang" as 管理员 wang.
func blSource(v *view, src string) string {
	kind, who, _ := strings.Cut(src, ":")
	if t, ok := v.msgs[catKey("adm", "bl", "source", kind)]; ok {
		return strings.TrimSpace(t + " " + who)
	}
	return src
}

// checkNumbers normalises numbers, returning the good ones (each once)
// and the bad ones as typed.
func checkNumbers(raw []string) (good, bad []string) {
	seen := map[string]bool{}
	for _, x := range raw {
		n, err := sms.NormalizeNumber(x)
		if err != nil {
			bad = append(bad, x)
			continue
		}
		if !seen[n] {
			seen[n] = true
			good = append(good, n)
		}
	}
	return good, bad
}

// adminBlacklistAdd answers POST /admin/blacklist (numbers, business, reason).
func (s *Server) adminBlacklistAdd(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_blacklist", "adm.bl.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "numbers", "business", "reason")
	raw := splitList(f.Vals["numbers"], numberSeps)
	good, bad := checkNumbers(raw)
	switch {
	case len(raw) == 0:
		f.fieldErr("numbers", a.v.T("adm.bl.err.empty"))
	case len(raw) > blPasteMax:
		f.fieldErr("numbers", a.v.Tf("adm.bl.err.many", blPasteMax))
	case len(bad) > 0:
		f.fieldErr("numbers", a.v.Tf("adm.bl.err.bad", len(bad)))
	}
	if f.bad() {
		s.showBlacklist(a, http.StatusBadRequest, f, bad, "")
		return
	}
	added := 0
	for i := 0; i < len(good); i += blChunk {
		var out struct {
			Added int `json:"added"`
		}
		body := map[string]any{"numbers": good[i:min(i+blChunk, len(good))], "business": f.Vals["business"], "reason": strings.TrimSpace(f.Vals["reason"])}
		if err := a.call("POST", "/api/v1/admin/blacklist", body, &out); err != nil {
			ae := asAPIError(err)
			if ae == nil || i > 0 {
				a.fail(err) // a later chunk: the earlier ones are in, the page says what the API said
				return
			}
			f.refused(a.v, ae, func(e *apiError) (string, string) {
				if e.Code == "unknown_business" {
					return "business", ""
				}
				return "numbers", ""
			})
			s.showBlacklist(a, ae.Status, f, nil, "")
			return
		}
		added += out.Added
	}
	s.log.Info("console: blacklist added", "user", sess.username, "numbers", len(good), "new", added)
	back := "/admin/blacklist?"
	if len(good) == 1 {
		back += "number=" + url.QueryEscape(good[0]) + "&"
	}
	http.Redirect(w, r, back+fmt.Sprintf("m=bl_added&n=%d&new=%d", len(good), added), http.StatusSeeOther)
}

// adminBlacklistRemove answers POST /admin/blacklist/remove (number, business).
func (s *Server) adminBlacklistRemove(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_blacklist", "adm.bl.title")
	if !ok {
		return
	}
	number, business := strings.TrimSpace(r.PostFormValue("number")), r.PostFormValue("business")
	if number == "" || strings.ContainsAny(number, "/?#") {
		s.errorPageFor(w, r, &sess, http.StatusBadRequest, "err.bad_request")
		return
	}
	path := "/api/v1/admin/blacklist/" + url.PathEscape(number) + "?business=" + url.QueryEscape(business)
	if err := a.call("DELETE", path, nil, nil); err != nil {
		a.fail(err)
		return
	}
	s.log.Info("console: blacklist entry lifted", "user", sess.username, "number", number, "business", business)
	a.done("/admin/blacklist", "bl_removed")
}

// ---- importing a file ----

// blImport is one file being added to the blacklist in the background.
type blImport struct {
	id, file, business, reason string
	userID                     int64
	started                    time.Time

	mu       sync.Mutex
	total    int      // valid numbers, each once
	done     int      // handed to the API
	added    int      // new entries
	bad      []string // "line: value", the first 100
	badCount int
	err      string // why it stopped, in the user's words
	finished time.Time
}

type blImports struct {
	mu   sync.Mutex
	byID map[string]*blImport
}

func newBLImports() *blImports { return &blImports{byID: map[string]*blImport{}} }

func (b *blImports) put(j *blImport) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, o := range b.byID { // forget old ones as new ones come
		if time.Since(o.started) > blKeep {
			delete(b.byID, id)
		}
	}
	b.byID[j.id] = j
}

func (b *blImports) get(id string, userID int64) *blImport {
	b.mu.Lock()
	defer b.mu.Unlock()
	if j := b.byID[id]; j != nil && j.userID == userID {
		return j
	}
	return nil
}

// adminBlacklistImport answers POST /admin/blacklist/import (file,
// business, reason): the file is read and its numbers checked now, then
// added in the background while its page shows the progress.
func (s *Server) adminBlacklistImport(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_blacklist", "adm.bl.title")
	if !ok {
		return
	}
	perr := r.ParseMultipartForm(1 << 20)
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	f := newForm()
	f.Vals["business"], f.Vals["reason"] = r.FormValue("business"), r.FormValue("reason")
	fail := func(status int, key string, args ...any) {
		s.showBlacklist(a, status, f, nil, a.v.Tf(key, args...))
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
	if err != nil || len(data) == 0 {
		fail(http.StatusBadRequest, "imp.err.empty")
		return
	}
	j := &blImport{id: randomToken(12), file: hdr.Filename, business: f.Vals["business"], reason: strings.TrimSpace(f.Vals["reason"]),
		userID: sess.userID, started: time.Now()}
	var nums []string
	seen := map[string]bool{}
	rows := 0
	err = readRows(r.Context(), hdr.Filename, data, &progress{}, func(line int, cells []string) error {
		if rows++; rows > maxRows {
			return badFile("imp.err.too_many_rows", maxRows)
		}
		n, nerr := sms.NormalizeNumber(cells[0])
		switch {
		case nerr != nil && line == 1 && strings.Trim(cells[0], "0123456789+-() ") != "":
			// a header row (手机号, mobile…)
		case nerr != nil:
			j.badCount++
			if len(j.bad) < 100 {
				j.bad = append(j.bad, fmt.Sprintf("%d: %s", line, cells[0]))
			}
		case !seen[n]:
			seen[n] = true
			nums = append(nums, n)
		}
		return nil
	})
	var fe *fileError
	switch {
	case errors.As(err, &fe):
		fail(http.StatusBadRequest, fe.key, fe.args...)
		return
	case err != nil:
		a.fail(fmt.Errorf("console: blacklist import %q: %w", hdr.Filename, err))
		return
	case len(nums) == 0:
		fail(http.StatusBadRequest, "adm.bl.err.no_numbers")
		return
	}
	if j.business != "" { // an unknown type would refuse every chunk: say so now
		names, _, err := a.businessLabels()
		if err != nil {
			a.fail(err)
			return
		}
		if _, ok := names[j.business]; !ok {
			fail(http.StatusBadRequest, "adm.err.unknown_business")
			return
		}
	}
	j.total = len(nums)
	s.blImport.put(j)
	s.log.Info("console: blacklist import started", "user", sess.username, "file", hdr.Filename, "numbers", len(nums), "invalid", j.badCount)
	u, remote := a.u, r.RemoteAddr
	go s.runBLImport(j, u, remote, nums)
	http.Redirect(w, r, "/admin/blacklist/import/"+j.id, http.StatusSeeOther)
}

// runBLImport adds the numbers a chunk at a time through the API: each
// chunk its own audited change ("import:<user>").
func (s *Server) runBLImport(j *blImport, u *store.User, remote string, nums []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	for i := 0; i < len(nums); i += blChunk {
		chunk := nums[i:min(i+blChunk, len(nums))]
		var out struct {
			Added int `json:"added"`
		}
		body := map[string]any{"numbers": chunk, "business": j.business, "reason": j.reason, "source": "import"}
		// The user as the store has it now: one disabled, or whose role
		// changed, during the import is refused like any request of theirs.
		cur, err := s.core.Store().GetUser(ctx, u.ID)
		if err == nil {
			err = s.adminCall(ctx, cur, remote, "POST", "/api/v1/admin/blacklist", body, &out)
		}
		j.mu.Lock()
		if err != nil {
			j.err = err.Error()
			if ae := asAPIError(err); ae != nil {
				j.err = ae.Code + ": " + ae.Message
			}
			j.finished = time.Now()
			j.mu.Unlock()
			s.log.Error("console: blacklist import stopped", "user", u.Username, "file", j.file, "done", i, "err", err)
			return
		}
		j.done += len(chunk)
		j.added += out.Added
		j.mu.Unlock()
	}
	j.mu.Lock()
	j.finished = time.Now()
	j.mu.Unlock()
	s.log.Info("console: blacklist import done", "user", u.Username, "file", j.file, "numbers", len(nums))
}

// blStatus is an import's state for its page and its JSON.
type blStatus struct {
	ID       string   `json:"id"`
	File     string   `json:"file"`
	Total    int      `json:"total"`
	Done     int      `json:"done"`
	Added    int      `json:"added"`
	Known    int      `json:"known"` // listed already
	Invalid  int      `json:"invalid"`
	Bad      []string `json:"-"`
	Percent  int      `json:"percent"`
	Finished bool     `json:"finished"`
	Error    string   `json:"error,omitempty"`
	Text     string   `json:"text"`
	Business string   `json:"-"`
}

func (j *blImport) status(v *view) blStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	st := blStatus{ID: j.id, File: j.file, Total: j.total, Done: j.done, Added: j.added, Known: j.done - j.added, Invalid: j.badCount,
		Bad: j.bad, Finished: !j.finished.IsZero(), Error: j.err}
	if j.total > 0 {
		st.Percent = j.done * 100 / j.total
	}
	st.Text = v.Tf("adm.bl.import.progress", st.Done, st.Total, st.Added)
	return st
}

func (s *Server) blImportFor(w http.ResponseWriter, r *http.Request, sess session) *blImport {
	j := s.blImport.get(r.PathValue("id"), sess.userID)
	if j == nil {
		if wantsJSON(r) {
			writeJSONError(w, http.StatusNotFound, "not_found", "no such import")
		} else {
			s.errorPageFor(w, r, &sess, http.StatusNotFound, "adm.bl.import.gone")
		}
	}
	return j
}

// adminBlacklistImportPage is GET /admin/blacklist/import/{id}.
func (s *Server) adminBlacklistImportPage(w http.ResponseWriter, r *http.Request, sess session) {
	j := s.blImportFor(w, r, sess)
	if j == nil {
		return
	}
	a, ok := s.admin(w, r, sess, "admin_blacklist", "adm.bl.import.title")
	if !ok {
		return
	}
	names, _, err := a.businessLabels()
	if err != nil {
		a.fail(err)
		return
	}
	st := j.status(a.v)
	st.Business = names[j.business]
	a.render(http.StatusOK, "admin_blacklist_import", st)
}

// adminBlacklistImportStatus is GET /admin/blacklist/import/{id}/status (JSON).
func (s *Server) adminBlacklistImportStatus(w http.ResponseWriter, r *http.Request, sess session) {
	j := s.blImportFor(w, r, sess)
	if j == nil {
		return
	}
	writeJSON(w, http.StatusOK, j.status(newView(r, "", "adm.bl.import.title")))
}
