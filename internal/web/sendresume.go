package web

import (
	"context"
	"sync"
	"time"

	"hongyan/internal/store"
)

// Resuming sends (see sendrun.go): a process holds the runs it hands over
// through a lease in the store — its node id and a token of its own —
// renewed at every flush. Start looks, at once and then every runScan, for
// runs whose lease ended (a node that died, or shut down and released
// them) and continues each from its first unfinished unit; at start it also
// takes its own node's runs whatever their lease, since the process that
// held them under this node id is gone (node ids are unique, as the
// core's ids need). Stop pauses every run cleanly: progress written,
// lease released, the send still "sending" for the next start.

const (
	runScan  = 10 * time.Second // how often a node looks for runs nobody holds
	runClaim = 8                // runs claimed per look, at most runClaim × 4
)

// runner is this process's identity for send runs and its resume loop.
type runner struct {
	once  sync.Once
	node  int
	token string

	mu       sync.Mutex
	stopping bool
	cancel   context.CancelFunc
	loop     sync.WaitGroup
}

// runnerOf returns the server's runner, made on first use (tests build
// servers that are never started: their runs are stored all the same).
func (s *Server) runnerOf() *runner {
	r := &s.runner
	r.once.Do(func() {
		r.node = s.core.NodeID()
		r.token = randomToken(12)
	})
	return r
}

// Start resumes the sends no process is running, now and every runScan,
// until Stop. Call it once the core is started.
func (s *Server) Start(ctx context.Context) {
	r := s.runnerOf()
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.mu.Lock()
	if r.stopping || r.cancel != nil {
		r.mu.Unlock()
		cancel()
		return
	}
	r.cancel = cancel
	r.mu.Unlock()
	r.loop.Go(func() {
		s.resumeRuns(lctx, true)
		t := time.NewTicker(runScan)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.resumeRuns(lctx, false)
			case <-lctx.Done():
				return
			}
		}
	})
}

// Stop ends the resume loop and pauses every run of this process, waiting
// (until ctx ends) for each to write its progress and release its lease.
// Call it after the HTTP server stopped taking requests, before the core
// stops.
func (s *Server) Stop(ctx context.Context) {
	r := s.runnerOf()
	r.mu.Lock()
	r.stopping = true
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.loop.Wait()
	s.work.mu.Lock()
	runs := make([]*sendRun, 0, len(s.work.runs))
	for _, run := range s.work.runs {
		runs = append(runs, run)
	}
	s.work.mu.Unlock()
	for _, run := range runs {
		run.pause(true)
	}
	for _, run := range runs {
		select {
		case <-run.done:
		case <-ctx.Done():
			s.log.Warn("console: send run still stopping; it is resumed after its lease ends", "send", run.id)
			return
		}
	}
	if len(runs) > 0 {
		s.log.Info("console: send runs paused for the next start", "runs", len(runs))
	}
}

// resumeRuns claims the runs nobody holds and resumes them; ownNode also
// takes this node's runs held by its previous process.
func (s *Server) resumeRuns(ctx context.Context, ownNode bool) {
	r := s.runnerOf()
	st := s.core.Store()
	now := time.Now()
	if n, err := st.CleanSendRuns(ctx, now); err != nil {
		s.log.Error("console: clean send runs", "err", err)
	} else if n > 0 {
		s.log.Info("console: send runs cleaned (rows never fully stored, or sends over)", "runs", n)
	}
	for range 4 {
		r.mu.Lock()
		stopping := r.stopping
		r.mu.Unlock()
		if stopping || ctx.Err() != nil {
			return
		}
		lease := store.SendLease{Node: r.node, Token: r.token, Until: time.Now().Add(runLease)}
		runs, err := st.ClaimSendRuns(ctx, lease, now, ownNode, runClaim)
		if err != nil {
			s.log.Error("console: claim send runs", "err", err)
			return
		}
		for _, sr := range runs {
			if err := s.resume(ctx, sr, lease); err != nil {
				s.log.Error("console: resume send", "send", sr.SendID, "err", err)
			}
		}
		if len(runs) < runClaim {
			return
		}
	}
}

// resume continues a claimed run from its first unit not done.
func (s *Server) resume(ctx context.Context, sr *store.SendRun, lease store.SendLease) error {
	st := s.core.Store()
	sd, err := st.GetSend(ctx, sr.SendID)
	if err != nil {
		return err
	}
	if sd.State != store.SendSending {
		return nil // over already: CleanSendRuns removes its rows
	}
	var units []unit
	err = st.SendRunUnits(ctx, sd.ID, func(u *store.SendUnit) error {
		units = append(units, unit{idx: u.Unit, text: u.Text, numbers: u.Numbers, vars: u.Vars})
		return nil
	})
	if err != nil {
		return err
	}
	reasons, err := st.SendRunRefusals(ctx, sd.ID)
	if err != nil {
		return err
	}
	run, ok := s.newRun(sd, sd.Total)
	if !ok {
		return nil // still winding down here; resumed at a later look
	}
	run.durable, run.lease, run.reasons = true, lease, reasons
	run.accepted.Store(int64(sd.Accepted))
	run.refused.Store(int64(sd.Refused))
	run.left.Store(int64(len(units)))
	s.log.Info("console: send resumed", "send", sd.ID, "units_left", len(units), "of", sr.Units,
		"accepted", sd.Accepted, "refused", sd.Refused)
	go s.run(run, sd, sr.Template, units, sr.Personal)
	return nil
}
