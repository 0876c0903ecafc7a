package store

import (
	"context"
	"time"
)

// Kinds of a number segment edit.
const (
	SegPrefix = "prefix" // a number prefix (号段) → operator
	SegPorted = "ported" // one ported number (携号转网) → operator
)

// SegmentEdit is a change an administrator made to the number segment
// table, kept in the database on top of the data file the platform loads
// (segments.file and segments.overrides): Key (a prefix or a number) now
// goes to Operator, or, with Operator "", is no longer in the table.
type SegmentEdit struct {
	Kind      string // SegPrefix or SegPorted
	Key       string
	Operator  string // "" = removed from the file's table
	UpdatedBy string // username
	UpdatedAt time.Time
}

// SegmentStore keeps the segment edits. Every change moves a version all
// nodes poll: a node rebuilds its routing table when the version moved.
type SegmentStore interface {
	// SegmentEdits lists every edit, by kind then key, with the version
	// read just before them: the edits are at least that new (a change in
	// between moves the version again, and the next poll reads them again).
	SegmentEdits(ctx context.Context) ([]*SegmentEdit, int64, error)
	// SegmentEditsVersion is the version of the edits: 0 before any
	// change, then one more at each change.
	SegmentEditsVersion(ctx context.Context) (int64, error)
	// SetSegmentEdit adds or replaces the edit of (Kind, Key).
	SetSegmentEdit(ctx context.Context, e *SegmentEdit) error
	// DeleteSegmentEdit removes the edit of (kind, key); ErrNotFound when
	// there is none.
	DeleteSegmentEdit(ctx context.Context, kind, key string) error
}
