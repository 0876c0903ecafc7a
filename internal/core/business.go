package core

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hongyan/internal/store"
)

// Running the SMS business at accept: which business types an account may
// use (grants), its rate and daily quota, the addresses it may call from,
// and the sending hours of business types. Everything the hot path reads is
// one immutable snapshot behind an atomic pointer, rebuilt from the store
// when an administrator changes something (Reload), so an accept takes no
// lock unless its account has a rate limit.
//
// Grants. An organisation may use the types granted to it and to every
// organisation above it (a grant to the province reaches every city and
// county; a city can be given more than its province gives everyone). A
// unit account may use its organisation's types and any granted to the
// account itself; a partner account only those granted to it (a partner is
// managed by an organisation, not part of it). "*" grants every type,
// present and future. Accounts that existed before grants, and accounts
// created from the configuration without a business_types list, have "*".

// bizState is the core's business-administration state.
type bizState struct {
	snap     atomic.Pointer[bizSnap]
	loadMu   sync.Mutex   // one load at a time, so snapshots never go back
	lastMiss atomic.Int64 // unix nanos of the last load caused by an unknown organisation
	loc      *time.Location
}

// bizSnap is one consistent view of grants, organisations, limits and the
// business types' MO keywords.
type bizSnap struct {
	accountGrants map[int64]grantSet // an account's own grants
	orgGrants     map[int64]grantSet // an organisation's, with its ancestors'
	orgs          map[int64]*store.Org
	limits        map[int64]*acctLimits
	moTypes       []moType
}

type grantSet struct {
	all   bool
	codes map[string]bool
}

func (g grantSet) has(code string) bool { return g.all || g.codes[code] }

func (g *grantSet) add(code string) {
	if code == store.GrantAll {
		g.all = true
		return
	}
	if g.codes == nil {
		g.codes = map[string]bool{}
	}
	g.codes[code] = true
}

