package store

import (
	"context"
	"time"
)

// The console's inbox (P2): MO messages of several accounts, newest first,
// with filters, and the conversation with one number.

// MOQuery selects MO messages, newest first.
type MOQuery struct {
	// Accounts restricts the list to these accounts' MO; nil = any (MO
	// with no owner included), an empty non-nil slice = none.
	Accounts []int64
	From     string    // the user's number, exactly; "" = any
	Business string    // business type of the route that matched; "" = any
	Since    time.Time // received at or after; zero = no bound
	Until    time.Time // received before; zero = no bound
	BeforeID int64     // paging: MO older than this id
	Limit    int       // <= 0 = all
}

// InboxStore reads MO for the console's inbox.
type InboxStore interface {
	MOs(ctx context.Context, q MOQuery) ([]*MO, error)
	GetMO(ctx context.Context, id int64) (*MO, error) // ErrNotFound
}
