package core

import (
	"context"
	"errors"
	"net/http"
	"sort"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// What a sending form asks of the rules before it calls Accept: which
// business types an account may use, and whether a number would pass.
// Accept stays the authority; these only let a person see a problem (and
// which row has it) before sending.

// DefaultBusiness is the business type of a request that names none.
func (c *Core) DefaultBusiness() string { return c.cfg.DefaultBusiness }

// MaxRecipients is how many numbers one Accept takes.
func (c *Core) MaxRecipients() int { return c.cfg.MaxRecipients }

// MaxSegmentsOf is the longest text (in segments) business type bt accepts.
func (c *Core) MaxSegmentsOf(bt *store.BusinessType) int {
	if bt != nil && bt.MaxSegments > 0 {
		return bt.MaxSegments
	}
	return c.cfg.MaxSegments
}

// SendableTypes lists the enabled business types account accountID may
// use (its grants, as Accept checks them), by priority then code.
func (c *Core) SendableTypes(ctx context.Context, accountID int64) ([]*store.BusinessType, error) {
	acc := c.caches.account(accountID)
	if acc == nil {
		return nil, refuse(http.StatusNotFound, "not_found", "no account with id %d", accountID)
	}
	s := c.biz.snap.Load()
	if acc.OrgID != 0 && s.orgs[acc.OrgID] == nil && c.reloadForOrg(ctx) {
		s = c.biz.snap.Load() // an organisation created since the last load
	}
	c.caches.mu.RLock()
	var out []*store.BusinessType
	for _, bt := range c.caches.biz {
		if bt.Enabled && s.granted(acc, bt.Code) {
			cp := *bt
			out = append(out, &cp)
		}
	}
	c.caches.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Priority != out[j].Priority {
			return out[i].Priority < out[j].Priority
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// Number problems CheckNumber names. Accept refuses the first two as
// invalid_number and the last as no_route.
const (
	NumberInvalid = "invalid_number"  // not a mobile number
	NumberSegment = "unknown_segment" // no operator serves its number segment
	NumberNoRoute = "no_route"        // no gateway for its operator
)

// CheckNumber normalises raw as Accept does and says whether Accept would
// take it: a valid number of a segment some operator serves, with a
// gateway configured for that operator. code is "" or one of the
// Number… constants; err says why.
func (c *Core) CheckNumber(raw string) (num, code string, err error) {
	num, err = sms.NormalizeNumber(raw)
	if err != nil {
		return "", NumberInvalid, err
	}
	op := c.segs.Operator(num)
	if op == "" {
		return num, NumberSegment, errors.New("no operator serves this number segment")
	}
	if !c.pool.Serves(op) {
		return num, NumberNoRoute, errors.New("no gateway is configured for operator " + op)
	}
	return num, "", nil
}

// NewID returns an id from the core's generator, unique among batch and
// message ids too (the console names a send of several batches with one).
func (c *Core) NewID() int64 { return c.ids.Next() }
