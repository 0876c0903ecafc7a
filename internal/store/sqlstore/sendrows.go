package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hongyan/internal/store"
)

// The units of the console's sends while they run (store.SendRunStore):
// a row per run with its lease, a row per unit. A run is saved in several
// transactions (100,000 personalised rows are 100,000 units) and becomes
// ready in the last, so a crash while saving never leaves a run that
// would be resumed with part of its units.

const sendRunCols = `send_id, template, personal, units, ready, lease_node, lease_token, lease_until, created_at`

// What one transaction of SaveSendRun carries at most.
const (
	saveUnits = 4096
	saveBytes = 4 << 20
)

var sendUnitInsert = &bulkInsert{table: "console_send_units", cols: []string{"send_id", "unit", "text", "numbers", "vars", "n"}}

// SaveSendRun stores a run and its units.
func (s *Store) SaveSendRun(ctx context.Context, run *store.SendRun, units []store.SendUnit) error {
	if run.CreatedAt.IsZero() {
		run.CreatedAt = time.Now()
	}
	rows := make([][]any, len(units))
	for i, u := range units {
		vars := ""
		if u.Vars != nil {
			b, err := json.Marshal(u.Vars)
			if err != nil {
				return fmt.Errorf("store: save send run %d: unit %d: %w", run.SendID, u.Unit, err)
			}
			vars = string(b)
		}
		rows[i] = []any{run.SendID, u.Unit, u.Text, strings.Join(u.Numbers, ","), vars, len(u.Numbers)}
	}
	for start, first := 0, true; first || start < len(rows); first = false {
		end, size := start, 0
		for end < len(rows) && end-start < saveUnits && size < saveBytes {
			size += len(rows[end][2].(string)) + len(rows[end][3].(string)) + len(rows[end][4].(string))
			end++
		}
		last := end == len(rows)
		err := s.write(ctx, "save send run", func(w *wtx) error {
			if first {
				_, err := w.exec(`INSERT INTO console_send_runs (`+sendRunCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					run.SendID, run.Template, b2i(run.Personal), len(units), b2i(last), run.Lease.Node, run.Lease.Token,
					us(run.Lease.Until), us(run.CreatedAt))
				if err != nil {
					return fmt.Errorf("send %d: %w", run.SendID, s.dupOr(err))
				}
			} else if last {
				if _, err := w.exec(`UPDATE console_send_runs SET ready = 1 WHERE send_id = ?`, run.SendID); err != nil {
					return err
				}
			}
			args := make([]any, 0, (end-start)*len(sendUnitInsert.cols))
			for _, r := range rows[start:end] {
				args = append(args, r...)
			}
			return w.insert(sendUnitInsert, args)
		})
		if err != nil {
			if !first {
				// Not ready, so never resumed; what was stored goes now (or
				// with CleanSendRuns once the lease ends).
				_ = s.write(context.WithoutCancel(ctx), "drop send run", func(w *wtx) error { return w.dropSendRun(run.SendID) })
			}
			return err
		}
		start = end
	}
	run.Units, run.Ready = len(units), true
	return nil
}

// dropSendRun deletes a run and its units.
func (w *wtx) dropSendRun(sendID int64) error {
	if _, err := w.exec(`DELETE FROM console_send_units WHERE send_id = ?`, sendID); err != nil {
		return fmt.Errorf("units of send %d: %w", sendID, err)
	}
	if _, err := w.exec(`DELETE FROM console_send_runs WHERE send_id = ?`, sendID); err != nil {
		return fmt.Errorf("run of send %d: %w", sendID, err)
	}
	return nil
}

func scanSendRun(sc scanner) (*store.SendRun, error) {
	r := &store.SendRun{}
	var personal, ready int64
	var until, created int64
	if err := sc.Scan(&r.SendID, &r.Template, &personal, &r.Units, &ready, &r.Lease.Node, &r.Lease.Token, &until, &created); err != nil {
		return nil, err
	}
	r.Personal, r.Ready = personal != 0, ready != 0
	r.Lease.Until, r.CreatedAt = tm(until), tm(created)
	return r, nil
}

