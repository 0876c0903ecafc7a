package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hongyan/internal/store"
)

// Administration of business types, grants and account limits. Each
// change is one store write (the caller's ctx may carry its audit entry,
// store.WithAudit) and is live at once on this node; other nodes see it at
// their next Reload.

// CheckBusinessType validates a business type and normalises it in place
// (keywords folded as MO keywords are, sorted, without repeats). Refusals
// are *Error with code invalid_business_type.
func CheckBusinessType(b *store.BusinessType) error {
	bad := func(format string, args ...any) error {
		return refuse(http.StatusBadRequest, "invalid_business_type", "business type %q: "+format, append([]any{b.Code}, args...)...)
	}
	b.Code, b.Name, b.ServiceCode = strings.TrimSpace(b.Code), strings.TrimSpace(b.Name), strings.TrimSpace(b.ServiceCode)
	if b.Code == "" || utf8.RuneCountInString(b.Code) > 32 || strings.ContainsFunc(b.Code, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`*,/?#%&"'\`, r)
	}) {
		return bad("code must be 1 to 32 characters without spaces or any of * , / ? # %% & \" ' \\ (e.g. notice, verify_code)")
	}
	if utf8.RuneCountInString(b.Name) > 64 {
		return bad("name is longer than 64 characters")
	}
	if b.Priority < 0 || b.Priority > 2 {
		return bad("priority %d: want 0 (verification codes), 1 (notices) or 2 (marketing)", b.Priority)
	}
	if b.MaxRetries < 0 || b.MaxRetries > 20 {
		return bad("max_retries %d: want 0 to 20", b.MaxRetries)
	}
	if b.RetryInterval < 0 || b.RetryInterval > 24*time.Hour {
		return bad("retry_interval %s: want 0 to 24h", b.RetryInterval)
	}
	if b.MaxSegments < 0 || b.MaxSegments > 255 {
		return bad("max_segments %d: want 0 (the platform's limit) to 255", b.MaxSegments)
	}
	if b.Validity < 0 || b.Validity > 30*24*time.Hour {
		return bad("validity %s: want 0 (the platform's) to 720h", b.Validity)
	}
	if b.ChargeOn == "" {
		b.ChargeOn = store.ChargeDelivered
	}
	if b.ChargeOn != store.ChargeDelivered && b.ChargeOn != store.ChargeSubmitted {
		return bad("charge_on %q: want delivered or submitted", b.ChargeOn)
	}
	if b.ChargeMode == "" {
		b.ChargeMode = store.ChargePerMessage
	}
	if !store.ValidChargeMode(b.ChargeMode) {
		return bad("charge_mode %q: want per_message, monthly, monthly_capped or free", b.ChargeMode)
	}
	if b.FeePerSegment < 0 || b.MonthlyFee < 0 || b.MonthlyCap < 0 {
		return bad("fees must not be negative")
	}
	switch b.ChargeMode {
	case store.ChargeMonthly:
		if b.MonthlyFee == 0 {
			return bad("charge_mode monthly needs a monthly_fee")
		}
	case store.ChargeMonthlyCapped:
		if b.MonthlyCap == 0 || b.FeePerSegment == 0 {
			return bad("charge_mode monthly_capped needs a fee per segment and a monthly_cap")
		}
	}
	if !b.ReportRequired && b.ChargeOn == store.ChargeDelivered && b.FeePerSegment > 0 && b.ChargeMode != store.ChargeFree {
		return bad("charging on delivery needs status reports: set report_required, or charge_on submitted")
	}
	if b.ServiceCode != "" && (len(b.ServiceCode) > 21 || strings.Trim(b.ServiceCode, "0123456789") != "") {
		return bad("service_code must be up to 21 digits, got %q", b.ServiceCode)
	}
	var kws []string
	for _, k := range b.MOKeywords {
		n := MOKeyword(k)
		if n == "" || n != NormalizeKeyword(strings.TrimSpace(k)) {
			return bad("MO keyword %q: a keyword is one word of letters, digits or Chinese characters", k)
		}
		if utf8.RuneCountInString(n) > 20 {
			return bad("MO keyword %q is longer than 20 characters", k)
		}
		kws = append(kws, n)
	}
	slices.Sort(kws)
	b.MOKeywords = slices.Compact(kws)
	if len(b.MOKeywords) > 0 && b.ServiceCode == "" {
		return bad("MO keywords need the service code users send them to")
	}
	if b.SendFrom < 0 || b.SendFrom >= 24*60 || b.SendUntil < 0 || b.SendUntil >= 24*60 {
		return bad("sending hours out of range")
	}
	if err := checkFrequency(b); err != nil { // frequency.go
		return bad("%s", err)
	}
	return checkBusinessTemplates(b, bad) // signature placement, unsubscribe text (templates.go)
}

// checkMOClash refuses a type whose (service code, keyword) pairs another
// type has: an MO would not know which business it belongs to.
func checkMOClash(b *store.BusinessType, all []*store.BusinessType) error {
	if b.ServiceCode == "" {
		return nil
	}
	mine := b.MOKeywords
	if len(mine) == 0 {
		mine = []string{""}
	}
	for _, o := range all {
		if o.Code == b.Code || o.ServiceCode != b.ServiceCode {
			continue
		}
		theirs := o.MOKeywords
		if len(theirs) == 0 {
			theirs = []string{""}
		}
		for _, k := range mine {
			if slices.Contains(theirs, k) {
				what := "replies without a keyword"
				if k != "" {
					what = "keyword " + k
				}
				return refuse(http.StatusConflict, "duplicate", "service code %s: %s already belongs to business type %s", b.ServiceCode, what, o.Code)
			}
		}
	}
	return nil
}

// BusinessTypes lists every business type, by code.
func (c *Core) BusinessTypes(ctx context.Context) ([]*store.BusinessType, error) {
	return c.st.BusinessTypes(ctx)
}

// BusinessType returns one business type (store.ErrNotFound).
func (c *Core) BusinessType(ctx context.Context, code string) (*store.BusinessType, error) {
	all, err := c.st.BusinessTypes(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range all {
		if b.Code == code {
			return b, nil
		}
	}
	return nil, fmt.Errorf("business type %q: %w", code, store.ErrNotFound)
}

// CreateBusinessType validates and adds a type, live at once.
func (c *Core) CreateBusinessType(ctx context.Context, b *store.BusinessType) error {
	if err := CheckBusinessType(b); err != nil {
		return err
	}
	all, err := c.st.BusinessTypes(ctx)
	if err != nil {
		return err
	}
	if err := checkMOClash(b, all); err != nil {
		return err
	}
	if err := c.st.CreateBusinessType(ctx, b); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(http.StatusConflict, "duplicate", "business type %q exists already", b.Code)
		}
		return fmt.Errorf("core: create business type: %w", err)
	}
	return c.Reload(ctx)
}

// UpdateBusinessType applies change to the stored type, validates and
// stores the result, live at once; it returns the type before and after.
// Messages accepted before keep going under the new policy (a disabled
// type refuses new messages; those accepted still finish).
func (c *Core) UpdateBusinessType(ctx context.Context, code string, change func(*store.BusinessType) error) (before, after *store.BusinessType, err error) {
	all, err := c.st.BusinessTypes(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, b := range all {
		if b.Code == code {
			before = b
		}
	}
	if before == nil {
		return nil, nil, refuse(http.StatusNotFound, "not_found", "no business type %q", code)
	}
	cp := *before
	cp.MOKeywords = slices.Clone(before.MOKeywords)
	after = &cp
	if err := change(after); err != nil {
		return nil, nil, err
	}
	after.Code = code // the code names the type; it never changes
	if err := CheckBusinessType(after); err != nil {
		return nil, nil, err
	}
	if err := checkMOClash(after, all); err != nil {
		return nil, nil, err
	}
	if err := c.st.UpdateBusinessType(ctx, after); err != nil {
		return nil, nil, fmt.Errorf("core: update business type: %w", err)
	}
	return before, after, c.Reload(ctx)
}

// ---- grants ----

// GrantInfo is what an organisation or account may use: its own grants and
// everything it may use with them (inherited from organisations above, or
// from a unit account's organisation).
type GrantInfo struct {
	Subject   string
	SubjectID int64
	Own       []string
	Effective []string // "*" = every type
}

// Grants describes one subject's grants.
func (c *Core) Grants(ctx context.Context, subject string, id int64) (*GrantInfo, error) {
	if err := c.checkSubject(ctx, subject, id); err != nil {
		return nil, err
	}
	gs, err := c.st.Grants(ctx)
	if err != nil {
		return nil, err
	}
	info := &GrantInfo{Subject: subject, SubjectID: id, Own: []string{}}
	for _, g := range gs {
		if g.Subject == subject && g.SubjectID == id {
			info.Own = append(info.Own, g.Business)
		}
	}
	s := c.biz.snap.Load()
	var eff grantSet
	merge := func(g grantSet) {
		eff.all = eff.all || g.all
		for code := range g.codes {
			eff.add(code)
		}
	}
	if subject == store.GrantOrg {
		merge(s.orgGrants[id])
	} else {
		merge(s.accountGrants[id])
		if acc := c.caches.account(id); acc != nil && acc.Kind != store.KindPartner && acc.OrgID != 0 {
			merge(s.orgGrants[acc.OrgID])
		}
	}
	info.Effective = eff.list()
	return info, nil
}

// AllGrants lists every grant.
func (c *Core) AllGrants(ctx context.Context) ([]store.Grant, error) { return c.st.Grants(ctx) }

// SetGrants replaces a subject's grants ("*" = every type) and makes them
// live at once.
func (c *Core) SetGrants(ctx context.Context, subject string, id int64, business []string) ([]string, error) {
	if err := c.checkSubject(ctx, subject, id); err != nil {
		return nil, err
	}
	for _, b := range business {
		if b = strings.TrimSpace(b); b != "" && b != store.GrantAll && c.caches.business(b) == nil {
			return nil, refuse(http.StatusBadRequest, "unknown_business", "business type %q does not exist", b)
		}
	}
	codes := NormalizeGrants(business)
	if err := c.st.SetGrants(ctx, subject, id, codes); err != nil {
		return nil, fmt.Errorf("core: set grants: %w", err)
	}
	return codes, c.loadBusiness(ctx)
}

// NormalizeGrants is a grant list as stored: trimmed, sorted, without
// repeats, and just "*" when it has "*" (every type: the others add nothing).
func NormalizeGrants(business []string) []string {
	codes := []string{}
	for _, b := range business {
		switch b = strings.TrimSpace(b); b {
		case "":
		case store.GrantAll:
			return []string{store.GrantAll}
		default:
			codes = append(codes, b)
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

func (c *Core) checkSubject(ctx context.Context, subject string, id int64) error {
	switch subject {
	case store.GrantAccount:
		if c.caches.account(id) == nil {
			if err := c.Reload(ctx); err != nil {
				return err
			}
			if c.caches.account(id) == nil {
				return refuse(http.StatusNotFound, "not_found", "no account with id %d", id)
			}
		}
	case store.GrantOrg:
		orgs, err := c.st.Orgs(ctx)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.ID == id {
				return nil
			}
		}
		return refuse(http.StatusNotFound, "not_found", "no organisation with id %d", id)
	default:
		return refuse(http.StatusBadRequest, "invalid_request", "grants belong to an org or an account")
	}
	return nil
}

// ---- account limits ----

// AccountLimits returns an account's limits (zero: none).
func (c *Core) AccountLimits(id int64) store.AccountLimits {
	if l := c.limitsOf(id); l != nil {
		return l.AccountLimits
	}
	return store.AccountLimits{AccountID: id}
}

// CheckAccountLimits validates limits and normalises the allow-list in
// place (canonical CIDRs). Refusals are *Error with code invalid_limits.
func CheckAccountLimits(l *store.AccountLimits) error {
	if l.TPS < 0 || l.TPS > 100000 {
		return refuse(http.StatusBadRequest, "invalid_limits", "tps_limit %d: want 0 (no limit) to 100000", l.TPS)
	}
	if l.DailyQuota < 0 {
		return refuse(http.StatusBadRequest, "invalid_limits", "daily_quota %d: must not be negative", l.DailyQuota)
	}
	var nets []string
	for _, s := range l.IPAllow {
		if strings.TrimSpace(s) == "" {
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return refuse(http.StatusBadRequest, "invalid_limits", "ip_allow %q: want an address or a CIDR such as 203.0.113.0/24", s)
		}
		if p.IsSingleIP() {
			nets = append(nets, p.Addr().String())
		} else {
			nets = append(nets, p.String())
		}
	}
	slices.Sort(nets)
	l.IPAllow = slices.Compact(nets)
	return nil
}

// SetAccountLimits replaces an account's limits, live at once (a changed
// rate starts with a full second's budget).
func (c *Core) SetAccountLimits(ctx context.Context, l *store.AccountLimits) error {
	if err := CheckAccountLimits(l); err != nil {
		return err
	}
	if err := c.checkSubject(ctx, store.GrantAccount, l.AccountID); err != nil {
		return err
	}
	l.UpdatedAt = c.now()
	if err := c.st.SetAccountLimits(ctx, l); err != nil {
		return fmt.Errorf("core: set account limits: %w", err)
	}
	return c.loadBusiness(ctx)
}

// DailyCount is how many messages the account had accepted today (the
// platform's time zone), as its quota counts them.
func (c *Core) DailyCount(ctx context.Context, accountID int64) (int64, error) {
	return c.st.DailyCount(ctx, accountID, store.DayKey(c.now(), c.biz.loc))
}
