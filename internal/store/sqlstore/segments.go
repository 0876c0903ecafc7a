package sqlstore

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// Edits of the number segment table (store.SegmentStore): a row per
// (kind, key), and one version row every change moves in the same
// transaction.

// SegmentEdits lists every edit by kind and key, with the version read first.
func (s *Store) SegmentEdits(ctx context.Context) ([]*store.SegmentEdit, int64, error) {
	v, err := s.SegmentEditsVersion(ctx)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.rquery(ctx, `SELECT kind, seg_key, operator, updated_by, updated_at FROM segment_edits ORDER BY kind, seg_key`)
	if err != nil {
		return nil, 0, fmt.Errorf("store: segment edits: %w", err)
	}
	defer rows.Close()
	var out []*store.SegmentEdit
	for rows.Next() {
		e := &store.SegmentEdit{}
		var at int64
		if err := rows.Scan(&e.Kind, &e.Key, &e.Operator, &e.UpdatedBy, &at); err != nil {
			return nil, 0, fmt.Errorf("store: segment edits: %w", err)
		}
		e.UpdatedAt = tm(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: segment edits: %w", err)
	}
	return out, v, nil
}

// SegmentEditsVersion reads the version of the edits.
func (s *Store) SegmentEditsVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.rscanOne(ctx, `SELECT version FROM segment_edit_version WHERE id = 1`, nil, &v); err != nil {
		return 0, fmt.Errorf("store: segment edits version: %w", err)
	}
	return v, nil
}

// SetSegmentEdit adds or replaces the edit of (e.Kind, e.Key).
func (s *Store) SetSegmentEdit(ctx context.Context, e *store.SegmentEdit) error {
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = time.Now()
	}
	return s.write(ctx, "set segment edit", func(w *wtx) error {
		if _, err := w.exec(`INSERT INTO segment_edits (kind, seg_key, operator, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (kind, seg_key) DO UPDATE SET operator = excluded.operator, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			e.Kind, e.Key, e.Operator, e.UpdatedBy, us(e.UpdatedAt)); err != nil {
			return err
		}
		return w.bumpSegmentVersion()
	})
}

// DeleteSegmentEdit removes the edit of (kind, key); ErrNotFound when none.
func (s *Store) DeleteSegmentEdit(ctx context.Context, kind, key string) error {
	return s.write(ctx, "delete segment edit", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM segment_edits WHERE kind = ? AND seg_key = ?`, kind, key)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return w.bumpSegmentVersion()
	})
}

func (w *wtx) bumpSegmentVersion() error {
	_, err := w.exec(`UPDATE segment_edit_version SET version = version + 1 WHERE id = 1`)
	return err
}
