package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Edits of the number segment table (号段 and 携号转网) made by platform
// administrators live in the database on top of the loaded data file. The
// node that makes a change applies it at once; every node polls the
// edits' version and rebuilds its table when it moved. The table swaps
// whole (gateway.Segments.Apply): the accept path's lookup stays one
// atomic load and a map read.

// segmentPoll is how often a node looks for edits made on another node.
var segmentPoll = 3 * time.Second

// segEditState is the version of the edits this node's table has.
type segEditState struct {
	mu      sync.Mutex // one rebuild at a time, so an older read never lands after a newer one
	applied int64
}

// SegmentPrefixLen bounds an edited prefix: 3 (a network code, 139) to 8
// digits (a 10,000-number block, 1390123X).
const (
	SegmentPrefixMin = 3
	SegmentPrefixMax = 8
)

// CheckSegmentKey checks the key of an edit: a prefix of 3 to 8 digits, or
// a number (normalised; the normal form is returned).
func CheckSegmentKey(kind, key string) (string, error) {
	switch kind {
	case store.SegPrefix:
		if len(key) < SegmentPrefixMin || len(key) > SegmentPrefixMax || strings.Trim(key, "0123456789") != "" {
			return "", refuse(http.StatusBadRequest, "invalid_prefix", "prefix %q must be %d to %d digits", key, SegmentPrefixMin, SegmentPrefixMax)
		}
		return key, nil
	case store.SegPorted:
		n, err := sms.NormalizeNumber(key)
		if err != nil {
			return "", refuse(http.StatusBadRequest, "invalid_number", "ported number %q: %v", key, errors.Unwrap(err))
		}
		return n, nil
	}
	return "", fmt.Errorf("core: segment edit of unknown kind %q", kind)
}

// checkSegmentOperator refuses an operator code that is not one of the five.
func checkSegmentOperator(op string) error {
	if !gateway.ValidOperator(op) {
		return refuse(http.StatusBadRequest, "invalid_operator", "operator %q is not one of cmcc, cucc, ctcc, cbn, intl", op)
	}
	return nil
}

// SegmentNow is what the table says of one key: the operator it has now
// ("" = none), what the loaded file says, and whether an edit is in force.
type SegmentNow struct {
	Operator, Loaded string
	Edited           bool
}

// SegmentOf reads key (normalised) of kind from this node's table.
func (c *Core) SegmentOf(kind, key string) SegmentNow {
	var now, loaded string
	if kind == store.SegPrefix {
		now, _ = c.segs.Current(key, "")
		loaded, _ = c.segs.Loaded(key, "")
	} else {
		_, now = c.segs.Current("", key)
		_, loaded = c.segs.Loaded("", key)
	}
	return SegmentNow{Operator: now, Loaded: loaded, Edited: now != loaded}
}

// EditSegment makes key (normalised, CheckSegmentKey) of kind go to op,
// or, with op "", leaves the table: an edit is kept only where the table
// then differs from the loaded file (setting a prefix back to the file's
// operator drops the edit). The change is applied on this node before it
// returns. changed is false when the table already said so. ctx may carry
// the audit entry (store.WithAudit).
func (c *Core) EditSegment(ctx context.Context, kind, key, op, by string) (changed bool, err error) {
	if op != "" {
		if err := checkSegmentOperator(op); err != nil {
			return false, err
		}
	}
	was := c.SegmentOf(kind, key)
	if op == "" && was.Operator == "" {
		return false, refuse(http.StatusNotFound, "not_found", "%s %s is not in the table", kind, key)
	}
	if was.Operator == op {
		return false, nil
	}
	if op == was.Loaded {
		err = c.st.DeleteSegmentEdit(ctx, kind, key)
	} else {
		err = c.st.SetSegmentEdit(ctx, &store.SegmentEdit{Kind: kind, Key: key, Operator: op, UpdatedBy: by, UpdatedAt: c.Now()})
	}
	if err != nil {
		return false, err
	}
	return true, c.ReloadSegments(ctx)
}

// SegmentEdits lists the edits in force (the store's).
func (c *Core) SegmentEdits(ctx context.Context) ([]*store.SegmentEdit, error) {
	es, _, err := c.st.SegmentEdits(ctx)
	return es, err
}

// ReloadSegments reads the edits and rebuilds this node's table from the
// loaded file and them, unless it has them already.
func (c *Core) ReloadSegments(ctx context.Context) error {
	c.sege.mu.Lock()
	defer c.sege.mu.Unlock()
	es, v, err := c.st.SegmentEdits(ctx)
	if err != nil {
		return fmt.Errorf("core: segment edits: %w", err)
	}
	if v == c.sege.applied && v != 0 {
		return nil
	}
	e := gateway.SegmentEdits{Prefixes: map[string]string{}, Ported: map[string]string{}}
	for _, x := range es {
		if x.Kind == store.SegPrefix {
			e.Prefixes[x.Key] = x.Operator
		} else if x.Kind == store.SegPorted {
			e.Ported[x.Key] = x.Operator
		}
	}
	if err := c.segs.Apply(e); err != nil {
		return fmt.Errorf("core: segment edits: %w", err)
	}
	if v != c.sege.applied {
		c.log.Info("segment table rebuilt", "version", v, "edits", len(es))
	}
	c.sege.applied = v
	return nil
}

// segmentEditsLoop rebuilds the table when another node changed the edits.
func (c *Core) segmentEditsLoop(ctx context.Context) {
	t := time.NewTicker(segmentPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := c.st.SegmentEditsVersion(ctx)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("segment edits: read the version", "err", err)
			}
			continue
		}
		c.sege.mu.Lock()
		stale := v != c.sege.applied
		c.sege.mu.Unlock()
		if stale {
			if err := c.ReloadSegments(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("segment edits", "err", err)
			}
		}
	}
}
