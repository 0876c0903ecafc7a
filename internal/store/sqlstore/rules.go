package sqlstore

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// ---- blacklist ----

// AddBlacklist stores entries, updating the reason and source of a number
// already listed for that business; it returns how many were new.
func (s *Store) AddBlacklist(ctx context.Context, es []store.BlacklistEntry) (int, error) {
	added := 0
	err := s.write(ctx, "add blacklist", func(w *wtx) error {
		added = 0
		for _, e := range es {
			if e.CreatedAt.IsZero() {
				e.CreatedAt = time.Now()
			}
			// Insert first: an import of new numbers (the usual case) is one statement each.
			n, err := w.execN(`INSERT INTO blacklist (number, business, reason, source, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (number, business) DO NOTHING`, e.Number, e.Business, e.Reason, e.Source, us(e.CreatedAt))
			if err != nil {
				return fmt.Errorf("blacklist %s: %w", e.Number, err)
			}
			if n == 0 {
				if _, err := w.exec(`UPDATE blacklist SET reason = ?, source = ? WHERE number = ? AND business = ?`, e.Reason, e.Source, e.Number, e.Business); err != nil {
					return fmt.Errorf("blacklist %s: %w", e.Number, err)
				}
				continue
			}
			added++
		}
		return nil
	})
	return added, err
}

// RemoveBlacklist takes a number off one business's list ("" = the global one).
func (s *Store) RemoveBlacklist(ctx context.Context, number, business string) error {
	return s.write(ctx, "remove blacklist", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM blacklist WHERE number = ? AND business = ?`, number, business)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s: %w", number, store.ErrNotFound)
		}
		return nil
	})
}

// Blacklist calls fn for every entry, by number then business.
func (s *Store) Blacklist(ctx context.Context, fn func(store.BlacklistEntry) error) error {
	rows, err := s.rquery(ctx, `SELECT number, business, reason, source, created_at FROM blacklist ORDER BY number, business`)
	if err != nil {
		return fmt.Errorf("store: blacklist: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e store.BlacklistEntry
		var at int64
		if err := rows.Scan(&e.Number, &e.Business, &e.Reason, &e.Source, &at); err != nil {
			return fmt.Errorf("store: blacklist: %w", err)
		}
		e.CreatedAt = tm(at)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ---- forbidden words ----

// AddFilterWord stores w (w.ID set); a word listed already is ErrDuplicate.
func (s *Store) AddFilterWord(ctx context.Context, fw *store.FilterWord) error {
	if fw.CreatedAt.IsZero() {
		fw.CreatedAt = time.Now()
	}
	given := fw.ID
	return s.write(ctx, "add filter word", func(w *wtx) error {
		id, err := w.insertWithID("filter_words", given, `word, action, created_at`, []any{fw.Word, fw.Action, us(fw.CreatedAt)})
		if err != nil {
			return s.dupOr(err)
		}
		fw.ID = id
		return nil
	})
}

// RemoveFilterWord deletes a word by id.
func (s *Store) RemoveFilterWord(ctx context.Context, id int64) error {
	return s.write(ctx, "remove filter word", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM filter_words WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("filter word %d: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// FilterWords lists every word by id.
func (s *Store) FilterWords(ctx context.Context) ([]*store.FilterWord, error) {
	rows, err := s.rquery(ctx, `SELECT id, word, action, created_at FROM filter_words ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: filter words: %w", err)
	}
	defer rows.Close()
	var out []*store.FilterWord
	for rows.Next() {
		fw := &store.FilterWord{}
		var at int64
		if err := rows.Scan(&fw.ID, &fw.Word, &fw.Action, &at); err != nil {
			return nil, fmt.Errorf("store: filter words: %w", err)
		}
		fw.CreatedAt = tm(at)
		out = append(out, fw)
	}
	return out, rows.Err()
}

// ---- refusals ----

func (w *wtx) insertRefusals(rs []store.Refusal) error {
	for _, r := range rs {
		if _, err := w.exec(`INSERT INTO refusals (account_id, business, kind, number, detail, at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.AccountID, r.Business, r.Kind, r.Number, r.Detail, us(orNow(r.At))); err != nil {
			return fmt.Errorf("refusal: %w", err)
		}
	}
	return nil
}

// Refusals lists refusals, newest first; accountID 0 = every account.
func (s *Store) Refusals(ctx context.Context, accountID int64, limit int) ([]store.Refusal, error) {
	q := store.RefusalQuery{Limit: limit}
	if accountID != 0 {
		q.Accounts = []int64{accountID}
	}
	return s.RefusalsWhere(ctx, q)
}
