package core

import (
	"context"
	"errors"

	"hongyan/internal/store"
)

// committer group-commits: callers hand it items, one goroutine gathers
// whatever is waiting (up to max) and flushes them in one transaction, then
// tells every caller the outcome. Under load batches grow by themselves, so
// one fsync carries many messages; when idle a lone item goes straight out.
type committer[T any] struct {
	in    chan *pendingItems[T]
	flush func(ctx context.Context, items []T) error
	max   int
	done  chan struct{}
}

type pendingItems[T any] struct {
	items []T
	errc  chan error // nil: fire and forget
}

var errCommitterClosed = errors.New("core: shutting down")

func newCommitter[T any](max int, flush func(context.Context, []T) error) *committer[T] {
	return &committer[T]{in: make(chan *pendingItems[T], max), flush: flush, max: max, done: make(chan struct{})}
}

// run flushes until ctx ends and the queue is drained.
func (c *committer[T]) run(ctx context.Context) {
	defer close(c.done)
	var batch []T
	var waiters []chan error
	for {
		var p *pendingItems[T]
		select {
		case p = <-c.in:
		case <-ctx.Done():
			// Drain what is already queued so accepted work is not dropped.
			select {
			case p = <-c.in:
			default:
				return
			}
		}
		batch = append(batch[:0], p.items...)
		waiters = append(waiters[:0], p.errc)
	gather:
		for len(batch) < c.max {
			select {
			case q := <-c.in:
				batch = append(batch, q.items...)
				waiters = append(waiters, q.errc)
			default:
				break gather
			}
		}
		// The flush must not be cut short by shutdown: it is what makes the
		// callers' work durable.
		err := c.flush(context.WithoutCancel(ctx), batch)
		for _, w := range waiters {
			if w != nil {
				w <- err
			}
		}
		clear(batch)
	}
}

// do commits items and waits for the outcome.
func (c *committer[T]) do(ctx context.Context, items ...T) error {
	errc := make(chan error, 1)
	select {
	case c.in <- &pendingItems[T]{items: items, errc: errc}:
	case <-c.done:
		return errCommitterClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-errc:
		return err
	case <-c.done:
		// run drains before closing done, so a queued item got its answer.
		select {
		case err := <-errc:
			return err
		default:
			return errCommitterClosed
		}
	}
}

// writeOp is one caller's part of a group commit.
type writeOp struct {
	accept   *store.AcceptItem
	queued   []store.QueuedMark
	submits  []store.SubmitResult
	reports  []store.Report
	retries  []store.Retry
	finishes []store.Finish
	events   []store.Event
	refusals []store.Refusal
}

// write commits op (with whatever else is waiting) and waits until durable.
func (c *Core) write(ctx context.Context, op writeOp) error { return c.writer.do(ctx, op) }

// flushWrites is the writer's one transaction, then what follows a commit:
// final-state hooks for messages finished by reports or refusals.
func (c *Core) flushWrites(ctx context.Context, ops []writeOp) error {
	var ws store.WriteSet
	for i := range ops {
		op := &ops[i]
		if op.accept != nil {
			ws.Accept = append(ws.Accept, op.accept)
		}
		ws.Queued = append(ws.Queued, op.queued...)
		ws.Submits = append(ws.Submits, op.submits...)
		ws.Reports = append(ws.Reports, op.reports...)
		ws.Retries = append(ws.Retries, op.retries...)
		ws.Finishes = append(ws.Finishes, op.finishes...)
		ws.Events = append(ws.Events, op.events...)
		ws.Refusals = append(ws.Refusals, op.refusals...)
	}
	if err := c.st.Write(ctx, &ws); err != nil {
		return err
	}
	c.afterReports(ctx, ws.SubmitOutcomes)
	c.afterReports(ctx, ws.ReportOutcomes)
	for _, f := range ws.Finishes {
		c.finalized(ctx, f.MessageID, f.State)
	}
	return nil
}
