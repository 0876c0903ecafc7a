package store

import (
	"context"
	"time"
)

// Customer information (客户信息, MISSION A9): people an organisation
// collects details of — by form, by file import, or by an SMS reply to a
// survey keyword (core/survey.go). One record per organisation and phone.

// Customer is one record.
type Customer struct {
	ID         int64
	OrgID      int64 // owner; 0 = the platform
	Phone      string
	Name       string
	Occupation string
	Age        int    // 0 = unknown
	Income     string // an income band as typed (e.g. 5000-10000); "" = unknown
	Fields     map[string]string
	Source     string // "form", "import", "sms"
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CustomerQuery finds customers, newest first.
type CustomerQuery struct {
	OrgIDs     []int64 // nil = every organisation; empty = none
	Text       string  // in phone, name or occupation
	Occupation string  // exact
	BeforeID   int64   // paging: ids below this one
	Limit      int
}

// CustomerStats counts the records in a scope.
type CustomerStats struct {
	Total        int64
	ByOccupation map[string]int64 // "" = not given
	ByAge        map[string]int64 // AgeBand
	ByIncome     map[string]int64
}

// AgeBand groups an age for statistics.
func AgeBand(age int) string {
	switch {
	case age <= 0:
		return ""
	case age < 18:
		return "<18"
	case age < 30:
		return "18-29"
	case age < 40:
		return "30-39"
	case age < 50:
		return "40-49"
	case age < 60:
		return "50-59"
	}
	return "60+"
}

// Survey is a keyword users reply with to give their details to an
// organisation: "DC 张三 教师 35 5000-10000" (name, occupation, age, income).
type Survey struct {
	ID        int64
	OrgID     int64
	Keyword   string // normalised (upper case, half-width)
	Reply     string // the confirmation sent back; "" = the default, "-" = none
	CreatedAt time.Time
}

// CustomerStore keeps customer records and survey keywords.
type CustomerStore interface {
	// SaveCustomers inserts or updates (by OrgID and Phone) each record in
	// one transaction, setting IDs; an update keeps the fields not given
	// (empty, 0) and merges Fields. Returns how many were new.
	SaveCustomers(ctx context.Context, cs []*Customer) (int, error)
	// UpdateCustomer replaces the record with c.ID; ErrNotFound, ErrDuplicate (phone taken).
	UpdateCustomer(ctx context.Context, c *Customer) error
	DeleteCustomer(ctx context.Context, id int64) error // ErrNotFound
	GetCustomer(ctx context.Context, id int64) (*Customer, error)
	Customers(ctx context.Context, q CustomerQuery) ([]*Customer, error)
	CustomerStats(ctx context.Context, orgIDs []int64) (*CustomerStats, error)
	// CreateSurvey adds s (sets ID); ErrDuplicate when its organisation has the keyword.
	CreateSurvey(ctx context.Context, s *Survey) error
	DeleteSurvey(ctx context.Context, id int64) error // ErrNotFound
	Surveys(ctx context.Context) ([]*Survey, error)   // every one, by id (few)
}
