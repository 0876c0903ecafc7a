package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"hongyan/internal/store"
)

// Customer information and survey keywords (store/customers.go).

const customerCols = `org_id, phone, name, occupation, age, income, fields, source, created_at, updated_at`

func fieldsCol(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

func scanCustomer(sc scanner) (*store.Customer, error) {
	c := &store.Customer{}
	var fields string
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.OrgID, &c.Phone, &c.Name, &c.Occupation, &c.Age, &c.Income, &fields, &c.Source, &created, &updated); err != nil {
		return nil, err
	}
	if fields != "" {
		if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
			return nil, fmt.Errorf("customer %d fields: %w", c.ID, err)
		}
	}
	c.CreatedAt, c.UpdatedAt = tm(created), tm(updated)
	return c, nil
}

// SaveCustomers inserts or merges each record by (org, phone).
func (s *Store) SaveCustomers(ctx context.Context, cs []*store.Customer) (int, error) {
	added := 0
	err := s.write(ctx, "save customers", func(w *wtx) error {
		added = 0
		now := time.Now()
		for _, c := range cs {
			if c.Phone == "" {
				return errors.New("customer without a phone")
			}
			old, err := scanCustomer(w.tx.QueryRowContext(w.ctx, w.s.d.rebind(`SELECT id, `+customerCols+` FROM customers WHERE org_id = ? AND phone = ?`), c.OrgID, c.Phone))
			if errors.Is(err, sql.ErrNoRows) {
				c.CreatedAt, c.UpdatedAt = orNow(c.CreatedAt), orNow(c.UpdatedAt)
				id, err := w.insertWithID("customers", 0, customerCols, []any{c.OrgID, c.Phone, c.Name, c.Occupation, c.Age, c.Income,
					fieldsCol(c.Fields), c.Source, us(c.CreatedAt), us(c.UpdatedAt)})
				if err != nil {
					return s.dupOr(err)
				}
				c.ID = id
				added++
				continue
			}
			if err != nil {
				return err
			}
			// Merge: what the new record leaves empty keeps its old value.
			if c.Name == "" {
				c.Name = old.Name
			}
			if c.Occupation == "" {
				c.Occupation = old.Occupation
			}
			if c.Age == 0 {
				c.Age = old.Age
			}
			if c.Income == "" {
				c.Income = old.Income
			}
			f := maps.Clone(old.Fields)
			if f == nil {
				f = map[string]string{}
			}
			maps.Copy(f, c.Fields)
			c.Fields, c.ID, c.CreatedAt, c.UpdatedAt = f, old.ID, old.CreatedAt, now
			if _, err := w.exec(`UPDATE customers SET name = ?, occupation = ?, age = ?, income = ?, fields = ?, source = ?, updated_at = ? WHERE id = ?`,
				c.Name, c.Occupation, c.Age, c.Income, fieldsCol(c.Fields), c.Source, us(now), c.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// UpdateCustomer replaces one record.
func (s *Store) UpdateCustomer(ctx context.Context, c *store.Customer) error {
	c.UpdatedAt = orNow(c.UpdatedAt)
	return s.write(ctx, "update customer", func(w *wtx) error {
		n, err := w.execN(`UPDATE customers SET org_id = ?, phone = ?, name = ?, occupation = ?, age = ?, income = ?, fields = ?, updated_at = ? WHERE id = ?`,
			c.OrgID, c.Phone, c.Name, c.Occupation, c.Age, c.Income, fieldsCol(c.Fields), us(c.UpdatedAt), c.ID)
		if err != nil {
			return s.dupOr(err)
		}
		if n == 0 {
			return fmt.Errorf("customer %d: %w", c.ID, store.ErrNotFound)
		}
		return nil
	})
}

// DeleteCustomer removes one record.
func (s *Store) DeleteCustomer(ctx context.Context, id int64) error {
	return s.write(ctx, "delete customer", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM customers WHERE id = ?`, id)
		if err == nil && n == 0 {
			err = fmt.Errorf("customer %d: %w", id, store.ErrNotFound)
		}
		return err
	})
}

// GetCustomer reads one record.
func (s *Store) GetCustomer(ctx context.Context, id int64) (*store.Customer, error) {
	st, err := s.rst.get(ctx, `SELECT id, `+customerCols+` FROM customers WHERE id = ?`)
	if err != nil {
		return nil, fmt.Errorf("store: customer %d: %w", id, err)
	}
	c, err := scanCustomer(st.QueryRowContext(ctx, id))
	if err != nil {
		return nil, notFound(fmt.Sprintf("customer %d", id), err)
	}
	return c, nil
}

// customerScope is the organisation condition of a scope (nil = all).
func customerScope(orgIDs []int64) string {
	if orgIDs == nil {
		return "1 = 1"
	}
	if len(orgIDs) == 0 {
		return "1 = 0"
	}
	return "org_id IN " + intList(orgIDs)
}

// Customers finds records, newest first.
func (s *Store) Customers(ctx context.Context, q store.CustomerQuery) ([]*store.Customer, error) {
	where := []string{customerScope(q.OrgIDs)}
	var args []any
	if t := strings.TrimSpace(q.Text); t != "" {
		like := "%" + escapeLike(t) + "%"
		where, args = append(where, "(phone LIKE ? OR name LIKE ? OR occupation LIKE ?)"), append(args, like, like, like)
	}
	if q.Occupation != "" {
		where, args = append(where, "occupation = ?"), append(args, q.Occupation)
	}
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	lim, largs := limitClause(q.Limit)
	rows, err := s.r.QueryContext(ctx, s.d.rebind(`SELECT id, `+customerCols+` FROM customers WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC`+lim),
		append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	defer rows.Close()
	var out []*store.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, fmt.Errorf("store: customers: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CustomerStats counts records by occupation, age band and income band.
func (s *Store) CustomerStats(ctx context.Context, orgIDs []int64) (*store.CustomerStats, error) {
	st := &store.CustomerStats{ByOccupation: map[string]int64{}, ByAge: map[string]int64{}, ByIncome: map[string]int64{}}
	where := customerScope(orgIDs)
	count := func(col string, fn func(k string, age int, n int64)) error {
		rows, err := s.r.QueryContext(ctx, `SELECT `+col+`, COUNT(*) FROM customers WHERE `+where+` GROUP BY `+col)
		if err != nil {
			return fmt.Errorf("store: customer stats by %s: %w", col, err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var age int
			var n int64
			var err error
			if col == "age" {
				err = rows.Scan(&age, &n)
			} else {
				err = rows.Scan(&k, &n)
			}
			if err != nil {
				return fmt.Errorf("store: customer stats by %s: %w", col, err)
			}
			fn(k, age, n)
		}
		return rows.Err()
	}
	if err := count("occupation", func(k string, _ int, n int64) { st.ByOccupation[k] += n; st.Total += n }); err != nil {
		return nil, err
	}
	if err := count("age", func(_ string, age int, n int64) { st.ByAge[store.AgeBand(age)] += n }); err != nil {
		return nil, err
	}
	if err := count("income", func(k string, _ int, n int64) { st.ByIncome[k] += n }); err != nil {
		return nil, err
	}
	return st, nil
}

// CreateSurvey adds a survey keyword.
func (s *Store) CreateSurvey(ctx context.Context, sv *store.Survey) error {
	if sv.Keyword == "" {
		return errors.New("store: survey: empty keyword")
	}
	sv.CreatedAt = orNow(sv.CreatedAt)
	return s.write(ctx, "create survey", func(w *wtx) error {
		id, err := w.insertWithID("surveys", 0, "org_id, keyword, reply, created_at", []any{sv.OrgID, sv.Keyword, sv.Reply, us(sv.CreatedAt)})
		if err != nil {
			return s.dupOr(err)
		}
		sv.ID = id
		return nil
	})
}

// DeleteSurvey removes a survey keyword.
func (s *Store) DeleteSurvey(ctx context.Context, id int64) error {
	return s.write(ctx, "delete survey", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM surveys WHERE id = ?`, id)
		if err == nil && n == 0 {
			err = fmt.Errorf("survey %d: %w", id, store.ErrNotFound)
		}
		return err
	})
}

// Surveys lists every survey keyword by id.
func (s *Store) Surveys(ctx context.Context) ([]*store.Survey, error) {
	rows, err := s.rquery(ctx, `SELECT id, org_id, keyword, reply, created_at FROM surveys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: surveys: %w", err)
	}
	defer rows.Close()
	var out []*store.Survey
	for rows.Next() {
		sv := &store.Survey{}
		var at int64
		if err := rows.Scan(&sv.ID, &sv.OrgID, &sv.Keyword, &sv.Reply, &at); err != nil {
			return nil, fmt.Errorf("store: surveys: %w", err)
		}
		sv.CreatedAt = tm(at)
		out = append(out, sv)
	}
	return out, rows.Err()
}
