package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"hongyan/internal/store"
)

// The console's inbox (store.InboxStore): MO of several accounts, newest
// first. A conversation (From set) goes through mo_from (migration 0013).

// MOs lists the MO q selects, newest first.
func (s *Store) MOs(ctx context.Context, q store.MOQuery) ([]*store.MO, error) {
	if q.Accounts != nil && len(q.Accounts) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	if q.Accounts != nil {
		list, largs := inList(sortedUnique(q.Accounts))
		where, args = append(where, "account_id IN "+list), append(args, largs...)
	}
	if q.From != "" {
		where, args = append(where, "from_number = ?"), append(args, q.From)
	}
	if q.Business != "" {
		where, args = append(where, "business = ?"), append(args, q.Business)
	}
	if !q.Since.IsZero() {
		where, args = append(where, "received_at >= ?"), append(args, us(q.Since))
	}
	if !q.Until.IsZero() {
		where, args = append(where, "received_at < ?"), append(args, us(q.Until))
	}
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	sql := `SELECT id, ` + moCols + ` FROM mo`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	lim, largs := limitClause(q.Limit)
	out, err := s.mos(ctx, sql+" ORDER BY id DESC"+lim, append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	return out, nil
}

// GetMO reads one MO.
func (s *Store) GetMO(ctx context.Context, id int64) (*store.MO, error) {
	out, err := s.mos(ctx, `SELECT id, `+moCols+` FROM mo WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: mo %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("store: mo %d: %w", id, store.ErrNotFound)
	}
	return out[0], nil
}

func (s *Store) mos(ctx context.Context, q string, args ...any) ([]*store.MO, error) {
	rows, err := s.rquery(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.MO
	for rows.Next() {
		m := &store.MO{}
		var at int64
		if err := rows.Scan(&m.ID, &m.AccountID, &m.From, &m.To, &m.Content, &m.Operator, &m.Gateway, &m.Keyword, &m.Business, &m.RouteID, &at); err != nil {
			return nil, err
		}
		m.ReceivedAt = tm(at)
		out = append(out, m)
	}
	return out, rows.Err()
}
