package store

import (
	"context"
	"time"
)

// Enterprise customers (企业客户, MISSION A6): companies a business unit
// serves, with their contact details and the sending accounts that carry
// their traffic; reports by customer (B4) sum the statistics counters of
// those accounts.

// Enterprise is one enterprise customer of an organisation.
type Enterprise struct {
	ID         int64
	OrgID      int64 // owner; 0 = the platform
	Name       string
	Contact    string // contact person
	Phone      string
	Address    string
	Note       string
	AccountIDs []int64 // linked sending accounts, ascending
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// EnterpriseQuery finds enterprise customers, by name.
type EnterpriseQuery struct {
	OrgIDs []int64 // nil = every organisation; empty = none
	Text   string  // in name, contact or phone
	Limit  int     // 0 = no limit
}

// EnterpriseStore keeps enterprise customers.
type EnterpriseStore interface {
	// CreateEnterprise adds e with its accounts (sets e.ID); ErrDuplicate
	// when its organisation has an enterprise of that name.
	CreateEnterprise(ctx context.Context, e *Enterprise) error
	// UpdateEnterprise replaces the enterprise with e.ID and its accounts;
	// ErrNotFound, ErrDuplicate.
	UpdateEnterprise(ctx context.Context, e *Enterprise) error
	DeleteEnterprise(ctx context.Context, id int64) error          // ErrNotFound
	Enterprise(ctx context.Context, id int64) (*Enterprise, error) // ErrNotFound
	Enterprises(ctx context.Context, q EnterpriseQuery) ([]*Enterprise, error)
}
