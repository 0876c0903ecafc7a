package sgip

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"hongyan/internal/session"
)

// beijing is the SGIP system time zone: the spec fixes "tnnp" to "032+"
// (UTC+8) in its time fields, so the sequence's MMDDHHMMSS is Beijing time
// whatever zone this host runs in.
var beijing = time.FixedZone("CST", 8*3600)

// Timestamp returns t as the decimal number MMDDHHMMSS in Beijing time
// (20 Nov 20:32:25 → 1120203225), the second word of a Sequence_Number.
func Timestamp(t time.Time) uint32 {
	t = t.In(beijing)
	_, mo, d := t.Date()
	h, mi, s := t.Clock()
	return uint32(mo)*100000000 + uint32(d)*1000000 + uint32(h)*10000 + uint32(mi)*100 + uint32(s)
}

// Sequencer numbers the requests of one node (spec §3.4): node id, the
// creation time as MMDDHHMMSS, and a counter that wraps at 2^32. Safe for
// concurrent use; share one per node id so the triple stays unique.
type Sequencer struct {
	node uint32
	now  func() time.Time // tests pin the clock
	ctr  atomic.Uint32    // next counter value
}

// NewSequencer returns a Sequencer for node id node. The counter starts at
// a random value, not 0: the peer cannot tell the difference, but a restart
// within the same second, or a second process sharing the node id, then
// almost never repeats a triple (doc.go).
func NewSequencer(node uint32) *Sequencer {
	s := &Sequencer{node: node, now: time.Now}
	s.ctr.Store(rand.Uint32())
	return s
}

// Node is the node id this Sequencer stamps.
func (s *Sequencer) Node() uint32 { return s.node }

// Next returns a new sequence number.
func (s *Sequencer) Next() session.Seq {
	n := s.ctr.Add(1) - 1 // wraps from 0xFFFFFFFF to 0
	return session.Seq{Node: s.node, Time: Timestamp(s.now()), N: n}
}

// SPNodeID builds an SP's node id 3AAAAQQQQQ (spec §3.3): areaCode is the
// long-distance code as dialled ("010", "0755"), left-aligned and padded
// with 0 to four digits; corpID is the 5-digit corporate code, zero-padded
// on the left. SPNodeID("010", "12345") = 3010012345.
func SPNodeID(areaCode, corpID string) (uint32, error) {
	if len(areaCode) == 0 || len(areaCode) > 4 || !allDigits(areaCode) {
		return 0, fmt.Errorf("sgip node id: area code %q is not 1-4 digits: %w", areaCode, ErrInvalid)
	}
	if len(corpID) == 0 || len(corpID) > 5 || !allDigits(corpID) {
		return 0, fmt.Errorf("sgip node id: corp id %q is not 1-5 digits: %w", corpID, ErrInvalid)
	}
	s := "3" + areaCode + strings.Repeat("0", 4-len(areaCode)) + strings.Repeat("0", 5-len(corpID)) + corpID
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("sgip node id %s: %w", s, ErrInvalid)
	}
	return uint32(n), nil
}

// CorpIDOf returns the QQQQQ part of an SP node id 3AAAAQQQQQ, or "" when
// node is not an SP node id.
func CorpIDOf(node uint32) string {
	s := strconv.FormatUint(uint64(node), 10)
	if len(s) != 10 || s[0] != '3' {
		return ""
	}
	return s[5:]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatSeq is the canonical text form of a sequence number, used as the
// operator message id of an SGIP MT: node, time and counter in decimal,
// joined by '-', the time zero-padded to its 10 MMDDHHMMSS digits:
// (3010012345, 1120203225, 1) → "3010012345-1120203225-1",
// (3010012345, 105083000, 7) → "3010012345-0105083000-7".
// A Submit's id and its Report's SubmitSequenceNumber format identically.
func FormatSeq(s session.Seq) string {
	var b [32]byte
	out := strconv.AppendUint(b[:0], uint64(s.Node), 10)
	out = append(out, '-')
	var t [10]byte
	ts := strconv.AppendUint(t[:0], uint64(s.Time), 10)
	for i := len(ts); i < 10; i++ {
		out = append(out, '0')
	}
	out = append(out, ts...)
	out = append(out, '-')
	out = strconv.AppendUint(out, uint64(s.N), 10)
	return string(out)
}

// ParseSeq reads FormatSeq's form back. Only the canonical form is
// accepted (no signs, no leading zeros outside the time), so each sequence
// number has exactly one text.
func ParseSeq(s string) (session.Seq, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return session.Seq{}, fmt.Errorf("sgip seq %q: want node-time-counter", s)
	}
	var v [3]uint32
	for i, p := range parts {
		if p == "" || !allDigits(p) {
			return session.Seq{}, fmt.Errorf("sgip seq %q: part %q is not decimal", s, p)
		}
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return session.Seq{}, fmt.Errorf("sgip seq %q: %w", s, err)
		}
		v[i] = uint32(n)
	}
	seq := session.Seq{Node: v[0], Time: v[1], N: v[2]}
	if FormatSeq(seq) != s {
		return session.Seq{}, fmt.Errorf("sgip seq %q: not canonical (want %q)", s, FormatSeq(seq))
	}
	return seq, nil
}
