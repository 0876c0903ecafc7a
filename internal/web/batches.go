package web

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/biz/scope"
	"hongyan/internal/store"
)

// The batch pages (W2, M7): every send of the user's scope, the scheduled
// ones first with a button to cancel them before they start; one send's
// page with progress bars and live counts per state (its script polls the
// status JSON every 2 s), the failures by reason, and the failed numbers as
// CSV. A send made through the API (not the console) has no row of its
// own: its batch number opens the same page for its one batch.

const (
	batchesPerPage = 20
	failuresShown  = 20
	// A send still "sending" with no progress written for this long is
	// waiting to be resumed (its rows are stored: sendresume.go), or, with
	// no rows (lost before they were stored), was interrupted.
	stalledAfter = 30 * time.Second
)

// stalledState is what a stalled send shows: "resuming" or "interrupted".
func (s *Server) stalledState(ctx context.Context, id int64) string {
	if _, err := s.core.Store().GetSendRun(ctx, id); err == nil {
		return "resuming"
	}
	return "interrupted"
}

// stateOrder is the order the batch page lists states in.
var stateOrder = []store.State{store.Held, store.Accepted, store.Queued, store.Submitted, store.Delivered, store.Sent,
	store.Undelivered, store.Expired, store.Rejected, store.Failed, store.Unknown, store.Filtered, store.Blacklisted, store.Cancelled}

// failed says whether a message in state st failed: final, and neither
// delivered, sent (a type without reports) nor cancelled.
func failed(st store.State) bool {
	return st.Final() && st != store.Delivered && st != store.Sent && st != store.Cancelled
}

// batchRef is what /batches/{id} names: a console send, or an API batch.
type batchRef struct {
	id      int64
	send    *store.Send  // nil for an API batch
	batch   *store.Batch // set for an API batch
	account *store.Account
}

func (b *batchRef) total() int {
	if b.send != nil {
		return b.send.Total
	}
	return b.batch.Total
}

// batchIDs are the core batches of the reference.
func (s *Server) batchIDs(ctx context.Context, b *batchRef) ([]int64, error) {
	if b.send == nil {
		return []int64{b.batch.ID}, nil
	}
	return s.core.Store().SendBatches(ctx, b.id)
}

func (s *Server) counts(ctx context.Context, b *batchRef) (map[store.State]int, error) {
	if b.send != nil {
		return s.core.Store().SendCounts(ctx, b.id)
	}
	return s.core.Store().BatchCounts(ctx, b.batch.ID)
}

// failures calls fn with the reference's failed messages, in id order.
func (s *Server) failures(ctx context.Context, b *batchRef, limit int, fn func(*store.Message) error) error {
	st := s.core.Store()
	if b.send != nil {
		return st.SendFailures(ctx, b.id, limit, fn)
	}
	ms, err := st.BatchFailures(ctx, b.batch.ID, limit)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !failed(m.State) {
			continue
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) reasons(ctx context.Context, b *batchRef) ([]store.FailureReason, error) {
	if b.send != nil {
		return s.core.Store().SendReasons(ctx, b.id)
	}
	by := map[[2]string]int{}
	err := s.failures(ctx, b, 0, func(m *store.Message) error {
		by[[2]string{string(m.State), m.OperatorCode}]++
		return nil
	})
	var out []store.FailureReason
	for k, n := range by {
		out = append(out, store.FailureReason{State: store.State(k[0]), Code: k[1], Count: n})
	}
	slices.SortFunc(out, func(a, b store.FailureReason) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(string(a.State)+a.Code, string(b.State)+b.Code)
	})
	return out, err
}

// userScope reads the session's user and what it may see.
func (s *Server) userScope(ctx context.Context, sess session) (*store.User, scope.Scope, error) {
	u, err := s.core.Store().GetUser(ctx, sess.userID)
	if err != nil {
		return nil, scope.Scope{}, err
	}
	sc, err := s.scopeOf(ctx, u)
	return u, sc, err
}

