package sqlstore

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// StaleSubmitted lists messages still waiting for status reports that were
// created before the given time, oldest first (done_at = 0 selects the
// pending index).
func (s *Store) StaleSubmitted(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	rows, err := s.rquery(ctx, `SELECT id FROM messages WHERE done_at = 0 AND state = ? AND created_at < ? ORDER BY created_at, id LIMIT ?`,
		string(store.Submitted), us(before), limit)
	if err != nil {
		return nil, fmt.Errorf("store: stale submitted: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: stale submitted: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