func (g grantSet) list() []string {
	if g.all {
		return []string{store.GrantAll}
	}
	out := make([]string, 0, len(g.codes))
	for c := range g.codes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// acctLimits are an account's limits, parsed.
type acctLimits struct {
	store.AccountLimits
	nets []netip.Prefix
	rate *limiter // nil: no TPS limit
}

// moType is a business type's (service code, keyword) pair for MO matching.
type moType struct {
	serviceCode, keyword, business string
}

// defaultTimeZone is the platform's time zone unless configured: China has
// one time zone and no daylight saving, so a fixed offset is exact even
// where the system has no time-zone database.
func defaultTimeZone() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

func newBizState(loc *time.Location) *bizState {
	if loc == nil {
		loc = defaultTimeZone()
	}
	b := &bizState{loc: loc}
	b.snap.Store(&bizSnap{})
	return b
}

// TimeZone is the platform's time zone: sending hours and days of quotas.
func (c *Core) TimeZone() *time.Location { return c.biz.loc }

// loadBusiness rebuilds the snapshot from the store, keeping the rate
// limiters of accounts whose limit did not change.
func (c *Core) loadBusiness(ctx context.Context) error {
	c.biz.loadMu.Lock()
	defer c.biz.loadMu.Unlock()
	grants, err := c.st.Grants(ctx)
	if err != nil {
		return fmt.Errorf("core: load grants: %w", err)
	}
	orgs, err := c.st.Orgs(ctx)
	if err != nil {
		return fmt.Errorf("core: load organisations: %w", err)
	}
	limits, err := c.st.AccountLimits(ctx)
	if err != nil {
		return fmt.Errorf("core: load account limits: %w", err)
	}
	bts, err := c.st.BusinessTypes(ctx)
	if err != nil {
		return fmt.Errorf("core: load business types: %w", err)
	}
	old := c.biz.snap.Load()
	s := &bizSnap{accountGrants: map[int64]grantSet{}, orgGrants: map[int64]grantSet{}, orgs: map[int64]*store.Org{},
		limits: map[int64]*acctLimits{}}
	own := map[int64]grantSet{}
	for _, g := range grants {
		switch g.Subject {
		case store.GrantAccount:
			gs := s.accountGrants[g.SubjectID]
			gs.add(g.Business)
			s.accountGrants[g.SubjectID] = gs
		case store.GrantOrg:
			gs := own[g.SubjectID]
			gs.add(g.Business)
			own[g.SubjectID] = gs
		}
	}
	for _, o := range orgs {
		s.orgs[o.ID] = o
	}
	for _, o := range orgs {
		var eff grantSet
		for _, id := range s.chain(o.ID) {
			g := own[id]
			if g.all {
				eff.all = true
			}
			for code := range g.codes {
				eff.add(code)
			}
		}
		s.orgGrants[o.ID] = eff
	}
	now := c.now()
	for _, l := range limits {
		al := &acctLimits{AccountLimits: *l}
		for _, cidr := range l.IPAllow {
			p, err := parsePrefix(cidr)
			if err != nil {
				c.log.Warn("account limits: ignoring a bad ip_allow entry", "account", l.AccountID, "entry", cidr, "err", err)
				continue
			}
			al.nets = append(al.nets, p)
		}
		if l.TPS > 0 {
			if prev := old.limits[l.AccountID]; prev != nil && prev.rate != nil && prev.TPS == l.TPS {
				al.rate = prev.rate
			} else {
				al.rate = newLimiter(l.TPS, now)
			}
		}
		s.limits[l.AccountID] = al
	}
	for _, bt := range bts {
		if bt.ServiceCode == "" {
			continue
		}
		if len(bt.MOKeywords) == 0 {
			s.moTypes = append(s.moTypes, moType{serviceCode: bt.ServiceCode, business: bt.Code})
		}
		for _, k := range bt.MOKeywords {
			s.moTypes = append(s.moTypes, moType{serviceCode: bt.ServiceCode, keyword: k, business: bt.Code})
		}
	}
	sort.SliceStable(s.moTypes, func(i, j int) bool {
		a, b := s.moTypes[i], s.moTypes[j]
		if len(a.serviceCode) != len(b.serviceCode) {
			return len(a.serviceCode) > len(b.serviceCode)
		}
		if len(a.keyword) != len(b.keyword) {
			return len(a.keyword) > len(b.keyword)
		}
		return a.business < b.business
	})
	c.biz.snap.Store(s)
	return nil
}

// chain is an organisation and its ancestors, nearest first (cycles and
// missing parents end it).
func (s *bizSnap) chain(id int64) []int64 {
	var out []int64
	for o := s.orgs[id]; o != nil && len(out) <= len(s.orgs); o = s.orgs[o.ParentID] {
		out = append(out, o.ID)
	}
	return out
}

// parsePrefix reads a CIDR or a single address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// ---- the checks accept makes ----

// granted reports whether acc may use business type code.
func (s *bizSnap) granted(acc *store.Account, code string) bool {
	if s.accountGrants[acc.ID].has(code) {
		return true
	}
	if acc.Kind == store.KindPartner || acc.OrgID == 0 {
		return false
	}
	return s.orgGrants[acc.OrgID].has(code)
}

// checkGrant refuses (403 forbidden_business, recorded) a business type the
// account may not use.
func (c *Core) checkGrant(ctx context.Context, acc *store.Account, bt *store.BusinessType) error {
	s := c.biz.snap.Load()
	if s.granted(acc, bt.Code) {
		return nil
	}
	if acc.OrgID != 0 && s.orgs[acc.OrgID] == nil && c.reloadForOrg(ctx) {
		// An organisation created since the last load: load once more.
		if s = c.biz.snap.Load(); s.granted(acc, bt.Code) {
			return nil
		}
	}
	c.m.refused.WithLabelValues("forbidden_business").Inc()
	whose := "the account"
	if acc.Kind != store.KindPartner && acc.OrgID != 0 {
		name := fmt.Sprint(acc.OrgID)
		if o := s.orgs[acc.OrgID]; o != nil {
			name = o.Code
		}
		whose = "the account, its organisation " + name + " or an organisation above it"
	}
	c.recordRefusals(ctx, store.Refusal{AccountID: acc.ID, Business: bt.Code, Kind: "forbidden_business",
		Detail: "business type " + bt.Code + " is not granted to " + whose, At: c.now()})
	return refuse(http.StatusForbidden, "forbidden_business",
		"account %s may not send business type %q: it is not granted to %s; ask an administrator to grant it (PUT /api/v1/admin/grants)",
		acc.Name, bt.Code, whose)
}

// reloadForOrg reloads the snapshot at most once a second; it reports
// whether it did.
func (c *Core) reloadForOrg(ctx context.Context) bool {
	now := time.Now().UnixNano()
	last := c.biz.lastMiss.Load()
	if now-last < int64(time.Second) || !c.biz.lastMiss.CompareAndSwap(last, now) {
		return false
	}
	if err := c.loadBusiness(ctx); err != nil {
		c.log.Warn("reload of grants failed", "err", err)
		return false
	}
	return true
}

// limitsOf returns an account's limits (nil: none).
func (c *Core) limitsOf(id int64) *acctLimits { return c.biz.snap.Load().limits[id] }

// checkRate takes n messages from the account's TPS budget, or refuses
// (429 rate_limited with Retry-After). Not recorded as a refusal: a client
// over its rate sends many requests, and each would be a write.
func (c *Core) checkRate(acc *store.Account, l *acctLimits, n int) error {
	if l == nil || l.rate == nil {
		return nil
	}
	wait := l.rate.take(n, time.Now())
	if wait == 0 {
		return nil
	}
	c.m.refused.WithLabelValues("rate_limited").Inc()
	e := refuse(http.StatusTooManyRequests, "rate_limited",
		"account %s may submit %d messages per second; try again in %s", acc.Name, l.TPS, wait.Round(time.Millisecond))
	e.RetryAfter = wait
	return e
}

// CheckIP refuses a call from an address outside the account's allow-list
// (403 ip_not_allowed, naming the address). remote is the caller's
// address as host or host:port.
func (c *Core) CheckIP(acc *store.Account, remote string) error {
	l := c.limitsOf(acc.ID)
	if l == nil || len(l.IPAllow) == 0 {
		return nil
	}
	host := remote
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		host = ap.Addr().String()
	} else if i := strings.LastIndexByte(remote, ':'); i > 0 && !strings.Contains(remote[:i], ":") {
		host = remote[:i]
	}
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		a = a.Unmap()
		for _, p := range l.nets {
			if p.Contains(a) {
				return nil
			}
		}
		host = a.String()
	}
	c.m.refused.WithLabelValues("ip_not_allowed").Inc()
	return refuse(http.StatusForbidden, "ip_not_allowed", "account %s may not be used from %s (allowed: %s)",
		acc.Name, host, strings.Join(l.IPAllow, ", "))
}