// batchFor resolves the path's {id} within the user's scope; anything
// else is "not found", exactly like a number that does not exist.
func (s *Server) batchFor(w http.ResponseWriter, r *http.Request, sess session) (*batchRef, bool) {
	ctx := r.Context()
	notFound := func() {
		if wantsJSON(r) {
			writeJSONError(w, http.StatusNotFound, "not_found", "no such batch")
			return
		}
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "batch.notfound")
	}
	failed := func(err error) {
		s.log.Error("console: batch", "path", r.URL.Path, "err", err)
		if wantsJSON(r) {
			writeJSONError(w, http.StatusInternalServerError, "internal", "internal error")
			return
		}
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		notFound()
		return nil, false
	}
	_, sc, err := s.userScope(ctx, sess)
	if err != nil {
		failed(err)
		return nil, false
	}
	st := s.core.Store()
	ref := &batchRef{id: id}
	var accountID int64
	if sd, err := st.GetSend(ctx, id); err == nil {
		ref.send, accountID = sd, sd.AccountID
	} else if !errors.Is(err, store.ErrNotFound) {
		failed(err)
		return nil, false
	} else if b, err := st.GetBatch(ctx, 0, id); err == nil {
		ref.batch, accountID = b, b.AccountID
	} else if errors.Is(err, store.ErrNotFound) {
		notFound()
		return nil, false
	} else {
		failed(err)
		return nil, false
	}
	acc, err := st.GetAccount(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !sc.Account(acc) {
		notFound()
		return nil, false
	}
	if err != nil {
		failed(err)
		return nil, false
	}
	ref.account = acc
	return ref, true
}

// ---- the status: the page's first render and its JSON ----

type stateCount struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	CSS   string `json:"css"`
	N     int    `json:"n"`
}

type reasonRow struct {
	Label string `json:"label"`
	Code  string `json:"code"`
	N     int    `json:"n"`
}

// batchStatus is what the batch page shows and polls.
type batchStatus struct {
	State      string       `json:"state"` // sending, done, stopped, interrupted, batch
	StateText  string       `json:"state_text"`
	StateCSS   string       `json:"state_css"`
	StopText   string       `json:"stop_text"`
	Total      int          `json:"total"`
	Handed     int          `json:"handed"` // numbers handed to the core (accepted or refused)
	HandedText string       `json:"handed_text"`
	Final      int          `json:"final"`
	FinalText  string       `json:"final_text"`
	Counts     []stateCount `json:"counts"`
	Reasons    []reasonRow  `json:"reasons"`
	Refused    []reasonRow  `json:"refused"` // refused while handing over (this node's memory)
	Failed     int          `json:"failed"`
	Waiting    int          `json:"waiting"` // not yet handed to a gateway: what a cancel would stop
	Live       bool         `json:"live"`    // still changing: keep polling
	Updated    string       `json:"updated"`
}

func stateCSS(st store.State) string {
	switch {
	case st == store.Delivered || st == store.Sent:
		return "ok"
	case st == store.Cancelled:
		return "muted"
	case !st.Final():
		return "warn"
	}
	return "down"
}

func stateLabel(m msgs, st store.State) string {
	if t, ok := m["st."+string(st)]; ok {
		return t
	}
	return string(st)
}

