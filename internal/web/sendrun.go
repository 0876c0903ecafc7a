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
// What stops a run: a refusal that would refuse every other unit too
// (insufficient_balance, quota_exceeded, forbidden_business, …; or any
// refusal when every row has the same text), the user cancelling it, or
// the process ending (the batch page then says it was interrupted).
// Refusals of one row's text (content_filtered, content_too_long,
// blacklisted) refuse that unit's rows and the run goes on.

const (
	runUnit    = 1000
	runWorkers = 32
	runFlush   = time.Second
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

	mu       sync.Mutex
	batches  []int64        // made since the last flush
	reasons  map[string]int // refusal code → rows
	stopCode string         // why it stopped early; "" = it did not
	stopMsg  string
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

// startRun starts handing rows to the core for send sd (stored already):
// free text, or with tpl (a template's id) each row's variables.
func (s *Server) startRun(sd *store.Send, tpl string, rows []recipient) *sendRun {
	var units []unit
	byText := map[string][]int{} // text → its units, the last one filling
	size := min(runUnit, s.core.MaxRecipients())
	for _, rc := range rows {
		if tpl != "" {
			if len(units) == 0 || len(units[len(units)-1].numbers) >= size {
				units = append(units, unit{})
			}
			u := &units[len(units)-1]
			u.numbers, u.vars = append(u.numbers, rc.Number), append(u.vars, rc.Vars)
			if len(byText) < 2 {
				byText[rc.Text] = nil // only whether texts differ counts here
			}
			continue
		}
		us := byText[rc.Text]
		if len(us) == 0 || len(units[us[len(us)-1]].numbers) >= min(runUnit, s.core.MaxRecipients()) {
			units = append(units, unit{text: rc.Text})
			us = append(us, len(units)-1)
			byText[rc.Text] = us
		}
		u := &units[us[len(us)-1]]
		u.numbers = append(u.numbers, rc.Number)
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &sendRun{id: sd.ID, total: len(rows), ctx: ctx, cancel: cancel, done: make(chan struct{}), reasons: map[string]int{}}
	s.work.mu.Lock()
	s.work.runs[sd.ID] = run
	s.work.mu.Unlock()
	go s.run(run, sd, tpl, units, len(byText) > 1)
	return run
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
				s.sendUnit(run, sd, tpl, i, units[i], personal)
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
	if run.stopCode != "" {
		state = store.SendStopped
	}
	run.mu.Unlock()
	s.flushRun(run, state)
	s.work.mu.Lock()
	delete(s.work.runs, run.id)
	s.work.mu.Unlock()
	s.log.Info("console: send handed over", "send", run.id, "state", state, "accepted", run.accepted.Load(),
		"refused", run.refused.Load(), "stop", run.stopCode, "took", time.Since(start).Round(time.Millisecond))
}

// flushRun writes the run's progress (and final state, if given).
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
	run.batches = nil
	run.mu.Unlock()
	// Not the run's context: the last write must happen after it ended.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.core.Store().UpdateSend(ctx, run.id, p); err != nil {
		s.log.Error("console: send progress", "send", run.id, "err", err)
		run.mu.Lock()
		run.batches = append(p.Batches, run.batches...) // written next time
		run.mu.Unlock()
	}
}

// sendUnit hands one unit to the core, retrying what may pass later.
func (s *Server) sendUnit(run *sendRun, sd *store.Send, tpl string, i int, u unit, personal bool) {
	req := &core.SendRequest{AccountID: sd.AccountID, To: u.numbers, Content: u.text, Business: sd.Business,
		ScheduleAt: sd.ScheduleAt, ClientRef: "console:" + strconv.FormatInt(sd.ID, 10) + ":" + strconv.Itoa(i)}
	if tpl != "" {
		req.Content, req.Template, req.PerRecipient = "", tpl, u.vars
	}
	for attempt := 1; ; attempt++ {
		if run.ctx.Err() != nil {
			return
		}
		res, err := s.core.Accept(run.ctx, req)
		if err == nil {
			run.accepted.Add(int64(len(res.Messages)))
			run.mu.Lock()
			run.batches = append(run.batches, res.BatchID)
			run.mu.Unlock()
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
			run.refused.Add(int64(len(u.numbers)))
			run.mu.Lock()
			run.reasons[ce.Code] += len(u.numbers)
			run.mu.Unlock()
			return
		case errors.As(err, &ce):
			run.refused.Add(int64(len(u.numbers)))
			run.mu.Lock()
			run.reasons[ce.Code] += len(u.numbers)
			run.mu.Unlock()
			run.stop(ce.Code, ce.Message)
			return
		case errors.Is(err, context.Canceled) && run.ctx.Err() != nil:
			return
		case attempt >= 4:
			s.log.Error("console: send unit", "send", sd.ID, "unit", i, "err", err)
			run.stop("internal", fmt.Sprintf("unit %d: %v", i, err))
			return
		default:
			s.log.Warn("console: send unit, retrying", "send", sd.ID, "unit", i, "attempt", attempt, "err", err)
			select {
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			case <-run.ctx.Done():
			}
		}
	}
}
