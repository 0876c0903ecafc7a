package store

import (
	"context"
	"time"
)

// Organisation levels: the province company, its city branches, their county offices.
const (
	LevelProvince = 1
	LevelCity     = 2
	LevelCounty   = 3
)

// Account kinds.
const (
	KindUnit    = "unit"    // a business system or office of an organisation
	KindPartner = "partner" // a partner company, managed by an organisation
)

// Roles beyond RolePlatformAdmin.
const (
	RoleOrgAdmin = "org_admin" // manages their organisation and its subordinates
	RoleOperator = "operator"  // sends and reads for their organisation
	RoleAuditor  = "auditor"   // reviews held messages, reads logs and reports
	RolePartner  = "partner"   // a partner company's user: only its own account
)

// Org is one organisation in the tree. ParentID 0 = the root (province).
type Org struct {
	ID        int64
	ParentID  int64
	Level     int
	Code      string // unique, e.g. "GD", "GD-GZ", "GD-GZ-TH"
	Name      string
	CreatedAt time.Time
}

// OrgStore keeps the organisation tree (small: read whole, cached by callers).
type OrgStore interface {
	CreateOrg(ctx context.Context, o *Org) error // sets o.ID; ErrDuplicate for a taken code
	UpdateOrg(ctx context.Context, o *Org) error // name, code, parent; ErrNotFound
	Orgs(ctx context.Context) ([]*Org, error)    // every organisation, by id
}