func (s *Server) status(ctx context.Context, b *batchRef, m msgs) (*batchStatus, error) {
	counts, err := s.counts(ctx, b)
	if err != nil {
		return nil, err
	}
	rs, err := s.reasons(ctx, b)
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	bs := &batchStatus{Total: b.total(), Updated: now.In(s.core.TimeZone()).Format("15:04:05"), Counts: []stateCount{},
		Reasons: []reasonRow{}, Refused: []reasonRow{}}
	seen := map[store.State]bool{}
	add := func(st store.State) {
		seen[st] = true
		bs.Counts = append(bs.Counts, stateCount{Key: string(st), Label: stateLabel(m, st), CSS: stateCSS(st), N: counts[st]})
	}
	for _, st := range stateOrder {
		add(st)
	}
	var others []store.State
	for st := range counts {
		if !seen[st] {
			others = append(others, st)
		}
	}
	slices.Sort(others)
	for _, st := range others {
		add(st)
	}
	stored := 0
	for st, n := range counts {
		stored += n
		if st.Final() {
			bs.Final += n
		}
		if failed(st) {
			bs.Failed += n
		}
	}
	bs.Waiting = counts[store.Accepted]
	for _, r := range rs {
		label := stateLabel(m, r.State)
		if r.Code != "" {
			label += " · " + r.Code
		}
		bs.Reasons = append(bs.Reasons, reasonRow{Label: label, Code: r.Code, N: r.Count})
	}
	bs.State, bs.Handed = "batch", stored
	resuming := false
	if sd := b.send; sd != nil {
		bs.Handed = sd.Accepted + sd.Refused
		bs.State = sd.State
		run := s.runOf(sd.ID)
		if run != nil {
			bs.State, bs.Handed = store.SendSending, int(run.accepted.Load()+run.refused.Load())
			for _, rc := range run.refusedReasons() {
				bs.Refused = append(bs.Refused, reasonRow{Label: refusalText(m, rc.Code), Code: rc.Code, N: rc.N})
			}
		} else if sd.State == store.SendSending && now.Sub(sd.UpdatedAt) > stalledAfter {
			// Resuming: still sending (cancellable, polled), shown as waiting.
			if resuming = s.stalledState(ctx, sd.ID) == "resuming"; !resuming {
				bs.State = "interrupted"
			}
		}
		if sd.State == store.SendStopped && sd.Error != "" {
			code, _, _ := strings.Cut(sd.Error, ":")
			if code == "cancelled" {
				bs.StopText = m.T("batch.stop.cancelled")
			} else {
				bs.StopText = m.Tf("batch.stop.refused", refusalText(m, code))
			}
		}
	}
	// What the badge says: the hand-over's state while it matters, then
	// where the messages are.
	shown := bs.State
	if resuming {
		shown = "resuming"
	}
	if shown == store.SendDone || shown == "batch" {
		switch sched := b.scheduleAt(); {
		case stored > 0 && bs.Final == stored && counts[store.Cancelled] == stored:
			shown = "cancelled"
		case stored > 0 && bs.Final == stored:
			shown = "finished"
		case bs.Waiting > 0 && sched.After(now):
			shown = "scheduled"
		default:
			shown = "delivering"
		}
	}
	bs.StateText, bs.StateCSS = m.T("bstate."+shown), stateBadge[shown]
	bs.HandedText = m.Tf("batch.handed", bs.Handed, bs.Total)
	bs.FinalText = m.Tf("batch.final", bs.Final, max(bs.Total, stored))
	bs.Live = bs.State == store.SendSending || bs.Final < stored
	return bs, nil
}

// stateBadge colours a batch's state.
var stateBadge = map[string]string{"sending": "warn", "resuming": "warn", "delivering": "warn", "scheduled": "warn", "finished": "ok",
	"done": "ok", "batch": "ok", "stopped": "down", "interrupted": "down", "cancelled": "muted"}

// scheduleAt is when a send was scheduled for (zero: at once; API
// batches: as far as the page knows, at once).
func (b *batchRef) scheduleAt() time.Time {
	if b.send != nil {
		return b.send.ScheduleAt
	}
	return time.Time{}
}

// ---- pages ----

type batchPage struct {
	ID           int64
	IsSend       bool
	Kind         string
	Account      string
	Business     string
	Content      string
	FileName     string
	Skipped      int // left out before sending (store.Send.Skipped)
	User         string
	Created      string
	Schedule     string
	FutureSched  bool
	Status       *batchStatus
	Failures     []failRow
	MoreFailures bool
	StatusURL    string
	CSVURL       string
	CancelURL    string
	MayCancel    bool
	Batches      int
}

type failRow struct {
	Number, State, Code, Done string
}