// GetSendRun reads a send's run.
func (s *Store) GetSendRun(ctx context.Context, sendID int64) (*store.SendRun, error) {
	rows, err := s.rquery(ctx, `SELECT `+sendRunCols+` FROM console_send_runs WHERE send_id = ?`, sendID)
	if err != nil {
		return nil, fmt.Errorf("store: get send run %d: %w", sendID, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: get send run %d: %w", sendID, err)
		}
		return nil, fmt.Errorf("store: get send run %d: %w", sendID, store.ErrNotFound)
	}
	r, err := scanSendRun(rows)
	if err != nil {
		return nil, fmt.Errorf("store: get send run %d: %w", sendID, err)
	}
	return r, nil
}

// ClaimSendRuns leases the runs nobody holds. The candidates are read
// first, then each taken by an UPDATE that checks the same condition
// again, so that of two claimers only one changes a row.
func (s *Store) ClaimSendRuns(ctx context.Context, lease store.SendLease, now time.Time, ownNode bool, limit int) ([]*store.SendRun, error) {
	cond, cargs := `ready = 1 AND (lease_until <= ?`, []any{us(now)}
	if ownNode {
		cond, cargs = cond+` OR lease_node = ? AND lease_token <> ?`, append(cargs, lease.Node, lease.Token)
	}
	cond += `)`
	lim, largs := limitClause(limit)
	rows, err := s.rquery(ctx, `SELECT send_id FROM console_send_runs WHERE `+cond+` ORDER BY send_id`+lim, append(cargs, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: claim send runs: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claim send runs: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim send runs: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var won []int64
	err = s.write(ctx, "claim send runs", func(w *wtx) error {
		won = won[:0]
		for _, id := range ids {
			n, err := w.execN(`UPDATE console_send_runs SET lease_node = ?, lease_token = ?, lease_until = ? WHERE send_id = ? AND `+cond,
				append([]any{lease.Node, lease.Token, us(lease.Until), id}, cargs...)...)
			if err != nil {
				return fmt.Errorf("send %d: %w", id, err)
			}
			if n == 1 {
				won = append(won, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*store.SendRun, 0, len(won))
	for _, id := range won {
		r, err := s.GetSendRun(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // finished or stopped in between
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// SendRunUnits streams the units not done, in unit order.
func (s *Store) SendRunUnits(ctx context.Context, sendID int64, fn func(*store.SendUnit) error) error {
	rows, err := s.rquery(ctx, `SELECT unit, text, numbers, vars FROM console_send_units WHERE send_id = ? AND done = 0 ORDER BY unit`, sendID)
	if err != nil {
		return fmt.Errorf("store: send run units %d: %w", sendID, err)
	}
	defer rows.Close()
	for rows.Next() {
		u := &store.SendUnit{}
		var numbers, vars string
		if err := rows.Scan(&u.Unit, &u.Text, &numbers, &vars); err != nil {
			return fmt.Errorf("store: send run units %d: %w", sendID, err)
		}
		if numbers != "" {
			u.Numbers = strings.Split(numbers, ",")
		}
		if vars != "" {
			if err := json.Unmarshal([]byte(vars), &u.Vars); err != nil {
				return fmt.Errorf("store: send run units %d: unit %d: %w", sendID, u.Unit, err)
			}
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: send run units %d: %w", sendID, err)
	}
	return nil
}

// SendRunRefusals counts the refused units' numbers by code.
func (s *Store) SendRunRefusals(ctx context.Context, sendID int64) (map[string]int, error) {
	rows, err := s.rquery(ctx, `SELECT code, SUM(n) FROM console_send_units WHERE send_id = ? AND done = 1 AND code <> '' GROUP BY code`, sendID)
	if err != nil {
		return nil, fmt.Errorf("store: send run refusals %d: %w", sendID, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, fmt.Errorf("store: send run refusals %d: %w", sendID, err)
		}
		out[code] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: send run refusals %d: %w", sendID, err)
	}
	return out, nil
}

// FlushSendRun renews the lease, marks units done and records progress.
func (s *Store) FlushSendRun(ctx context.Context, sendID int64, lease store.SendLease, done []store.UnitDone, p store.SendProgress) error {
	byCode := map[string][]int64{}
	for _, d := range done {
		byCode[d.Code] = append(byCode[d.Code], int64(d.Unit))
	}
	codes := make([]string, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return s.write(ctx, "flush send run", func(w *wtx) error {
		n, err := w.execN(`UPDATE console_send_runs SET lease_until = ? WHERE send_id = ? AND lease_token = ?`,
			us(lease.Until), sendID, lease.Token)
		if err != nil {
			return fmt.Errorf("send %d: %w", sendID, err)
		}
		if n == 0 {
			return fmt.Errorf("send %d: %w", sendID, store.ErrLeaseLost)
		}
		for _, code := range codes {
			err := chunks(sortedUnique(byCode[code]), func(c []int64) error {
				list, args := inList(c)
				_, err := w.exec(`UPDATE console_send_units SET done = 1, code = ? WHERE send_id = ? AND unit IN `+list,
					append([]any{code, sendID}, args...)...)
				return err
			})
			if err != nil {
				return fmt.Errorf("units of send %d: %w", sendID, err)
			}
		}
		// As UpdateSend, in this transaction.
		n, err = w.execN(`UPDATE console_sends SET accepted = ?, refused = ?,
state = CASE WHEN ? <> '' THEN ? ELSE state END, error = CASE WHEN ? <> '' THEN ? ELSE error END, updated_at = ? WHERE id = ?`,
			p.Accepted, p.Refused, p.State, p.State, p.Error, p.Error, us(orNow(p.At)), sendID)
		if err != nil {
			return fmt.Errorf("send %d: %w", sendID, err)
		}
		if n == 0 {
			return fmt.Errorf("send %d: %w", sendID, store.ErrNotFound)
		}
		if err := w.addSendBatches(sendID, p.Batches); err != nil {
			return err
		}
		if p.State != "" {
			return w.dropSendRun(sendID)
		}
		return nil
	})
}

// ReleaseSendRun ends token's lease.
func (s *Store) ReleaseSendRun(ctx context.Context, sendID int64, token string) error {
	return s.write(ctx, "release send run", func(w *wtx) error {
		_, err := w.exec(`UPDATE console_send_runs SET lease_until = 0 WHERE send_id = ? AND lease_token = ?`, sendID, token)
		return err
	})
}

// StopSendRun deletes a run whoever holds it and stops its send.
func (s *Store) StopSendRun(ctx context.Context, sendID int64, errText string, at time.Time) (bool, error) {
	var had bool
	err := s.write(ctx, "stop send run", func(w *wtx) error {
		var one int
		err := w.scanOne(`SELECT 1 FROM console_send_runs WHERE send_id = ?`, []any{sendID}, &one)
		if had = err == nil; !had {
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return err
		}
		if err := w.dropSendRun(sendID); err != nil {
			return err
		}
		_, err = w.exec(`UPDATE console_sends SET state = ?, error = ?, updated_at = ? WHERE id = ? AND state = ?`,
			store.SendStopped, errText, us(orNow(at)), sendID, store.SendSending)
		return err
	})
	return had, err
}

// CleanSendRuns deletes runs a crash left unsaved, and runs of sends that
// are no longer sending.
func (s *Store) CleanSendRuns(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.rquery(ctx, `SELECT send_id FROM console_send_runs WHERE ready = 0 AND lease_until <= ?
OR send_id NOT IN (SELECT id FROM console_sends WHERE state = ?)`, us(now), store.SendSending)
	if err != nil {
		return 0, fmt.Errorf("store: clean send runs: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: clean send runs: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: clean send runs: %w", err)
	}
	cleaned := 0
	for _, id := range ids {
		var gone bool
		err := s.write(ctx, "clean send runs", func(w *wtx) error {
			// The same condition again: a run saved or claimed meanwhile stays.
			n, err := w.execN(`DELETE FROM console_send_runs WHERE send_id = ? AND (ready = 0 AND lease_until <= ?
OR send_id NOT IN (SELECT id FROM console_sends WHERE state = ?))`, id, us(now), store.SendSending)
			if gone = n > 0; err != nil || !gone {
				return err
			}
			_, err = w.exec(`DELETE FROM console_send_units WHERE send_id = ?`, id)
			return err
		})
		if err != nil {
			return cleaned, err
		}
		if gone {
			cleaned++
		}
	}
	return cleaned, nil
}
