package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"hongyan/internal/store"
)

// Counts of library and customer searches (store/library_search.go),
// with the conditions SearchNumbers and Customers use.

// numberWhere is the condition of a library search (not its paging).
func numberWhere(q store.NumberQuery) (string, []any) {
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
	return strings.Join(where, " AND "), args
}

// CountNumbers counts the distinct numbers of a search.
func (s *Store) CountNumbers(ctx context.Context, q store.NumberQuery) (int64, error) {
	if len(q.CategoryIDs) == 0 {
		return 0, nil
	}
	where, args := numberWhere(q)
	var n int64
	// Not through the statement cache: the id list makes each query its own.
	if err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(DISTINCT number) FROM number_entries WHERE `+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count numbers: %w", err)
	}
	return n, nil
}

// customerWhere is the condition of a customer search (not its paging).
func customerWhere(q store.CustomerQuery) (string, []any) {
	where := []string{customerScope(q.OrgIDs)}
	var args []any
	if t := strings.TrimSpace(q.Text); t != "" {
		like := "%" + escapeLike(t) + "%"
		where, args = append(where, "(phone LIKE ? OR name LIKE ? OR occupation LIKE ?)"), append(args, like, like, like)
	}
	if q.Occupation != "" {
		where, args = append(where, "occupation = ?"), append(args, q.Occupation)
	}
	return strings.Join(where, " AND "), args
}

// CustomerStatsOf counts a search's records by occupation, age band and income band.
func (s *Store) CustomerStatsOf(ctx context.Context, q store.CustomerQuery) (*store.CustomerStats, error) {
	st := &store.CustomerStats{ByOccupation: map[string]int64{}, ByAge: map[string]int64{}, ByIncome: map[string]int64{}}
	where, args := customerWhere(q)
	for _, col := range []string{"occupation", "age", "income"} {
		if err := s.countCustomersBy(ctx, col, where, args, st); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (s *Store) countCustomersBy(ctx context.Context, col, where string, args []any, st *store.CustomerStats) error {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(`SELECT `+col+`, COUNT(*) FROM customers WHERE `+where+` GROUP BY `+col), args...)
	if err != nil {
		return fmt.Errorf("store: customer stats by %s: %w", col, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var age int
		var n int64
		if col == "age" {
			err = rows.Scan(&age, &n)
		} else {
			err = rows.Scan(&k, &n)
		}
		if err != nil {
			return fmt.Errorf("store: customer stats by %s: %w", col, err)
		}
		switch col {
		case "occupation":
			st.ByOccupation[k] += n
			st.Total += n
		case "age":
			st.ByAge[store.AgeBand(age)] += n
		default:
			st.ByIncome[k] += n
		}
	}
	return rows.Err()
}
