package storetest

import (
	"maps"
	"testing"

	"hongyan/internal/store"
)

var librarySearchTests = []Test{
	{"CountNumbers", testCountNumbers},
	{"CustomerStatsOf", testCustomerStatsOf},
}

// A library search's count: distinct numbers over the categories given,
// with the same filters as SearchNumbers; paging fields are ignored.
func testCountNumbers(t *testing.T, s store.Store) {
	f := newFx(t, s)
	a := &store.NumberCategory{OrgID: 7, Name: "A"}
	b := &store.NumberCategory{OrgID: 7, Name: "B"}
	f.must(s.CreateNumberCategory(f.ctx, a))
	f.must(s.CreateNumberCategory(f.ctx, b))
	_, err := s.AddNumbers(f.ctx, []store.NumberEntry{
		{CategoryID: a.ID, Number: "13800138001", Province: "广东", City: "广州", Tags: []string{"gold"}},
		{CategoryID: a.ID, Number: "13800138002", Province: "广东", City: "深圳"},
		{CategoryID: a.ID, Number: "13900139003", Province: "湖南", City: "长沙", Tags: []string{"gold"}},
		{CategoryID: b.ID, Number: "13800138001", Province: "广东", City: "广州"},
		{CategoryID: b.ID, Number: "13700137004", Province: "广东", City: "广州"},
	})
	f.must(err)
	count := func(q store.NumberQuery, want int64) {
		t.Helper()
		n, err := s.CountNumbers(f.ctx, q)
		f.must(err)
		if n != want {
			t.Fatalf("CountNumbers(%+v) = %d, want %d", q, n, want)
		}
	}
	both := []int64{a.ID, b.ID}
	count(store.NumberQuery{CategoryIDs: both}, 4) // 13800138001 is in both: once
	count(store.NumberQuery{CategoryIDs: both, Province: "广东"}, 3)
	count(store.NumberQuery{CategoryIDs: both, Province: "广东", City: "广州"}, 2)
	count(store.NumberQuery{CategoryIDs: []int64{a.ID}, Tag: "gold"}, 2)
	count(store.NumberQuery{CategoryIDs: both, Prefix: "1380"}, 2)
	count(store.NumberQuery{CategoryIDs: both, After: "13900000000", Limit: 1}, 4)
	count(store.NumberQuery{CategoryIDs: both, City: "株洲"}, 0)
	count(store.NumberQuery{}, 0)
}

// A customer search's statistics count what the search finds: text,
// occupation and scope, not the page.
func testCustomerStatsOf(t *testing.T, s store.Store) {
	f := newFx(t, s)
	_, err := s.SaveCustomers(f.ctx, []*store.Customer{
		{OrgID: 7, Phone: "13800138001", Name: "张三", Occupation: "教师", Age: 35, Income: "5000-10000"},
		{OrgID: 7, Phone: "13800138002", Name: "李四", Occupation: "医生", Age: 52},
		{OrgID: 7, Phone: "13800138003", Name: "张五", Occupation: "教师", Age: 17, Income: "5000-10000"},
		{OrgID: 8, Phone: "13800138004", Name: "张六", Occupation: "教师", Age: 40},
	})
	f.must(err)
	stats := func(q store.CustomerQuery, total int64, occ, age, income map[string]int64) {
		t.Helper()
		st, err := s.CustomerStatsOf(f.ctx, q)
		f.must(err)
		if st.Total != total || !maps.Equal(st.ByOccupation, occ) || !maps.Equal(st.ByAge, age) || !maps.Equal(st.ByIncome, income) {
			t.Fatalf("CustomerStatsOf(%+v) = %+v", q, st)
		}
	}
	stats(store.CustomerQuery{OrgIDs: []int64{7}}, 3, map[string]int64{"教师": 2, "医生": 1},
		map[string]int64{"30-39": 1, "50-59": 1, "<18": 1}, map[string]int64{"5000-10000": 2, "": 1})
	stats(store.CustomerQuery{OrgIDs: []int64{7}, Text: "张", BeforeID: 1, Limit: 1}, 2, map[string]int64{"教师": 2},
		map[string]int64{"30-39": 1, "<18": 1}, map[string]int64{"5000-10000": 2})
	stats(store.CustomerQuery{Occupation: "教师"}, 3, map[string]int64{"教师": 3},
		map[string]int64{"30-39": 1, "<18": 1, "40-49": 1}, map[string]int64{"5000-10000": 2, "": 1})
	stats(store.CustomerQuery{OrgIDs: []int64{}}, 0, map[string]int64{}, map[string]int64{}, map[string]int64{})
}
