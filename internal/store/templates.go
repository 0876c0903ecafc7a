package store

import (
	"context"
	"time"
)

// Signatures and templates, as Chinese operators require: a sending unit
// (an account or an organisation) registers its signatures (【中国邮政】)
// and message templates with variables ("{name}，您的包裹已到"), a platform
// administrator approves or rejects them, and accept uses only approved
// ones (core/templates.go).

// Review states of a signature or template.
const (
	ReviewPending  = "pending"
	ReviewApproved = "approved"
	ReviewRejected = "rejected"
)

// Where a business type puts the sending unit's signature
// (BusinessType.Signature).
const (
	SignatureNone   = "none"   // nothing is added (the default)
	SignaturePrefix = "prefix" // 【签名】 before the text
	SignatureSuffix = "suffix" // 【签名】 after the text (and after the unsubscribe text)
)

// ValidSignaturePlacement reports whether p names a placement ("" is none).
func ValidSignaturePlacement(p string) bool {
	switch p {
	case "", SignatureNone, SignaturePrefix, SignatureSuffix:
		return true
	}
	return false
}

// Signature is a registered signature of exactly one owner: an account
// (AccountID) or an organisation (OrgID), whose accounts below may use it.
type Signature struct {
	ID         int64
	AccountID  int64  // owner when not 0
	OrgID      int64  // owner when AccountID is 0
	Text       string // with its brackets: 【中国邮政】
	Default    bool   // the one the owner's messages carry when the request names none
	State      string // ReviewPending, ReviewApproved, ReviewRejected
	Reason     string // why it was rejected
	CreatedBy  string // user name
	CreatedAt  time.Time
	ReviewedBy string
	ReviewedAt time.Time // zero = not reviewed
}

// Template is a registered message text of one owner (an account or an
// organisation) for one business type, with variables written {name}.
type Template struct {
	ID         int64
	AccountID  int64
	OrgID      int64
	Code       string // short name, unique per owner (what a request may name instead of the id)
	Business   string // the business type it is for
	Text       string
	State      string
	Reason     string
	CreatedBy  string
	CreatedAt  time.Time
	ReviewedBy string
	ReviewedAt time.Time
}

// TemplateStore keeps signatures and templates (small enough to be read
// whole and cached by the core). Every write changes TemplatesVersion, so
// another node notices with one cheap read.
type TemplateStore interface {
	// CreateSignature adds s (sets s.ID); ErrDuplicate when its owner has
	// that text already. When s.Default, the owner's other signatures stop
	// being its default, in the same transaction.
	CreateSignature(ctx context.Context, s *Signature) error
	// UpdateSignature replaces the state, reason, reviewer and default flag
	// of the signature with s.ID (owner and text never change); ErrNotFound.
	// Default as in CreateSignature.
	UpdateSignature(ctx context.Context, s *Signature) error
	DeleteSignature(ctx context.Context, id int64) error            // ErrNotFound
	GetSignature(ctx context.Context, id int64) (*Signature, error) // ErrNotFound
	Signatures(ctx context.Context) ([]*Signature, error)           // every signature, by id

	// CreateTemplate adds t (sets t.ID); ErrDuplicate when its owner has
	// that code already.
	CreateTemplate(ctx context.Context, t *Template) error
	// UpdateTemplate replaces the state, reason and reviewer of the
	// template with t.ID (its text never changes: a new text is a new
	// template, to be approved again); ErrNotFound.
	UpdateTemplate(ctx context.Context, t *Template) error
	DeleteTemplate(ctx context.Context, id int64) error           // ErrNotFound
	GetTemplate(ctx context.Context, id int64) (*Template, error) // ErrNotFound
	Templates(ctx context.Context) ([]*Template, error)           // every template, by id

	// TemplatesVersion changes (grows) with every committed write of a
	// signature or template.
	TemplatesVersion(ctx context.Context) (int64, error)
}
