package web

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// A send run hands an import's rows to core.Accept in the background, a
// unit at a time: the rows that share a text, at most runUnit numbers per
// call (a personalised file: one call per distinct text). Several workers
// call at once, so the core's group commit carries many calls per
// transaction and 100,000 personalised rows take seconds, not minutes.
// Each unit has a client_ref (console:SEND:UNIT), so a unit retried after
// an error the core may have committed anyway is not sent twice. The
// progress (batches made, numbers accepted and refused) is written to the
// send's row every runFlush, which is what the batch page shows.
//
// The units are stored before the first is handed over (store.SendRunStore),
// and each flush marks the units done since the last one in the same
// transaction as the counts, renewing the run's lease. A run the process
// did not finish — a crash, a restart, a lost lease — is continued from
// its first unfinished unit by whichever node claims it (sendresume.go); a
// unit handed over but not yet marked done is handed again, and its
// client_ref makes the core answer with the batch it made the first time.
//
// What stops a run: a refusal that would refuse every other unit too
// (insufficient_balance, quota_exceeded, forbidden_business, …; or any
// refusal when every row has the same text), or the user cancelling it.
// Refusals of one row's text (content_filtered, content_too_long,
// blacklisted) refuse that unit's rows and the run goes on. A shutdown
// pauses a run instead: it stays "sending", to be resumed.

const (
	runUnit    = 1000
	runWorkers = 32
	runFlush   = time.Second
	runLease   = 30 * time.Second // a run's lease, renewed at every flush
)

// sendRun is one send being handed to the core.
type sendRun struct {
	id       int64
	total    int
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	accepted atomic.Int64
	refused  atomic.Int64
	left     atomic.Int64 // units not handed over yet
	durable  bool         // its units are stored (else only its progress is)
	lease    store.SendLease

	mu       sync.Mutex
	batches  []int64          // made since the last flush
	finished []store.UnitDone // units handed over since the last flush
	reasons  map[string]int   // refusal code → rows
	stopCode string           // why it stopped early; "" = it did not
	stopMsg  string
	paused   bool      // ended by a shutdown or a lost lease: left to be resumed
	release  bool      // paused by a shutdown: give the lease up
	renewed  time.Time // the lease's last renewal
}

// stop ends the run early for code (the first reason given stays).
func (run *sendRun) stop(code, msg string) {
	run.mu.Lock()
	if run.stopCode == "" {
		run.stopCode, run.stopMsg = code, msg
	}
	run.mu.Unlock()
	run.cancel()
}

// pause ends the run's work in this process, leaving it resumable;
// release gives its lease up at once (a clean shutdown).
func (run *sendRun) pause(release bool) {
	run.mu.Lock()
	run.paused = true
	run.release = run.release || release
	run.mu.Unlock()
	run.cancel()
}