// batchPage answers GET /batches/{id}.
func (s *Server) batchPage(w http.ResponseWriter, r *http.Request, sess session) {
	ref, ok := s.batchFor(w, r, sess)
	if !ok {
		return
	}
	ctx := r.Context()
	v := newView(r, "batches", "batch.title").withSession(sess)
	bs, err := s.status(ctx, ref, v.msgs)
	if err != nil {
		s.log.Error("console: batch status", "batch", ref.id, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	loc := s.core.TimeZone()
	idText := strconv.FormatInt(ref.id, 10)
	p := &batchPage{ID: ref.id, IsSend: ref.send != nil, Account: ref.account.Name, Status: bs,
		StatusURL: "/batches/" + idText + "/status", CSVURL: "/batches/" + idText + "/failures.csv",
		CancelURL: "/batches/" + idText + "/cancel", MayCancel: slices.Contains(sendRoles, sess.role)}
	v.Title = v.Tf("batch.heading", idText)
	if sd := ref.send; sd != nil {
		p.Kind, p.Business, p.Content, p.FileName, p.User = v.T("kind."+sd.Kind), sd.Business, sd.Content, sd.FileName, sd.Username
		p.Skipped = sd.Skipped
		p.Created = sd.CreatedAt.In(loc).Format("2006-01-02 15:04:05")
		if !sd.ScheduleAt.IsZero() {
			p.Schedule = sd.ScheduleAt.In(loc).Format("2006-01-02 15:04")
			p.FutureSched = sd.ScheduleAt.After(s.opts.Now())
		}
		if ids, err := s.batchIDs(ctx, ref); err == nil {
			p.Batches = len(ids)
		}
	} else {
		p.Kind, p.Created, p.Batches = v.T("kind.api"), ref.batch.CreatedAt.In(loc).Format("2006-01-02 15:04:05"), 1
		if ms, err := s.core.Store().BatchMessages(ctx, 0, ref.batch.ID, 1); err == nil && len(ms) > 0 {
			p.Business, p.Content = ms[0].Business, ms[0].Content
			if !ms[0].ScheduleAt.IsZero() {
				p.Schedule = ms[0].ScheduleAt.In(loc).Format("2006-01-02 15:04")
				p.FutureSched = ms[0].ScheduleAt.After(s.opts.Now())
			}
		}
	}
	n := 0
	err = s.failures(ctx, ref, failuresShown+1, func(m *store.Message) error {
		if n++; n > failuresShown {
			p.MoreFailures = true
			return nil
		}
		p.Failures = append(p.Failures, failRow{Number: m.To, State: stateLabel(v.msgs, m.State), Code: m.OperatorCode,
			Done: m.DoneAt.In(loc).Format("01-02 15:04:05")})
		return nil
	})
	if err != nil {
		s.log.Error("console: batch failures", "batch", ref.id, "err", err)
	}
	switch r.URL.Query().Get("m") {
	case "sent":
		v.Flash = v.T("batch.flash.sent")
	case "deferred":
		v.Flash = v.T("batch.flash.deferred")
	case "importing":
		v.Flash = v.T("batch.flash.importing")
	case "cancelled":
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		v.Flash = v.Tf("batch.flash.cancelled", n)
	case "not_cancellable":
		v.Flash, v.Error = v.T("batch.flash.not_cancellable"), true
	}
	v.Data = p
	s.render(w, r, http.StatusOK, "batch", v)
}

// batchStatusJSON is what the batch page polls.
func (s *Server) batchStatusJSON(w http.ResponseWriter, r *http.Request, sess session) {
	ref, ok := s.batchFor(w, r, sess)
	if !ok {
		return
	}
	bs, err := s.status(r.Context(), ref, catalogue[langOf(r)])
	if err != nil {
		s.log.Error("console: batch status", "batch", ref.id, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	writeJSON(w, http.StatusOK, bs)
}

// startCSV begins a CSV download: UTF-8 with a byte-order mark, so that
// Excel shows the Chinese right.
func startCSV(w http.ResponseWriter, name string) *csv.Writer {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("\uFEFF"))
	return csv.NewWriter(w)
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=@\t\r", rune(s[0])) ||
		len(s) > 1 && (s[0] == '+' || s[0] == '-') && strings.Trim(s[1:], "0123456789 ") != "" {
		return "'" + s
	}
	return s
}

// batchFailuresCSV answers GET /batches/{id}/failures.csv: every failed
// number, with its state, the operator's code and when.
func (s *Server) batchFailuresCSV(w http.ResponseWriter, r *http.Request, sess session) {
	ref, ok := s.batchFor(w, r, sess)
	if !ok {
		return
	}
	m := msgs(catalogue[langOf(r)])
	loc := s.core.TimeZone()
	cw := startCSV(w, "batch-"+strconv.FormatInt(ref.id, 10)+"-failures.csv")
	_ = cw.Write([]string{m.T("batch.col.number"), m.T("batch.col.state"), m.T("batch.col.code"), m.T("batch.col.done"),
		m.T("batch.col.message"), m.T("batch.col.batch")})
	err := s.failures(r.Context(), ref, 0, func(msg *store.Message) error {
		return cw.Write([]string{csvSafe(msg.To), stateLabel(m, msg.State), csvSafe(msg.OperatorCode),
			msg.DoneAt.In(loc).Format("2006-01-02 15:04:05"), strconv.FormatInt(msg.ID, 10), strconv.FormatInt(msg.BatchID, 10)})
	})
	cw.Flush()
	if err != nil {
		s.log.Error("console: failures csv", "batch", ref.id, "err", err)
	}
}

// batchCancel answers POST /batches/{id}/cancel: stop handing the send's
// rows to the core, then cancel every message of its batches that has not
// started.
func (s *Server) batchCancel(w http.ResponseWriter, r *http.Request, sess session) {
	ref, ok := s.batchFor(w, r, sess)
	if !ok {
		return
	}
	ctx := r.Context()
	if ref.send != nil {
		if run := s.runOf(ref.id); run != nil {
			run.stop("cancelled", "cancelled in the console by "+sess.username)
			select {
			case <-run.done:
			case <-time.After(15 * time.Second):
				s.log.Warn("console: send run did not stop in time", "send", ref.id)
			}
		} else if err := s.stopElsewhere(ctx, ref.id, "cancelled: cancelled in the console by "+sess.username); err != nil {
			s.log.Error("console: cancel", "batch", ref.id, "err", err)
			s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
			return
		}
	}
	ids, err := s.batchIDs(ctx, ref)
	if err != nil {
		s.log.Error("console: cancel", "batch", ref.id, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	total, err := s.core.CancelBatches(ctx, ref.account.ID, ids, "cancelled in the console by "+sess.username)
	if err != nil {
		s.log.Error("console: cancel", "batch", ref.id, "cancelled", total, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	s.log.Info("console: cancelled", "user", sess.username, "batch", ref.id, "batches", len(ids), "cancelled", total)
	back := localPath(r.PostFormValue("back"))
	if back != "/batches" {
		back = "/batches/" + strconv.FormatInt(ref.id, 10)
	}
	q := url.Values{}
	if total > 0 {
		q.Set("m", "cancelled")
		q.Set("n", strconv.Itoa(total))
	} else {
		q.Set("m", "not_cancellable")
	}
	http.Redirect(w, r, back+"?"+q.Encode(), http.StatusSeeOther)
}

// stopElsewhere stops a send this process is not running: waiting to be
// resumed, or run by another node, which notices at its next flush (its
// lease is gone) — waited for, so that the cancel below reaches every
// batch it made.
func (s *Server) stopElsewhere(ctx context.Context, id int64, why string) error {
	st := s.core.Store()
	sr, err := st.GetSendRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := st.StopSendRun(ctx, id, why, time.Now()); err != nil {
		return err
	}
	if sr.Lease.Until.After(time.Now()) && sr.Lease.Token != s.runnerOf().token {
		select {
		case <-time.After(2*runFlush + 500*time.Millisecond):
		case <-ctx.Done():
		}
	}
	return nil
}

// batchFind answers GET /batches/find?id=: a batch number typed in.
func (s *Server) batchFind(w http.ResponseWriter, r *http.Request, sess session) {
	id, err := strconv.ParseInt(strings.TrimSpace(r.URL.Query().Get("id")), 10, 64)
	if err != nil || id <= 0 {
		http.Redirect(w, r, "/batches?m=bad_id", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/batches/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// ---- the list ----

type sendRow struct {
	ID                      int64
	Created, Kind, Account  string
	Content                 string
	Total                   int
	Delivered, Failed, Wait int
	State, StateCSS         string
	Schedule                string
}

type batchesData struct {
	Scheduled []sendRow
	Rows      []sendRow
	Older     string // link to the next page
	MayCancel bool
	First     bool
}

// batchesPage answers GET /batches: the user's scope, newest first.
func (s *Server) batchesPage(w http.ResponseWriter, r *http.Request, sess session) {
	ctx := r.Context()
	v := newView(r, "batches", "batches.title").withSession(sess)
	_, sc, err := s.userScope(ctx, sess)
	if err != nil {
		s.log.Error("console: batches", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	st := s.core.Store()
	accs, err := st.Accounts(ctx)
	if err != nil {
		s.log.Error("console: batches", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	names := map[int64]string{}
	var inScope []int64
	if !sc.All() {
		inScope = []int64{}
	}
	for _, a := range accs {
		names[a.ID] = a.Name
		if !sc.All() && sc.Account(a) {
			inScope = append(inScope, a.ID)
		}
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	d := &batchesData{MayCancel: slices.Contains(sendRoles, sess.role), First: before <= 0}
	loc := s.core.TimeZone()
	row := func(sd *store.Send) sendRow {
		rw := sendRow{ID: sd.ID, Created: sd.CreatedAt.In(loc).Format("01-02 15:04"), Kind: v.T("kind." + sd.Kind),
			Account: names[sd.AccountID], Content: truncateRunes(sd.Content, 40), Total: sd.Total}
		if !sd.ScheduleAt.IsZero() {
			rw.Schedule = sd.ScheduleAt.In(loc).Format("01-02 15:04")
		}
		counts, err := st.SendCounts(ctx, sd.ID)
		if err != nil {
			s.log.Error("console: send counts", "send", sd.ID, "err", err)
		}
		final := 0
		for st, n := range counts {
			switch {
			case st == store.Delivered || st == store.Sent:
				rw.Delivered += n
			case failed(st):
				rw.Failed += n
			case !st.Final():
				rw.Wait += n
			}
			if st.Final() {
				final += n
			}
		}
		state := sd.State
		switch {
		case s.runOf(sd.ID) != nil:
			state = store.SendSending
		case sd.State == store.SendSending && s.opts.Now().Sub(sd.UpdatedAt) > stalledAfter:
			state = s.stalledState(ctx, sd.ID)
		case sd.State == store.SendStopped && strings.HasPrefix(sd.Error, "cancelled"):
			state = "cancelled"
		case sd.State == store.SendDone && counts[store.Accepted] > 0 && sd.ScheduleAt.After(s.opts.Now()):
			state = "scheduled"
		case sd.State == store.SendDone && rw.Wait > 0:
			state = "delivering"
		case sd.State == store.SendDone && final > 0 && counts[store.Cancelled] == final:
			state = "cancelled"
		case sd.State == store.SendDone && final > 0:
			state = "finished"
		}
		rw.State = v.T("bstate." + state)
		rw.StateCSS = stateBadge[state]
		return rw
	}
	if d.First {
		sched, err := st.Sends(ctx, store.SendQuery{Accounts: inScope, ScheduledAfter: s.opts.Now(), Limit: 50})
		if err != nil {
			s.log.Error("console: scheduled sends", "user", sess.username, "err", err)
		}
		for _, sd := range sched {
			if rw := row(sd); rw.Wait > 0 {
				d.Scheduled = append(d.Scheduled, rw)
			}
		}
	}
	list, err := st.Sends(ctx, store.SendQuery{Accounts: inScope, BeforeID: before, Limit: batchesPerPage + 1})
	if err != nil {
		s.log.Error("console: sends", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	if len(list) > batchesPerPage {
		list = list[:batchesPerPage]
		d.Older = "/batches?before=" + strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	for _, sd := range list {
		d.Rows = append(d.Rows, row(sd))
	}
	switch r.URL.Query().Get("m") {
	case "cancelled":
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		v.Flash = v.Tf("batch.flash.cancelled", n)
	case "not_cancellable":
		v.Flash, v.Error = v.T("batch.flash.not_cancellable"), true
	case "bad_id":
		v.Flash, v.Error = v.T("batches.bad_id"), true
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "batches", v)
}

// truncateRunes shortens s to n characters with an ellipsis.
func truncateRunes(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}
