package store

import (
	"context"
	"time"
)

// The address book (A7): groups of contacts a console user sends to. A
// group is personal (OwnerID: one user's, seen by nobody else) or shared
// (OrgID: an organisation's, seen by the users of it and of the
// organisations below it; who may change it is the console's rule, not
// the store's). A number is in a group at most once.

// ContactGroup is one group of the address book.
type ContactGroup struct {
	ID        int64
	Name      string
	OwnerID   int64 // personal: the user it belongs to; 0 = shared
	OrgID     int64 // shared: the organisation it belongs to; 0 = personal
	Note      string
	CreatedBy string // username
	Contacts  int    // how many contacts it holds (read-only: the store counts)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Shared says whether the group belongs to an organisation.
func (g *ContactGroup) Shared() bool { return g.OwnerID == 0 }

// Contact is one number of a group.
type Contact struct {
	ID      int64
	GroupID int64
	Number  string // normalised
	Name    string
	Note    string
	// Fields are the contact's own columns (单位, 地址, 生日 …): name →
	// value. Contacts reads them; AddContacts stores them with a new
	// contact; UpdateContact replaces them, or keeps them when nil.
	Fields    map[string]string
	CreatedAt time.Time
}

// GroupQuery selects groups, by name then id.
type GroupQuery struct {
	OwnerID int64   // personal groups of this user; 0 = none
	Orgs    []int64 // shared groups of these organisations
	AllOrgs bool    // shared groups of every organisation (Orgs ignored)
}

// ContactQuery selects a group's contacts in id order.
type ContactQuery struct {
	GroupID int64
	Search  string // part of the number or the name; "" = all
	AfterID int64  // paging: contacts after this id
	Limit   int    // <= 0 = all
}

// AddressBookStore keeps the address book.
type AddressBookStore interface {
	// CreateGroup stores g (sets g.ID); ErrDuplicate when its owner (user
	// or organisation) has a group of that name.
	CreateGroup(ctx context.Context, g *ContactGroup) error
	// UpdateGroup changes a group's name and note; ErrNotFound, ErrDuplicate.
	UpdateGroup(ctx context.Context, g *ContactGroup) error
	// DeleteGroup removes a group and its contacts; ErrNotFound.
	DeleteGroup(ctx context.Context, id int64) error
	GetGroup(ctx context.Context, id int64) (*ContactGroup, error) // ErrNotFound
	Groups(ctx context.Context, q GroupQuery) ([]*ContactGroup, error)
	// AddContacts adds contacts to a group in one transaction; a number
	// already in the group (or earlier in cs) is left as it is and not
	// counted. Returns how many were added. ErrNotFound: no group.
	AddContacts(ctx context.Context, groupID int64, cs []*Contact) (int, error)
	// UpdateContact changes a contact's number, name, note and (when not
	// nil) fields (matched by ID and GroupID); ErrNotFound, ErrDuplicate
	// (number in the group).
	UpdateContact(ctx context.Context, c *Contact) error
	// DeleteContact removes one contact of a group; ErrNotFound.
	DeleteContact(ctx context.Context, groupID, id int64) error
	Contacts(ctx context.Context, q ContactQuery) ([]*Contact, error)
	CountContacts(ctx context.Context, q ContactQuery) (int, error) // AfterID and Limit ignored
	// GroupFields lists the names of the fields the group's contacts
	// have, in the order they were first used (the group's columns).
	GroupFields(ctx context.Context, groupID int64) ([]string, error)
}