// refusedReasons are a running send's refusals, most first.
func (run *sendRun) refusedReasons() []reasonCount {
	run.mu.Lock()
	defer run.mu.Unlock()
	out := make([]reasonCount, 0, len(run.reasons))
	for c, n := range run.reasons {
		out = append(out, reasonCount{Code: c, N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N > out[j].N || out[i].N == out[j].N && out[i].Code < out[j].Code })
	return out
}

type reasonCount struct {
	Code string
	N    int
}

// unit is one call of Accept: numbers that share a text, or (a template)
// numbers in the file's order, each with its variables.
type unit struct {
	idx     int // its place in the send (client_ref console:SEND:idx)
	text    string
	numbers []string
	vars    []map[string]string // aligned with numbers; nil: free text
}

// rowRefusals refuse only the unit's own rows when texts differ per row.
var rowRefusals = map[string]bool{"content_filtered": true, "content_too_long": true, "invalid_content": true,
	"blacklisted": true, "invalid_number": true, "no_route": true, "frequency_limited": true}

func (s *Server) runOf(id int64) *sendRun {
	s.work.mu.Lock()
	defer s.work.mu.Unlock()
	return s.work.runs[id]
}

// newRun registers a run of send sd; false when this process runs it already.
func (s *Server) newRun(sd *store.Send, total int) (*sendRun, bool) {
	ctx, cancel := context.WithCancel(context.Background())
	run := &sendRun{id: sd.ID, total: total, ctx: ctx, cancel: cancel, done: make(chan struct{}), reasons: map[string]int{},
		renewed: time.Now()}
	s.work.mu.Lock()
	defer s.work.mu.Unlock()
	if s.work.runs[sd.ID] != nil {
		cancel()
		return nil, false
	}
	s.work.runs[sd.ID] = run
	return run, true
}

// startRun starts handing rows to the core for send sd (stored already):
// free text, or with tpl (a template's id) each row's variables. The units
// are stored first, so the send survives the process.
func (s *Server) startRun(sd *store.Send, tpl string, rows []recipient) *sendRun {
	var units []unit
	byText := map[string][]int{} // text → its units, the last one filling
	size := min(runUnit, s.core.MaxRecipients())
	for _, rc := range rows {
		if tpl != "" {
			if len(units) == 0 || len(units[len(units)-1].numbers) >= size {
				units = append(units, unit{idx: len(units)})
			}
			u := &units[len(units)-1]
			u.numbers, u.vars = append(u.numbers, rc.Number), append(u.vars, rc.Vars)
			if len(byText) < 2 {
				byText[rc.Text] = nil // only whether texts differ counts here
			}
			continue
		}
		us := byText[rc.Text]
		if len(us) == 0 || len(units[us[len(us)-1]].numbers) >= size {
			units = append(units, unit{idx: len(units), text: rc.Text})
			us = append(us, len(units)-1)
			byText[rc.Text] = us
		}
		u := &units[us[len(us)-1]]
		u.numbers = append(u.numbers, rc.Number)
	}
	personal := len(byText) > 1
	run, ok := s.newRun(sd, len(rows))
	if !ok {
		return s.runOf(sd.ID) // never: a send's id is new
	}
	run.left.Store(int64(len(units)))
	r := s.runnerOf()
	run.lease = store.SendLease{Node: r.node, Token: r.token, Until: time.Now().Add(runLease)}
	start := time.Now()
	if err := s.saveRun(sd, tpl, personal, run.lease, units); err != nil {
		// Nothing was handed over: the send stops, the user may send again.
		s.log.Error("console: store send rows", "send", sd.ID, "err", err)
		run.stop("internal", "the send's rows could not be stored")
		units = nil
	} else {
		run.durable = true
		s.log.Info("console: send rows stored", "send", sd.ID, "units", len(units), "took", time.Since(start).Round(time.Millisecond))
	}
	go s.run(run, sd, tpl, units, personal)
	return run
}

// saveRun stores a run's units (in one go for the caller: the store
// cuts them into transactions).
func (s *Server) saveRun(sd *store.Send, tpl string, personal bool, lease store.SendLease, units []unit) error {
	su := make([]store.SendUnit, len(units))
	for i, u := range units {
		su[i] = store.SendUnit{Unit: u.idx, Text: u.text, Numbers: u.numbers, Vars: u.vars}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return s.core.Store().SaveSendRun(ctx, &store.SendRun{SendID: sd.ID, Template: tpl, Personal: personal, Lease: lease}, su)
}

// run drives the workers and the progress writes until every unit is done
// or the run stops.
func (s *Server) run(run *sendRun, sd *store.Send, tpl string, units []unit, personal bool) {
	defer close(run.done)
	defer run.cancel()
	start := time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runWorkers, len(units)) {
		wg.Go(func() {
			for i := range next {
				s.sendUnit(run, sd, tpl, units[i], personal)
			}
		})
	}
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		t := time.NewTicker(runFlush)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.flushRun(run, "")
			case <-run.ctx.Done():
				return
			}
		}
	}()
