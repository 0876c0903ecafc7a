package filter

import "errors"

// Action is what happens to a message that contains a rule's word.
type Action string

const (
	Reject Action = "reject" // refuse the message
	Review Action = "review" // hold it for an auditor
)

// strength orders actions: a reject always wins over a review.
func (a Action) strength() int {
	switch a {
	case Reject:
		return 2
	case Review:
		return 1
	}
	return 0
}

// Rule is one forbidden word and what to do with a message containing it.
type Rule struct {
	ID     int64
	Word   string
	Action Action
}

// Hit is one rule found in a text; Start/End are byte offsets into the
// ORIGINAL text, so a UI can highlight "违 禁 词" including the inserted
// spaces. The span starts at the first and ends after the last character
// that matched; skipped characters inside it are included.
type Hit struct {
	Rule       Rule
	Start, End int
}

// Errors from New, wrapped with the offending rule.
var (
	ErrEmptyWord     = errors.New("word is empty after normalisation")
	ErrUnknownAction = errors.New("unknown action")
)
