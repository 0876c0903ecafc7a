package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"hongyan/internal/store"
)

// The address book (store.AddressBookStore): contact_groups and contacts
// (migration 0013), the contacts' fields (0018, contactfields.go). A group's size is counted from its contacts through
// contacts_group, so it is never behind.

const groupCols = `name, owner_id, org_id, note, created_by, created_at, updated_at`

// groupSelect reads a group with its size.
const groupSelect = `SELECT g.id, g.name, g.owner_id, g.org_id, g.note, g.created_by, g.created_at, g.updated_at,
(SELECT COUNT(*) FROM contacts c WHERE c.group_id = g.id) FROM contact_groups g`

var contactInsert = &bulkInsert{table: "contacts", cols: []string{"group_id", "number", "name", "note", "created_at"}, ignore: true}

// CreateGroup stores a group.
func (s *Store) CreateGroup(ctx context.Context, g *store.ContactGroup) error {
	if g.CreatedAt.IsZero() {
		g.CreatedAt = time.Now()
	}
	if g.UpdatedAt.IsZero() {
		g.UpdatedAt = g.CreatedAt
	}
	return s.write(ctx, "create contact group", func(w *wtx) error {
		id, err := w.insertWithID("contact_groups", 0, groupCols,
			[]any{g.Name, g.OwnerID, g.OrgID, g.Note, g.CreatedBy, us(g.CreatedAt), us(g.UpdatedAt)})
		if err != nil {
			return fmt.Errorf("group %q: %w", g.Name, s.dupOr(err))
		}
		g.ID = id
		return nil
	})
}

// UpdateGroup changes a group's name and note.
func (s *Store) UpdateGroup(ctx context.Context, g *store.ContactGroup) error {
	return s.write(ctx, "update contact group", func(w *wtx) error {
		n, err := w.execN(`UPDATE contact_groups SET name = ?, note = ?, updated_at = ? WHERE id = ?`,
			g.Name, g.Note, us(orNow(g.UpdatedAt)), g.ID)
		if err != nil {
			return fmt.Errorf("group %d: %w", g.ID, s.dupOr(err))
		}
		if n == 0 {
			return fmt.Errorf("group %d: %w", g.ID, store.ErrNotFound)
		}
		return nil
	})
}

