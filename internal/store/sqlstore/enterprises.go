package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"hongyan/internal/store"
)

// Enterprise customers (store/enterprises.go).

const enterpriseCols = `org_id, name, contact, phone, address, note, created_at, updated_at`

func scanEnterprise(sc scanner) (*store.Enterprise, error) {
	e := &store.Enterprise{}
	var created, updated int64
	if err := sc.Scan(&e.ID, &e.OrgID, &e.Name, &e.Contact, &e.Phone, &e.Address, &e.Note, &created, &updated); err != nil {
		return nil, err
	}
	e.CreatedAt, e.UpdatedAt = tm(created), tm(updated)
	return e, nil
}

// setEnterpriseAccounts replaces the accounts linked to an enterprise.
func (w *wtx) setEnterpriseAccounts(id int64, accounts []int64) error {
	if _, err := w.exec(`DELETE FROM enterprise_accounts WHERE enterprise_id = ?`, id); err != nil {
		return err
	}
	ids := slices.Clone(accounts)
	slices.Sort(ids)
	for _, a := range slices.Compact(ids) {
		if _, err := w.exec(`INSERT INTO enterprise_accounts (enterprise_id, account_id) VALUES (?, ?)`, id, a); err != nil {
			return err
		}
	}
	return nil
}

// CreateEnterprise adds an enterprise customer with its accounts.
func (s *Store) CreateEnterprise(ctx context.Context, e *store.Enterprise) error {
	if strings.TrimSpace(e.Name) == "" {
		return errors.New("store: enterprise: empty name")
	}
	e.CreatedAt = orNow(e.CreatedAt)
	e.UpdatedAt = orNow(e.UpdatedAt)
	return s.write(ctx, "create enterprise", func(w *wtx) error {
		id, err := w.insertWithID("enterprises", 0, enterpriseCols,
			[]any{e.OrgID, e.Name, e.Contact, e.Phone, e.Address, e.Note, us(e.CreatedAt), us(e.UpdatedAt)})
		if err != nil {
			return s.dupOr(err)
		}
		e.ID = id
		return w.setEnterpriseAccounts(id, e.AccountIDs)
	})
}

// UpdateEnterprise replaces an enterprise customer and its accounts.
func (s *Store) UpdateEnterprise(ctx context.Context, e *store.Enterprise) error {
	if strings.TrimSpace(e.Name) == "" {
		return errors.New("store: enterprise: empty name")
	}
	e.UpdatedAt = orNow(e.UpdatedAt)
	return s.write(ctx, "update enterprise", func(w *wtx) error {
		n, err := w.execN(`UPDATE enterprises SET org_id = ?, name = ?, contact = ?, phone = ?, address = ?, note = ?, updated_at = ? WHERE id = ?`,
			e.OrgID, e.Name, e.Contact, e.Phone, e.Address, e.Note, us(e.UpdatedAt), e.ID)
		if err != nil {
			return s.dupOr(err)
		}
		if n == 0 {
			return fmt.Errorf("enterprise %d: %w", e.ID, store.ErrNotFound)
		}
		return w.setEnterpriseAccounts(e.ID, e.AccountIDs)
	})
}

// DeleteEnterprise removes an enterprise customer and its links.
func (s *Store) DeleteEnterprise(ctx context.Context, id int64) error {
	return s.write(ctx, "delete enterprise", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM enterprises WHERE id = ?`, id)
		if err == nil && n == 0 {
			return fmt.Errorf("enterprise %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		_, err = w.exec(`DELETE FROM enterprise_accounts WHERE enterprise_id = ?`, id)
		return err
	})
}

// Enterprise reads one enterprise customer with its accounts.
func (s *Store) Enterprise(ctx context.Context, id int64) (*store.Enterprise, error) {
	es, err := s.enterprises(ctx, `id = ?`, []any{id}, "")
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, fmt.Errorf("store: enterprise %d: %w", id, store.ErrNotFound)
	}
	return es[0], nil
}

// Enterprises finds enterprise customers, by name then id.
func (s *Store) Enterprises(ctx context.Context, q store.EnterpriseQuery) ([]*store.Enterprise, error) {
	where := []string{customerScope(q.OrgIDs)}
	var args []any
	if t := strings.TrimSpace(q.Text); t != "" {
		like := "%" + escapeLike(t) + "%"
		where, args = append(where, "(name LIKE ? OR contact LIKE ? OR phone LIKE ?)"), append(args, like, like, like)
	}
	lim, largs := limitClause(q.Limit)
	return s.enterprises(ctx, strings.Join(where, " AND "), append(args, largs...), lim)
}

func (s *Store) enterprises(ctx context.Context, where string, args []any, lim string) ([]*store.Enterprise, error) {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(`SELECT id, `+enterpriseCols+` FROM enterprises WHERE `+where+` ORDER BY name, id`+lim), args...)
	if err != nil {
		return nil, fmt.Errorf("store: enterprises: %w", err)
	}
	var out []*store.Enterprise
	byID := map[int64]*store.Enterprise{}
	for rows.Next() {
		e, err := scanEnterprise(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: enterprises: %w", err)
		}
		out = append(out, e)
		byID[e.ID] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: enterprises: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(out))
	for _, e := range out {
		ids = append(ids, e.ID)
	}
	arows, err := s.r.QueryContext(ctx, `SELECT enterprise_id, account_id FROM enterprise_accounts WHERE enterprise_id IN `+intList(ids)+` ORDER BY enterprise_id, account_id`)
	if err != nil {
		return nil, fmt.Errorf("store: enterprise accounts: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var e, a int64
		if err := arows.Scan(&e, &a); err != nil {
			return nil, fmt.Errorf("store: enterprise accounts: %w", err)
		}
		byID[e].AccountIDs = append(byID[e].AccountIDs, a)
	}
	return out, arows.Err()
}
