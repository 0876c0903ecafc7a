package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hongyan/internal/store"
)

// The number library (store/library.go). Entries may be millions: every
// read is a query with a limit, and building from traffic is an
// INSERT … SELECT inside the database.

// tagsCol keeps tags as ",a,b," (commas are not allowed in a tag), so that
// one tag is found with LIKE '%,a,%'.
func tagsCol(tags []string) string {
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(strings.ReplaceAll(t, ",", " "))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "," + strings.Join(out, ",") + ","
}

func tagsOf(col string) []string {
	col = strings.Trim(col, ",")
	if col == "" {
		return nil
	}
	return strings.Split(col, ",")
}

// intList is "(1, 2, 3)": integers are written into the SQL, which keeps
// any number of them one query (ids come from the database, never from users).
func intList(ids []int64) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, id)
	}
	b.WriteByte(')')
	return b.String()
}

// CreateNumberCategory adds c.
func (s *Store) CreateNumberCategory(ctx context.Context, c *store.NumberCategory) error {
	if strings.TrimSpace(c.Name) == "" {
		return errors.New("store: number category: empty name")
	}
	c.CreatedAt = orNow(c.CreatedAt)
	return s.write(ctx, "create number category", func(w *wtx) error {
		id, err := w.insertWithID("number_categories", 0, "org_id, name, note, created_by, created_at",
			[]any{c.OrgID, c.Name, c.Note, c.CreatedBy, us(c.CreatedAt)})
		if err != nil {
			return s.dupOr(err)
		}
		c.ID = id
		return nil
	})
}

// DeleteNumberCategory removes the category, its numbers and grants.
func (s *Store) DeleteNumberCategory(ctx context.Context, id int64) error {
	return s.write(ctx, "delete number category", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM number_categories WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("number category %d: %w", id, store.ErrNotFound)
		}
		if _, err := w.exec(`DELETE FROM number_entries WHERE category_id = ?`, id); err != nil {
			return err
		}
		_, err = w.exec(`DELETE FROM number_grants WHERE category_id = ?`, id)
		return err
	})
}

// UpdateNumberCategory sets a category's name and note.
func (s *Store) UpdateNumberCategory(ctx context.Context, c *store.NumberCategory) error {
	if strings.TrimSpace(c.Name) == "" {
		return errors.New("store: number category: empty name")
	}
	return s.write(ctx, "update number category", func(w *wtx) error {
		n, err := w.execN(`UPDATE number_categories SET name = ?, note = ? WHERE id = ?`, c.Name, c.Note, c.ID)
		if err != nil {
			return s.dupOr(err)
		}
		if n == 0 {
			return fmt.Errorf("number category %d: %w", c.ID, store.ErrNotFound)
		}
		return nil
	})
}

const numberCategorySelect = `SELECT c.id, c.org_id, c.name, c.note, c.created_by, c.created_at,
	(SELECT COUNT(*) FROM number_entries e WHERE e.category_id = c.id) FROM number_categories c`

func scanCategory(sc scanner) (*store.NumberCategory, error) {
	c := &store.NumberCategory{}
	var at int64
	if err := sc.Scan(&c.ID, &c.OrgID, &c.Name, &c.Note, &c.CreatedBy, &at, &c.Count); err != nil {
		return nil, err
	}
	c.CreatedAt = tm(at)
	return c, nil
}

// NumberCategory reads one category with its count.
func (s *Store) NumberCategory(ctx context.Context, id int64) (*store.NumberCategory, error) {
	st, err := s.rst.get(ctx, numberCategorySelect+` WHERE c.id = ?`)
	if err != nil {
		return nil, fmt.Errorf("store: number category %d: %w", id, err)
	}
	c, err := scanCategory(st.QueryRowContext(ctx, id))
	if err != nil {
		return nil, notFound(fmt.Sprintf("number category %d", id), err)
	}
	return c, nil
}

