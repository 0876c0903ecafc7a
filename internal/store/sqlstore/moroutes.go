package sqlstore

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/store"
)

const moRouteCols = `service_code, keyword, account_id, business, url, created_at`

// CreateMORoute adds r; a taken (service code, keyword) pair is ErrDuplicate.
func (s *Store) CreateMORoute(ctx context.Context, r *store.MORoute) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}
	given := r.ID
	return s.write(ctx, "create mo route", func(w *wtx) error {
		id, err := w.insertWithID("mo_routes", given, moRouteCols,
			[]any{r.ServiceCode, r.Keyword, r.AccountID, r.Business, r.URL, us(r.CreatedAt)})
		if err != nil {
			return s.dupOr(err)
		}
		r.ID = id
		return nil
	})
}

// DeleteMORoute removes a route; ErrNotFound when there is none.
func (s *Store) DeleteMORoute(ctx context.Context, id int64) error {
	return s.write(ctx, "delete mo route", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM mo_routes WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// MORoutes lists every route by id.
func (s *Store) MORoutes(ctx context.Context) ([]*store.MORoute, error) {
	rows, err := s.rquery(ctx, `SELECT id, `+moRouteCols+` FROM mo_routes ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: mo routes: %w", err)
	}
	defer rows.Close()
	var out []*store.MORoute
	for rows.Next() {
		r := &store.MORoute{}
		var created int64
		if err := rows.Scan(&r.ID, &r.ServiceCode, &r.Keyword, &r.AccountID, &r.Business, &r.URL, &created); err != nil {
			return nil, fmt.Errorf("store: mo routes: %w", err)
		}
		r.CreatedAt = tm(created)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: mo routes: %w", err)
	}
	return out, nil
}
