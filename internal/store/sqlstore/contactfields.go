package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"hongyan/internal/store"
)

// Contacts' custom fields (migration 0018): one row per contact and field
// name in contact_fields, written with the contact in its transaction. An
// empty value is not stored: a contact lacks a field or has a value.

var fieldInsert = &bulkInsert{table: "contact_fields", cols: []string{"contact_id", "group_id", "name", "value"}}

func hasFields(cs []*store.Contact) bool {
	for _, c := range cs {
		if len(c.Fields) > 0 {
			return true
		}
	}
	return false
}

// contactNumbers returns which of cs's numbers (at most maxChunk) are in
// the group already.
func (w *wtx) contactNumbers(groupID int64, cs []*store.Contact) (map[string]bool, error) {
	nums := make([]string, len(cs))
	for i, c := range cs {
		nums[i] = c.Number
	}
	list, args := inList(nums)
	rows, err := w.query(`SELECT number FROM contacts WHERE group_id = ? AND number IN `+list, append([]any{groupID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// addNewFields stores the fields of the contacts of cs (at most maxChunk)
// that were just added: those whose number was not in old, the first of a
// number repeated in cs.
func (w *wtx) addNewFields(groupID int64, cs []*store.Contact, old map[string]bool) error {
	first := map[string]*store.Contact{}
	var nums []string
	for _, c := range cs {
		if old[c.Number] || first[c.Number] != nil {
			continue
		}
		first[c.Number] = c
		if len(c.Fields) > 0 {
			nums = append(nums, c.Number)
		}
	}
	if len(nums) == 0 {
		return nil
	}
	list, largs := inList(nums)
	rows, err := w.query(`SELECT id, number FROM contacts WHERE group_id = ? AND number IN `+list, append([]any{groupID}, largs...)...)
	if err != nil {
		return err
	}
	var args []any
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return err
		}
		if c := first[n]; c != nil {
			c.ID = id
			args = appendFields(args, id, groupID, c.Fields)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return w.insert(fieldInsert, args)
}

func appendFields(args []any, contactID, groupID int64, fields map[string]string) []any {
	for k, v := range fields {
		if k != "" && v != "" {
			args = append(args, contactID, groupID, k, v)
		}
	}
	return args
}

// setFields replaces a contact's fields.
func (w *wtx) setFields(c *store.Contact) error {
	if _, err := w.exec(`DELETE FROM contact_fields WHERE contact_id = ?`, c.ID); err != nil {
		return err
	}
	return w.insert(fieldInsert, appendFields(nil, c.ID, c.GroupID, c.Fields))
}

// loadFields reads the fields of cs (contacts of one group, in id order).
// A long page reads the group's id range at once (ids of a group mostly
// follow each other); a short one names its ids.
func (s *Store) loadFields(ctx context.Context, groupID int64, cs []*store.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*store.Contact, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	read := func(q string, args ...any) error {
		rows, err := s.rquery(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var k, v string
			if err := rows.Scan(&id, &k, &v); err != nil {
				return err
			}
			if c := byID[id]; c != nil {
				if c.Fields == nil {
					c.Fields = map[string]string{}
				}
				c.Fields[k] = v
			}
		}
		return rows.Err()
	}
	const sel = `SELECT contact_id, name, value FROM contact_fields WHERE group_id = ? AND `
	if len(cs) > maxChunk {
		return read(sel+`contact_id >= ? AND contact_id <= ?`, groupID, cs[0].ID, cs[len(cs)-1].ID)
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	list, args := inList(ids)
	return read(sel+`contact_id IN `+list, append([]any{groupID}, args...)...)
}

// GroupFields lists the names of a group's fields, first used first
// (ties by name's bytes, the same in every database's collation).
func (s *Store) GroupFields(ctx context.Context, groupID int64) ([]string, error) {
	rows, err := s.rquery(ctx, `SELECT name, MIN(contact_id) FROM contact_fields WHERE group_id = ? GROUP BY name`, groupID)
	if err != nil {
		return nil, fmt.Errorf("store: fields of group %d: %w", groupID, err)
	}
	defer rows.Close()
	type col struct {
		name  string
		first int64
	}
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.name, &c.first); err != nil {
			return nil, fmt.Errorf("store: fields of group %d: %w", groupID, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: fields of group %d: %w", groupID, err)
	}
	slices.SortFunc(cols, func(a, b col) int {
		if c := cmp.Compare(a.first, b.first); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out, nil
}
