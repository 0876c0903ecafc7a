package sqlstore

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/store"
)

const orgCols = `parent_id, level, code, name, created_at`

// CreateOrg stores o (o.ID set); a taken code is ErrDuplicate.
func (s *Store) CreateOrg(ctx context.Context, o *store.Org) error {
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now()
	}
	given := o.ID
	return s.write(ctx, "create org", func(w *wtx) error {
		id, err := w.insertWithID("orgs", given, orgCols, []any{o.ParentID, o.Level, o.Code, o.Name, us(o.CreatedAt)})
		if err != nil {
			return s.dupOr(err)
		}
		o.ID = id
		return nil
	})
}

// UpdateOrg changes an organisation's parent, level, code and name.
func (s *Store) UpdateOrg(ctx context.Context, o *store.Org) error {
	return s.write(ctx, "update org", func(w *wtx) error {
		n, err := w.execN(`UPDATE orgs SET parent_id = ?, level = ?, code = ?, name = ? WHERE id = ?`, o.ParentID, o.Level, o.Code, o.Name, o.ID)
		if err != nil {
			return s.dupOr(err)
		}
		if n == 0 {
			return fmt.Errorf("org %d: %w", o.ID, store.ErrNotFound)
		}
		return nil
	})
}

// Orgs lists every organisation by id.
func (s *Store) Orgs(ctx context.Context) ([]*store.Org, error) {
	rows, err := s.rquery(ctx, `SELECT id, `+orgCols+` FROM orgs ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: orgs: %w", err)
	}
	defer rows.Close()
	var out []*store.Org
	for rows.Next() {
		o := &store.Org{}
		var at int64
		if err := rows.Scan(&o.ID, &o.ParentID, &o.Level, &o.Code, &o.Name, &at); err != nil {
			return nil, fmt.Errorf("store: orgs: %w", err)
		}
		o.CreatedAt = tm(at)
		out = append(out, o)
	}
	return out, rows.Err()
}
