package sqlstore

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLiteQueryPlans guards the indexes: none of these queries may scan
// a whole table (a recovery or a report lookup that scans millions of rows
// is an outage, not a slowdown).
func TestSQLiteQueryPlans(t *testing.T) {
	s := openSQLiteT(t, filepath.Join(t.TempDir(), "plan.db"))
	for _, tc := range []struct {
		q     string
		args  []any
		index string
	}{
		{`SELECT ` + msgColList + ` FROM messages WHERE done_at = 0 AND state IN ` + pendingIn + ` AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`,
			[]any{0, 0, 10}, "messages_pending"},
		{`SELECT ` + msgColList + ` FROM messages WHERE account_id = ? AND to_number = ? ORDER BY id DESC LIMIT ?`, []any{1, "x", 10}, "messages_account_to"},
		{`SELECT ` + msgColList + ` FROM messages WHERE account_id IN (SELECT id FROM accounts) AND to_number = ? ORDER BY id DESC`, []any{"x"}, "messages_account_to"},
		{`SELECT ` + msgColList + ` FROM messages WHERE batch_id = ? ORDER BY id`, []any{1}, "messages_batch"},
		{`SELECT state, COUNT(*) FROM messages WHERE batch_id = ? GROUP BY state`, []any{1}, "messages_batch"},
		{`SELECT op_msg_id, gateway, message_id, seq FROM segments WHERE op_msg_id IN (?, ?)`, []any{"a", "b"}, "COVERING INDEX segments_op_msg_id"},
		{`SELECT id, gateway, op_msg_id, state, code, to_number, at FROM unmatched_reports WHERE op_msg_id IN (?, ?)`, []any{"a", "b"}, "unmatched_reports_op_msg_id"},
		{eventsQuery, []any{1, 1, 1, 1, 1}, "events_message"},
		{segmentsQuery, []any{1}, "PRIMARY KEY"},
		{`SELECT id, ` + moCols + ` FROM mo WHERE id > ? AND account_id = ? ORDER BY id LIMIT ?`, []any{0, 1, 10}, "mo_account"},
		{`SELECT id, ` + pushCols + ` FROM pushes WHERE done = 0 AND next_at <= ? ORDER BY next_at, id LIMIT ?`, []any{0, 10}, "pushes_due"},
		{`SELECT id, ` + pushCols + ` FROM pushes WHERE ref_id = ? AND kind = ? ORDER BY id`, []any{1, "mo"}, "pushes_ref"},
		{`SELECT id FROM batches WHERE account_id = ? AND client_ref = ? AND client_ref <> ''`, []any{1, "r"}, "batches_client_ref"},
	} {
		rows, err := s.w.Query(`EXPLAIN QUERY PLAN `+tc.q, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, " | ")
		if !strings.Contains(all, tc.index) {
			t.Errorf("query does not use %s:\n  %s\n  plan: %s", tc.index, firstLine(tc.q), all)
		}
		for _, p := range plan {
			if strings.HasPrefix(p, "SCAN ") && !strings.Contains(p, "USING") && !strings.Contains(p, "CONSTANT") && p != "SCAN accounts" {
				t.Errorf("full scan in %s:\n  plan: %s", firstLine(tc.q), all)
			}
		}
	}
}
