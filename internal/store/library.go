package store

import (
	"context"
	"time"
)

// The number library (号码库, MISSION A5): numbers classified into
// categories owned by an organisation, with the region they belong to and
// free tags. An organisation may grant a category to others, whose users
// may then search it and send to it. Categories are few (read whole);
// entries may be millions (always queried, never loaded whole).

// NumberCategory is one category of the library.
type NumberCategory struct {
	ID        int64
	OrgID     int64 // owner; 0 = the platform
	Name      string
	Note      string
	CreatedBy string
	CreatedAt time.Time
	Count     int64 // numbers in it (read-only: NumberCategories counts them)
}

// NumberEntry is one number of a category.
type NumberEntry struct {
	CategoryID int64
	Number     string // normalised
	Province   string
	City       string
	Operator   string // cmcc, cucc, ctcc, cbn, intl, "" = unknown
	Tags       []string
	CreatedAt  time.Time
}

// NumberQuery finds numbers. CategoryIDs must be set (the caller's scope
// decides which); the other filters are exact matches when not empty.
type NumberQuery struct {
	CategoryIDs []int64
	Province    string
	City        string
	Tag         string
	Prefix      string // numbers starting with it
	After       string // paging: numbers after this one
	Limit       int    // 0 = no limit
}

// TrafficQuery builds a category from past traffic: the numbers that
// received a delivered message and/or replied (MO) in [From, Until).
type TrafficQuery struct {
	CategoryID int64
	AccountIDs []int64 // messages and MO of these accounts; nil = every account
	From       time.Time
	Until      time.Time
	Delivered  bool
	Replied    bool
	Tags       []string // given to every number added
}

// LibraryStore keeps the number library.
type LibraryStore interface {
	// CreateNumberCategory adds c (sets c.ID); ErrDuplicate when its
	// organisation has a category of that name.
	CreateNumberCategory(ctx context.Context, c *NumberCategory) error
	// DeleteNumberCategory removes a category with its numbers and grants; ErrNotFound.
	DeleteNumberCategory(ctx context.Context, id int64) error
	// UpdateNumberCategory renames c.ID and sets its note (the owner and
	// the numbers stay); ErrNotFound, ErrDuplicate (the name is taken).
	UpdateNumberCategory(ctx context.Context, c *NumberCategory) error
	NumberCategory(ctx context.Context, id int64) (*NumberCategory, error) // ErrNotFound
	// NumberCategories lists every category with its count, by id.
	NumberCategories(ctx context.Context) ([]*NumberCategory, error)
	// SetNumberGrants replaces the organisations a category is granted to.
	SetNumberGrants(ctx context.Context, categoryID int64, orgIDs []int64) error
	// NumberGrants maps every granted category to its organisations.
	NumberGrants(ctx context.Context) (map[int64][]int64, error)
	// AddNumbers stores entries in one transaction: a number already in its
	// category gets the new region, operator and tags. Returns how many were new.
	AddNumbers(ctx context.Context, es []NumberEntry) (int, error)
	RemoveNumber(ctx context.Context, categoryID int64, number string) error // ErrNotFound
	// SearchNumbers lists matching entries ordered by number, then category.
	SearchNumbers(ctx context.Context, q NumberQuery) ([]NumberEntry, error)
	// NumbersFromTraffic adds the numbers of q to its category inside the
	// database (INSERT … SELECT: nothing is loaded into memory); numbers
	// there already are left alone. Returns how many were added.
	NumbersFromTraffic(ctx context.Context, q TrafficQuery) (int64, error)
}