// DeleteGroup removes a group and its contacts.
func (s *Store) DeleteGroup(ctx context.Context, id int64) error {
	return s.write(ctx, "delete contact group", func(w *wtx) error {
		if _, err := w.exec(`DELETE FROM contact_fields WHERE group_id = ?`, id); err != nil {
			return fmt.Errorf("fields of group %d: %w", id, err)
		}
		if _, err := w.exec(`DELETE FROM contacts WHERE group_id = ?`, id); err != nil {
			return fmt.Errorf("contacts of group %d: %w", id, err)
		}
		n, err := w.execN(`DELETE FROM contact_groups WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("group %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("group %d: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

func scanGroup(sc scanner) (*store.ContactGroup, error) {
	g := &store.ContactGroup{}
	var created, updated int64
	if err := sc.Scan(&g.ID, &g.Name, &g.OwnerID, &g.OrgID, &g.Note, &g.CreatedBy, &created, &updated, &g.Contacts); err != nil {
		return nil, err
	}
	g.CreatedAt, g.UpdatedAt = tm(created), tm(updated)
	return g, nil
}

// GetGroup reads one group.
func (s *Store) GetGroup(ctx context.Context, id int64) (*store.ContactGroup, error) {
	gs, err := s.groups(ctx, groupSelect+` WHERE g.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: group %d: %w", id, err)
	}
	if len(gs) == 0 {
		return nil, fmt.Errorf("store: group %d: %w", id, store.ErrNotFound)
	}
	return gs[0], nil
}

// Groups lists the groups q selects, by name then id.
func (s *Store) Groups(ctx context.Context, q store.GroupQuery) ([]*store.ContactGroup, error) {
	var or []string
	var args []any
	if q.OwnerID != 0 {
		or, args = append(or, "g.owner_id = ?"), append(args, q.OwnerID)
	}
	switch {
	case q.AllOrgs:
		or = append(or, "g.owner_id = 0")
	case len(q.Orgs) > 0:
		list, largs := inList(sortedUnique(q.Orgs))
		or, args = append(or, "(g.owner_id = 0 AND g.org_id IN "+list+")"), append(args, largs...)
	}
	if len(or) == 0 {
		return nil, nil
	}
	gs, err := s.groups(ctx, groupSelect+` WHERE `+strings.Join(or, " OR ")+` ORDER BY g.name, g.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	return gs, nil
}

func (s *Store) groups(ctx context.Context, q string, args ...any) ([]*store.ContactGroup, error) {
	rows, err := s.rquery(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.ContactGroup
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AddContacts adds contacts to a group; numbers already there are kept.
func (s *Store) AddContacts(ctx context.Context, groupID int64, cs []*store.Contact) (int, error) {
	added := 0
	err := s.write(ctx, "add contacts", func(w *wtx) error {
		added = 0
		var one int64
		if err := w.scanOne(`SELECT id FROM contact_groups WHERE id = ?`+w.s.d.lockSuffix(), []any{groupID}, &one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("group %d: %w", groupID, store.ErrNotFound)
			}
			return fmt.Errorf("group %d: %w", groupID, err)
		}
		now := time.Now()
		per := len(contactInsert.cols)
		args := make([]any, 0, per*min(len(cs), maxChunk))
		for rest := cs; len(rest) > 0; {
			n := chunkSize(len(rest))
			chunk := rest[:n]
			// Fields need the new contacts' ids: which numbers were there
			// before tells the new ones from those left as they were.
			var old map[string]bool
			withFields := hasFields(chunk)
			if withFields {
				var err error
				if old, err = w.contactNumbers(groupID, chunk); err != nil {
					return fmt.Errorf("contacts of group %d: %w", groupID, err)
				}
			}
			args = args[:0]
			for _, c := range chunk {
				args = append(args, groupID, c.Number, c.Name, c.Note, us(orDefault(c.CreatedAt, now)))
			}
			res, err := w.exec(contactInsert.sql(w.s.d, n), args...)
			if err != nil {
				return fmt.Errorf("contacts of group %d: %w", groupID, err)
			}
			if withFields {
				if err := w.addNewFields(groupID, chunk, old); err != nil {
					return fmt.Errorf("fields of group %d: %w", groupID, err)
				}
			}
			k, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("contacts of group %d: %w", groupID, err)
			}
			added += int(k)
			rest = rest[n:]
		}
		if added > 0 {
			if _, err := w.exec(`UPDATE contact_groups SET updated_at = ? WHERE id = ?`, us(now), groupID); err != nil {
				return fmt.Errorf("group %d: %w", groupID, err)
			}
		}
		return nil
	})
	return added, err
}

func orDefault(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// UpdateContact changes a contact.
func (s *Store) UpdateContact(ctx context.Context, c *store.Contact) error {
	return s.write(ctx, "update contact", func(w *wtx) error {
		n, err := w.execN(`UPDATE contacts SET number = ?, name = ?, note = ? WHERE id = ? AND group_id = ?`,
			c.Number, c.Name, c.Note, c.ID, c.GroupID)
		if err != nil {
			return fmt.Errorf("contact %d: %w", c.ID, s.dupOr(err))
		}
		if n == 0 {
			return fmt.Errorf("contact %d: %w", c.ID, store.ErrNotFound)
		}
		if c.Fields != nil {
			if err := w.setFields(c); err != nil {
				return fmt.Errorf("fields of contact %d: %w", c.ID, err)
			}
		}
		return nil
	})
}

// DeleteContact removes a contact of a group.
func (s *Store) DeleteContact(ctx context.Context, groupID, id int64) error {
	return s.write(ctx, "delete contact", func(w *wtx) error {
		if _, err := w.exec(`DELETE FROM contact_fields WHERE contact_id = ? AND group_id = ?`, id, groupID); err != nil {
			return fmt.Errorf("fields of contact %d: %w", id, err)
		}
		n, err := w.execN(`DELETE FROM contacts WHERE id = ? AND group_id = ?`, id, groupID)
		if err != nil {
			return fmt.Errorf("contact %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("contact %d: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// contactWhere is the WHERE clause of q (without paging).
func contactWhere(q store.ContactQuery) (string, []any) {
	where, args := ` WHERE group_id = ?`, []any{q.GroupID}
	if q.Search != "" {
		pat := "%" + likeEscape(q.Search) + "%"
		where += ` AND (number LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\')`
		args = append(args, pat, pat)
	}
	return where, args
}

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Contacts lists a group's contacts in id order.
func (s *Store) Contacts(ctx context.Context, q store.ContactQuery) ([]*store.Contact, error) {
	where, args := contactWhere(q)
	if q.AfterID > 0 {
		where, args = where+` AND id > ?`, append(args, q.AfterID)
	}
	lim, largs := limitClause(q.Limit)
	rows, err := s.rquery(ctx, `SELECT id, group_id, number, name, note, created_at FROM contacts`+where+` ORDER BY id`+lim,
		append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: contacts of group %d: %w", q.GroupID, err)
	}
	defer rows.Close()
	var out []*store.Contact
	for rows.Next() {
		c := &store.Contact{}
		var at int64
		if err := rows.Scan(&c.ID, &c.GroupID, &c.Number, &c.Name, &c.Note, &at); err != nil {
			return nil, fmt.Errorf("store: contacts of group %d: %w", q.GroupID, err)
		}
		c.CreatedAt = tm(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: contacts of group %d: %w", q.GroupID, err)
	}
	rows.Close()
	if err := s.loadFields(ctx, q.GroupID, out); err != nil {
		return nil, fmt.Errorf("store: fields of group %d: %w", q.GroupID, err)
	}
	return out, nil
}

// CountContacts counts the contacts q selects.
func (s *Store) CountContacts(ctx context.Context, q store.ContactQuery) (int, error) {
	where, args := contactWhere(q)
	var n int
	if err := s.rscanOne(ctx, `SELECT COUNT(*) FROM contacts`+where, args, &n); err != nil {
		return 0, fmt.Errorf("store: count contacts of group %d: %w", q.GroupID, err)
	}
	return n, nil
}