feed:
	for i := range units {
		select {
		case next <- i:
		case <-run.ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	run.cancel()
	<-flushed
	run.mu.Lock()
	state := store.SendDone
	switch {
	case run.stopCode != "":
		state = store.SendStopped
	case run.paused && run.left.Load() > 0:
		state = "" // resumable: only the progress is written
	}
	release := run.release
	run.mu.Unlock()
	s.flushRun(run, state)
	if state == "" && release && run.durable {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.core.Store().ReleaseSendRun(ctx, run.id, run.lease.Token); err != nil {
			s.log.Warn("console: release send run", "send", run.id, "err", err)
		}
		cancel()
	}
	s.work.mu.Lock()
	delete(s.work.runs, run.id)
	s.work.mu.Unlock()
	if state == "" {
		state = "paused"
	}
	s.log.Info("console: send handed over", "send", run.id, "state", state, "accepted", run.accepted.Load(),
		"refused", run.refused.Load(), "units_left", run.left.Load(), "stop", run.stopCode, "took", time.Since(start).Round(time.Millisecond))
}

// flushRun writes the run's progress (and final state, if given) with the
// units handed over since the last flush, renewing the lease.
func (s *Server) flushRun(run *sendRun, state string) {
	run.mu.Lock()
	p := store.SendProgress{Batches: run.batches, Accepted: int(run.accepted.Load()), Refused: int(run.refused.Load()),
		State: state, At: time.Now()}
	if state == store.SendStopped {
		p.Error = run.stopCode
		if run.stopMsg != "" {
			p.Error += ": " + run.stopMsg
		}
	}
	finished := run.finished
	run.batches, run.finished = nil, nil
	run.mu.Unlock()
	st := s.core.Store()
	var err error
	for attempt := 1; ; attempt++ {
		// Not the run's context: the last write must happen after it ended.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if run.durable {
			lease := run.lease
			lease.Until = time.Now().Add(runLease)
			err = st.FlushSendRun(ctx, run.id, lease, finished, p)
		} else {
			err = st.UpdateSend(ctx, run.id, p)
		}
		cancel()
		// The last write is retried a little: without it the run is
		// resumed (and its last units handed again) once its lease ends.
		if err == nil || state == "" || attempt == 3 || errors.Is(err, store.ErrLeaseLost) {
			break
		}
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
	}
	switch {
	case err == nil:
		run.mu.Lock()
		run.renewed = time.Now()
		run.mu.Unlock()
	case errors.Is(err, store.ErrLeaseLost):
		// Another node runs it now (ours lapsed), or it was cancelled
		// there: this process stops handing its units.
		s.log.Warn("console: send run lease lost; stopping here", "send", run.id)
		run.pause(false)
	default:
		s.log.Error("console: send progress", "send", run.id, "err", err)
		run.mu.Lock()
		run.batches = append(p.Batches, run.batches...) // written next time
		run.finished = append(finished, run.finished...)
		lapsing := run.durable && time.Since(run.renewed) > runLease/2
		run.mu.Unlock()
		if lapsing {
			// Before another node may claim it: stop, to be resumed.
			s.log.Warn("console: send run lease not renewed; pausing", "send", run.id)
			run.pause(false)
		}
	}
}

// handed records a unit handed over: n numbers accepted, or refused with
// code. Counts and the unit go to the same flush.
func (run *sendRun) handed(u unit, batch int64, accepted int, code string) {
	run.mu.Lock()
	defer run.mu.Unlock()
	if code == "" {
		run.accepted.Add(int64(accepted))
		run.batches = append(run.batches, batch)
	} else {
		run.refused.Add(int64(len(u.numbers)))
		run.reasons[code] += len(u.numbers)
	}
	run.finished = append(run.finished, store.UnitDone{Unit: u.idx, Code: code})
	run.left.Add(-1)
}

// sendUnit hands one unit to the core, retrying what may pass later.
func (s *Server) sendUnit(run *sendRun, sd *store.Send, tpl string, u unit, personal bool) {
	req := &core.SendRequest{AccountID: sd.AccountID, To: u.numbers, Content: u.text, Business: sd.Business,
		ScheduleAt: sd.ScheduleAt, ClientRef: "console:" + strconv.FormatInt(sd.ID, 10) + ":" + strconv.Itoa(u.idx)}
	if tpl != "" {
		req.Content, req.Template, req.PerRecipient = "", tpl, u.vars
	}
	for attempt := 1; ; attempt++ {
		if run.ctx.Err() != nil {
			return
		}
		if !req.ScheduleAt.IsZero() && !req.ScheduleAt.After(time.Now()) {
			req.ScheduleAt = time.Time{} // its time came while it ran (or waited to be resumed): now
		}
		res, err := s.core.Accept(run.ctx, req)
		if err == nil {
			run.handed(u, res.BatchID, len(res.Messages), "")
			return
		}
		var ce *core.Error
		switch {
		case errors.As(err, &ce) && ce.Code == "rate_limited":
			wait := min(max(ce.RetryAfter, 50*time.Millisecond), 5*time.Second)
			select {
			case <-time.After(wait):
			case <-run.ctx.Done():
			}
		case errors.As(err, &ce) && personal && rowRefusals[ce.Code]:
			run.handed(u, 0, 0, ce.Code)
			return
		case errors.As(err, &ce):
			run.handed(u, 0, 0, ce.Code)
			run.stop(ce.Code, ce.Message)
			return
		case run.ctx.Err() != nil:
			return // stopped or paused while the core was at it: not done, handed again on resume
		case attempt >= 4:
			s.log.Error("console: send unit", "send", sd.ID, "unit", u.idx, "err", err)
			run.stop("internal", fmt.Sprintf("unit %d: %v", u.idx, err))
			return
		default:
			s.log.Warn("console: send unit, retrying", "send", sd.ID, "unit", u.idx, "attempt", attempt, "err", err)
			select {
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			case <-run.ctx.Done():
			}
		}
	}
}