// ---- sending hours ----

// inWindow says whether minute-of-day m is within [from, until).
func inWindow(m, from, until int) bool {
	switch {
	case from == until:
		return true
	case from < until:
		return m >= from && m < until
	default: // over midnight
		return m >= from || m < until
	}
}

// windowStart is t when t is within the sending hours [from, until) in
// loc, else the start of the next window after t.
func windowStart(t time.Time, from, until int, loc *time.Location) time.Time {
	lt := t.In(loc)
	if inWindow(lt.Hour()*60+lt.Minute(), from, until) {
		return t
	}
	start := time.Date(lt.Year(), lt.Month(), lt.Day(), from/60, from%60, 0, 0, loc)
	if !start.After(lt) {
		start = time.Date(lt.Year(), lt.Month(), lt.Day()+1, from/60, from%60, 0, 0, loc)
	}
	return start
}

// FormatHours renders sending hours as "08:00-21:00" ("" = any time).
func FormatHours(from, until int) string {
	if from == until {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", from/60, from%60, until/60, until%60)
}

// ParseHours reads "08:00-21:00" ("" or "any" = any time; "22:00-06:00"
// runs over midnight; "24:00" ends at midnight).
func ParseHours(s string) (from, until int, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "any" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	if !ok {
		return 0, 0, fmt.Errorf("sending hours %q: want HH:MM-HH:MM, e.g. 08:00-21:00", s)
	}
	if from, err = parseClock(a); err == nil {
		until, err = parseClock(b)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("sending hours %q: %w", s, err)
	}
	from, until = from%(24*60), until%(24*60)
	if from == until {
		return 0, 0, fmt.Errorf("sending hours %q: start and end are the same time (give \"\" for any time)", s)
	}
	return from, until, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	var hh, mm int
	if _, err := fmt.Sscanf(h, "%d", &hh); err != nil || !ok || len(m) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	if _, err := fmt.Sscanf(m, "%d", &mm); err != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return hh*60 + mm, nil
}

// ---- MO business by the types' service codes and keywords ----

// moBusiness is the business type an MO to `to` with text belongs to by
// the types' service codes and keywords ("" = none): the longest service
// code prefixing the destination, then its longest keyword starting the
// text, else a type of that service code without keywords.
func (c *Core) moBusiness(to, text string) string {
	ts := c.biz.snap.Load().moTypes
	if len(ts) == 0 {
		return ""
	}
	norm := NormalizeKeyword(text)
	best := -1
	for i, t := range ts {
		if !strings.HasPrefix(to, t.serviceCode) {
			continue
		}
		if best >= 0 && len(t.serviceCode) < len(ts[best].serviceCode) {
			break
		}
		if t.keyword == "" {
			if best < 0 {
				best = i
			}
			continue
		}
		if keywordStarts(norm, t.keyword) {
			return t.business
		}
	}
	if best < 0 {
		return ""
	}
	return ts[best].business
}

// ---- rate limiter ----

// limiter is a token bucket holding one second of the rate. A request is
// let through while at least one token is left and takes as many tokens
// as it has messages, going into debt if it must: so a batch is never
// refused for its size alone, and over time the account submits no more
// than its rate.
type limiter struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func newLimiter(tps int, now time.Time) *limiter {
	return &limiter{rate: float64(tps), tokens: float64(tps), last: now}
}

// take returns 0 when n messages may go now (and takes them), else how
// long until one may.
func (l *limiter) take(n int, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el := now.Sub(l.last).Seconds(); el > 0 {
		l.tokens = math.Min(l.rate, l.tokens+el*l.rate)
		l.last = now
	}
	if l.tokens < 1 {
		return time.Duration(math.Ceil((1 - l.tokens) / l.rate * float64(time.Second)))
	}
	l.tokens -= float64(n)
	return 0
}

// ---- days and quotas ----

// nextMidnight is the start of the day after t in loc.
func nextMidnight(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	return time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
}

// quotaRefusal explains an item refused for its account's daily quota
// (429 quota_exceeded, recorded).
func (c *Core) quotaRefusal(ctx context.Context, acc *store.Account, business string, l *acctLimits, day, n int, now time.Time) error {
	c.m.refused.WithLabelValues("quota_exceeded").Inc()
	used, err := c.st.DailyCount(ctx, acc.ID, day)
	if err != nil {
		c.log.Warn("daily count", "account", acc.ID, "err", err)
	}
	reset := nextMidnight(now, c.biz.loc)
	c.recordRefusals(ctx, store.Refusal{AccountID: acc.ID, Business: business, Kind: "quota_exceeded",
		Detail: fmt.Sprintf("%d message(s) with %d of %d accepted today", n, used, l.DailyQuota), At: now})
	e := refuse(http.StatusTooManyRequests, "quota_exceeded",
		"account %s may send %d messages a day; %d were accepted today and this request has %d; the quota starts again at %s",
		acc.Name, l.DailyQuota, used, n, reset.Format("2006-01-02 15:04 MST"))
	e.RetryAfter = reset.Sub(now)
	return e
}
