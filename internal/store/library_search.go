package store

import "context"

// Counting what the console's searches find (A5, A9): how many numbers a
// library search would send to, and the statistics of the customer
// records a search finds, both inside the database so that a search of a
// million entries is never read to be counted.

// LibrarySearchStore counts library and customer search results.
type LibrarySearchStore interface {
	// CountNumbers counts the distinct numbers q finds (q.After and
	// q.Limit are ignored); 0 when q.CategoryIDs is empty.
	CountNumbers(ctx context.Context, q NumberQuery) (int64, error)
	// CustomerStatsOf counts the records q finds (q.BeforeID and q.Limit
	// are ignored) by occupation, age band and income band.
	CustomerStatsOf(ctx context.Context, q CustomerQuery) (*CustomerStats, error)
}
