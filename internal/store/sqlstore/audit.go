package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hongyan/internal/store"
)

const auditCols = `at, user_id, username, action, object_type, object_id, org_id, before_json, after_json`

// writeAudit inserts the audit entry the transaction's context carries
// (store.WithAudit), after the change and before the commit. It returns
// what marks the entry written once the commit succeeded (nil: none).
func (w *wtx) writeAudit() (func(), error) {
	e, complete, done := store.PendingAudit(w.ctx)
	if e == nil {
		return nil, nil
	}
	if complete != nil {
		complete(e)
	}
	if err := w.insertAudit(e); err != nil {
		return nil, fmt.Errorf("audit %s %s: %w", e.Action, e.Object, err)
	}
	return done, nil
}

func (w *wtx) insertAudit(e *store.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	id, err := w.insertWithID("audit_log", 0, auditCols,
		[]any{us(e.At), e.UserID, e.Username, e.Action, e.Object, e.ObjectID, e.OrgID, e.Before, e.After})
	if err != nil {
		return err
	}
	e.ID = id
	return nil
}

// AddAudit appends an entry on its own.
func (s *Store) AddAudit(ctx context.Context, e *store.AuditEntry) error {
	return s.write(ctx, "add audit", func(w *wtx) error { return w.insertAudit(e) })
}

// Audit lists entries matching q, newest first.
func (s *Store) Audit(ctx context.Context, q store.AuditQuery) ([]*store.AuditEntry, error) {
	if q.OrgIDs != nil && len(q.OrgIDs) == 0 {
		return nil, nil // scoped to no organisation at all
	}
	var where []string
	var args []any
	if q.Object != "" {
		where, args = append(where, "object_type = ?"), append(args, q.Object)
		if q.ObjectID != "" {
			where, args = append(where, "object_id = ?"), append(args, q.ObjectID)
		}
	}
	if q.Username != "" {
		where, args = append(where, "username = ?"), append(args, q.Username)
	}
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	if q.OrgIDs != nil {
		in, inArgs := anyInList(q.OrgIDs)
		where, args = append(where, "org_id IN "+in), append(args, inArgs...)
	}
	sql := `SELECT id, ` + auditCols + ` FROM audit_log`
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, " AND ")
	}
	lim, largs := limitClause(q.Limit)
	rows, err := s.rquery(ctx, sql+` ORDER BY id DESC`+lim, append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	var out []*store.AuditEntry
	for rows.Next() {
		e := &store.AuditEntry{}
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Username, &e.Action, &e.Object, &e.ObjectID, &e.OrgID, &e.Before, &e.After); err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		e.At = tm(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	return out, nil
}

// anyInList is inList for lists of any length (an organisation's subtree
// can pass maxChunk): "(?, ?, …)" padded with NULLs to a power of two, so
// that few statement shapes are prepared.
func anyInList(ids []int64) (string, []any) {
	if len(ids) <= maxChunk {
		return inList(ids)
	}
	n := 1
	for n < len(ids) {
		n <<= 1
	}
	args := make([]any, n)
	for i, v := range ids {
		args[i] = v
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")", args
}