// NumberCategories lists every category by id.
func (s *Store) NumberCategories(ctx context.Context) ([]*store.NumberCategory, error) {
	rows, err := s.rquery(ctx, numberCategorySelect+` ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("store: number categories: %w", err)
	}
	defer rows.Close()
	var out []*store.NumberCategory
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("store: number categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetNumberGrants replaces a category's grants.
func (s *Store) SetNumberGrants(ctx context.Context, categoryID int64, orgIDs []int64) error {
	return s.write(ctx, "set number grants", func(w *wtx) error {
		var one int64
		err := w.scanOne(`SELECT id FROM number_categories WHERE id = ?`, []any{categoryID}, &one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("number category %d: %w", categoryID, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := w.exec(`DELETE FROM number_grants WHERE category_id = ?`, categoryID); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, o := range orgIDs {
			if o == 0 || seen[o] {
				continue
			}
			seen[o] = true
			if _, err := w.exec(`INSERT INTO number_grants (category_id, org_id) VALUES (?, ?)`, categoryID, o); err != nil {
				return err
			}
		}
		return nil
	})
}

// NumberGrants maps categories to the organisations granted them.
func (s *Store) NumberGrants(ctx context.Context) (map[int64][]int64, error) {
	rows, err := s.rquery(ctx, `SELECT category_id, org_id FROM number_grants ORDER BY category_id, org_id`)
	if err != nil {
		return nil, fmt.Errorf("store: number grants: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var c, o int64
		if err := rows.Scan(&c, &o); err != nil {
			return nil, fmt.Errorf("store: number grants: %w", err)
		}
		out[c] = append(out[c], o)
	}
	return out, rows.Err()
}

// AddNumbers upserts entries.
func (s *Store) AddNumbers(ctx context.Context, es []store.NumberEntry) (int, error) {
	added := 0
	err := s.write(ctx, "add numbers", func(w *wtx) error {
		added = 0
		now := us(time.Now())
		for _, e := range es {
			if e.Number == "" || e.CategoryID == 0 {
				return fmt.Errorf("number entry %q in category %d: number and category required", e.Number, e.CategoryID)
			}
			at := us(e.CreatedAt)
			if at == 0 {
				at = now
			}
			n, err := w.execN(`UPDATE number_entries SET province = ?, city = ?, operator = ?, tags = ? WHERE category_id = ? AND number = ?`,
				e.Province, e.City, e.Operator, tagsCol(e.Tags), e.CategoryID, e.Number)
			if err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := w.exec(`INSERT INTO number_entries (category_id, number, province, city, operator, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				e.CategoryID, e.Number, e.Province, e.City, e.Operator, tagsCol(e.Tags), at); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	return added, err
}

// RemoveNumber removes one number from a category.
func (s *Store) RemoveNumber(ctx context.Context, categoryID int64, number string) error {
	return s.write(ctx, "remove number", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM number_entries WHERE category_id = ? AND number = ?`, categoryID, number)
		if err == nil && n == 0 {
			err = fmt.Errorf("number %s in category %d: %w", number, categoryID, store.ErrNotFound)
		}
		return err
	})
}

// SearchNumbers finds entries of q.CategoryIDs.
func (s *Store) SearchNumbers(ctx context.Context, q store.NumberQuery) ([]store.NumberEntry, error) {
	if len(q.CategoryIDs) == 0 {
		return nil, nil
	}
	where := []string{"category_id IN " + intList(q.CategoryIDs)}
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if q.Province != "" {
		add("province = ?", q.Province)
	}
	if q.City != "" {
		add("city = ?", q.City)
	}
	if q.Tag != "" {
		add("tags LIKE ?", "%,"+escapeLike(q.Tag)+",%")
	}
	if q.Prefix != "" {
		add("number LIKE ?", escapeLike(q.Prefix)+"%")
	}
	if q.After != "" {
		add("number > ?", q.After)
	}
	sqlq := `SELECT category_id, number, province, city, operator, tags, created_at FROM number_entries WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY number, category_id`
	lim, largs := limitClause(q.Limit)
	// Not through the statement cache: the id list makes each query its own.
	rows, err := s.r.QueryContext(ctx, s.d.rebind(sqlq+lim), append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: search numbers: %w", err)
	}
	defer rows.Close()
	var out []store.NumberEntry
	for rows.Next() {
		var e store.NumberEntry
		var tags string
		var at int64
		if err := rows.Scan(&e.CategoryID, &e.Number, &e.Province, &e.City, &e.Operator, &tags, &at); err != nil {
			return nil, fmt.Errorf("store: search numbers: %w", err)
		}
		e.Tags, e.CreatedAt = tagsOf(tags), tm(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// escapeLike makes % and _ literal (with ESCAPE-less LIKE, by dropping them:
// numbers and tags have no use for them).
func escapeLike(s string) string { return strings.NewReplacer("%", "", "_", "").Replace(s) }

// NumbersFromTraffic adds delivered-to and replying numbers with INSERT … SELECT.
func (s *Store) NumbersFromTraffic(ctx context.Context, q store.TrafficQuery) (int64, error) {
	if !q.Delivered && !q.Replied {
		return 0, errors.New("store: numbers from traffic: neither delivered nor replied")
	}
	if q.AccountIDs != nil && len(q.AccountIDs) == 0 {
		return 0, nil // a scope without accounts has no traffic
	}
	var added int64
	err := s.write(ctx, "numbers from traffic", func(w *wtx) error {
		added = 0
		var one int64
		err := w.scanOne(`SELECT id FROM number_categories WHERE id = ?`, []any{q.CategoryID}, &one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("number category %d: %w", q.CategoryID, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		acct := ""
		if q.AccountIDs != nil {
			acct = " AND account_id IN " + intList(q.AccountIDs)
		}
		from, until := us(q.From), us(q.Until)
		if until == 0 {
			until = us(time.Now().Add(time.Second))
		}
		ins := `INSERT INTO number_entries (category_id, number, province, city, operator, tags, created_at) `
		var sels []string
		if q.Delivered {
			sels = append(sels, `SELECT to_number AS n, MIN(operator) AS op FROM messages WHERE state = 'delivered' AND created_at >= ? AND created_at < ?`+acct+` GROUP BY to_number`)
		}
		if q.Replied {
			sels = append(sels, `SELECT from_number AS n, MIN(operator) AS op FROM mo WHERE received_at >= ? AND received_at < ? AND from_number <> ''`+acct+` GROUP BY from_number`)
		}
		args := []any{q.CategoryID, tagsCol(q.Tags), us(time.Now())}
		for range sels {
			args = append(args, from, until)
		}
		// The union may name a number twice (delivered and replied): the
		// outer GROUP BY keeps one row, so no conflict arises inside the insert.
		stmt := ins + `SELECT CAST(? AS BIGINT), t.n, '', '', MIN(t.op), CAST(? AS TEXT), CAST(? AS BIGINT) FROM (` + strings.Join(sels, " UNION ALL ") + `) t WHERE 1 = 1 GROUP BY t.n`
		stmt = w.s.d.insertIgnore(stmt)
		res, err := w.tx.ExecContext(w.ctx, w.s.d.rebind(stmt), args...)
		if err != nil {
			return err
		}
		added, err = res.RowsAffected()
		return err
	})
	return added, err
}
