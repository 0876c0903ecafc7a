package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"hongyan/internal/store"
)

// ---- business types ----

var btCols = []string{"code", "name", "priority", "max_retries", "retry_interval_us", "max_segments", "at_least_once",
	"validity_us", "enabled", "fee_per_segment", "charge_on", "charge_mode", "monthly_fee", "monthly_cap",
	"report_required", "service_code", "mo_keywords", "send_from", "send_until",
	"template_required", "signature", "unsubscribe_text",
	"freq_limit", "freq_window_us"}

// btPlaceholders is "?, ?, …" for btCols.
var btPlaceholders = strings.TrimSuffix(strings.Repeat("?, ", len(btCols)), ", ")

// checkBusinessType fills defaults and refuses what the store cannot keep.
func checkBusinessType(b *store.BusinessType) error {
	if b.ChargeOn == "" {
		b.ChargeOn = store.ChargeDelivered
	}
	if b.ChargeOn != store.ChargeDelivered && b.ChargeOn != store.ChargeSubmitted {
		return fmt.Errorf("store: business type %s: charge_on %q: want %s or %s", b.Code, b.ChargeOn, store.ChargeDelivered, store.ChargeSubmitted)
	}
	if b.ChargeMode == "" {
		b.ChargeMode = store.ChargePerMessage
	}
	if !store.ValidChargeMode(b.ChargeMode) {
		return fmt.Errorf("store: business type %s: charge_mode %q", b.Code, b.ChargeMode)
	}
	for _, k := range b.MOKeywords {
		if k == "" || strings.Contains(k, ",") {
			return fmt.Errorf("store: business type %s: MO keyword %q: empty or with a comma", b.Code, k)
		}
	}
	if b.SendFrom < 0 || b.SendFrom >= 24*60 || b.SendUntil < 0 || b.SendUntil >= 24*60 {
		return fmt.Errorf("store: business type %s: sending hours %d–%d: minutes must be 0..1439", b.Code, b.SendFrom, b.SendUntil)
	}
	if b.FreqLimit < 0 || b.FreqWindow < 0 || b.FreqLimit > 0 && b.FreqWindow == 0 {
		return fmt.Errorf("store: business type %s: frequency limit %d per %s: negative, or without a window", b.Code, b.FreqLimit, b.FreqWindow)
	}
	return checkSignaturePlacement(b) // templates.go
}

func btArgs(b *store.BusinessType) []any {
	return []any{b.Code, b.Name, b.Priority, b.MaxRetries, b.RetryInterval.Microseconds(), b.MaxSegments,
		b2i(b.AtLeastOnce), b.Validity.Microseconds(), b2i(b.Enabled), b.FeePerSegment, b.ChargeOn, b.ChargeMode,
		b.MonthlyFee, b.MonthlyCap, b2i(b.ReportRequired), b.ServiceCode, strings.Join(b.MOKeywords, ","), b.SendFrom, b.SendUntil,
		b2i(b.TemplateRequired), b.Signature, b.UnsubscribeText,
		b.FreqLimit, b.FreqWindow.Microseconds()}
}

// UpsertBusinessType inserts b or replaces the type with its Code.
func (s *Store) UpsertBusinessType(ctx context.Context, b *store.BusinessType) error {
	if err := checkBusinessType(b); err != nil {
		return err
	}
	q := `INSERT INTO business_types (` + strings.Join(btCols, ", ") + `) VALUES (` + btPlaceholders + `)` + s.d.upsert(btCols[:1], btCols[1:], "")
	return s.write(ctx, "upsert business type", func(w *wtx) error {
		_, err := w.exec(q, btArgs(b)...)
		return err
	})
}

// CreateBusinessType adds b; a taken code is ErrDuplicate.
func (s *Store) CreateBusinessType(ctx context.Context, b *store.BusinessType) error {
	if err := checkBusinessType(b); err != nil {
		return err
	}
	q := `INSERT INTO business_types (` + strings.Join(btCols, ", ") + `) VALUES (` + btPlaceholders + `)`
	return s.write(ctx, "create business type", func(w *wtx) error {
		_, err := w.exec(q, btArgs(b)...)
		return s.dupOr(err)
	})
}

// UpdateBusinessType replaces the settings of the type with b's code.
func (s *Store) UpdateBusinessType(ctx context.Context, b *store.BusinessType) error {
	if err := checkBusinessType(b); err != nil {
		return err
	}
	sets := make([]string, 0, len(btCols)-1)
	for _, c := range btCols[1:] {
		sets = append(sets, c+" = ?")
	}
	q := `UPDATE business_types SET ` + strings.Join(sets, ", ") + ` WHERE code = ?`
	args := btArgs(b)
	args = append(args[1:], b.Code)
	return s.write(ctx, "update business type", func(w *wtx) error {
		n, err := w.execN(q, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("business type %q: %w", b.Code, store.ErrNotFound)
		}
		return nil
	})
}

// BusinessTypes lists every type by code.
func (s *Store) BusinessTypes(ctx context.Context) ([]*store.BusinessType, error) {
	rows, err := s.rquery(ctx, `SELECT `+strings.Join(btCols, ", ")+` FROM business_types ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("store: business types: %w", err)
	}
	defer rows.Close()
	var out []*store.BusinessType
	for rows.Next() {
		b := &store.BusinessType{}
		var retry, validity, alo, enabled, reports, tmplReq, freqWindow int64
		var kws string
		if err := rows.Scan(&b.Code, &b.Name, &b.Priority, &b.MaxRetries, &retry, &b.MaxSegments, &alo, &validity, &enabled,
			&b.FeePerSegment, &b.ChargeOn, &b.ChargeMode, &b.MonthlyFee, &b.MonthlyCap, &reports, &b.ServiceCode, &kws,
			&b.SendFrom, &b.SendUntil, &tmplReq, &b.Signature, &b.UnsubscribeText,
			&b.FreqLimit, &freqWindow); err != nil {
			return nil, fmt.Errorf("store: business types: %w", err)
		}
		b.RetryInterval, b.Validity = time.Duration(retry)*time.Microsecond, time.Duration(validity)*time.Microsecond
		b.AtLeastOnce, b.Enabled, b.ReportRequired = alo != 0, enabled != 0, reports != 0
		b.TemplateRequired = tmplReq != 0
		b.FreqWindow = time.Duration(freqWindow) * time.Microsecond
		if kws != "" {
			b.MOKeywords = strings.Split(kws, ",")
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: business types: %w", err)
	}
	return out, nil
}

// ---- grants ----

// SetGrants replaces a subject's grants.
func (s *Store) SetGrants(ctx context.Context, subject string, subjectID int64, business []string) error {
	if subject != store.GrantOrg && subject != store.GrantAccount {
		return fmt.Errorf("store: grants: subject %q: want %s or %s", subject, store.GrantOrg, store.GrantAccount)
	}
	codes := sortedUnique(business)
	now := us(time.Now())
	return s.write(ctx, "set grants", func(w *wtx) error {
		if _, err := w.exec(`DELETE FROM business_grants WHERE subject = ? AND subject_id = ?`, subject, subjectID); err != nil {
			return err
		}
		for _, c := range codes {
			if c == "" {
				return fmt.Errorf("grant of an empty business code to %s %d", subject, subjectID)
			}
			if _, err := w.exec(`INSERT INTO business_grants (subject, subject_id, business, created_at) VALUES (?, ?, ?, ?)`,
				subject, subjectID, c, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Grants lists every grant by subject, subject id and business.
func (s *Store) Grants(ctx context.Context) ([]store.Grant, error) {
	rows, err := s.rquery(ctx, `SELECT subject, subject_id, business, created_at FROM business_grants ORDER BY subject, subject_id, business`)
	if err != nil {
		return nil, fmt.Errorf("store: grants: %w", err)
	}
	defer rows.Close()
	var out []store.Grant
	for rows.Next() {
		var g store.Grant
		var at int64
		if err := rows.Scan(&g.Subject, &g.SubjectID, &g.Business, &at); err != nil {
			return nil, fmt.Errorf("store: grants: %w", err)
		}
		g.CreatedAt = tm(at)
		out = append(out, g)
	}
	return out, rows.Err()
}

// ---- account limits ----

// SetAccountLimits stores l, replacing the account's limits.
func (s *Store) SetAccountLimits(ctx context.Context, l *store.AccountLimits) error {
	for _, c := range l.IPAllow {
		if c == "" || strings.Contains(c, ",") {
			return fmt.Errorf("store: account %d limits: ip_allow entry %q", l.AccountID, c)
		}
	}
	if l.TPS < 0 || l.DailyQuota < 0 {
		return fmt.Errorf("store: account %d limits: negative tps or daily quota", l.AccountID)
	}
	if l.UpdatedAt.IsZero() {
		l.UpdatedAt = time.Now()
	}
	cols := []string{"account_id", "ip_allow", "tps_limit", "daily_quota", "updated_at"}
	q := `INSERT INTO account_limits (` + strings.Join(cols, ", ") + `) VALUES (?, ?, ?, ?, ?)` + s.d.upsert(cols[:1], cols[1:], "")
	return s.write(ctx, "set account limits", func(w *wtx) error {
		_, err := w.exec(q, l.AccountID, strings.Join(l.IPAllow, ","), l.TPS, l.DailyQuota, us(l.UpdatedAt))
		return err
	})
}

// AccountLimits lists every account's limits by account id.
func (s *Store) AccountLimits(ctx context.Context) ([]*store.AccountLimits, error) {
	rows, err := s.rquery(ctx, `SELECT account_id, ip_allow, tps_limit, daily_quota, updated_at FROM account_limits ORDER BY account_id`)
	if err != nil {
		return nil, fmt.Errorf("store: account limits: %w", err)
	}
	defer rows.Close()
	var out []*store.AccountLimits
	for rows.Next() {
		l := &store.AccountLimits{}
		var ips string
		var at int64
		if err := rows.Scan(&l.AccountID, &ips, &l.TPS, &l.DailyQuota, &at); err != nil {
			return nil, fmt.Errorf("store: account limits: %w", err)
		}
		if ips != "" {
			l.IPAllow = strings.Split(ips, ",")
		}
		l.UpdatedAt = tm(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// ---- daily counts (written by Accept) ----

// DailyCount is the account's count of messages accepted on day.
func (s *Store) DailyCount(ctx context.Context, accountID int64, day int) (int64, error) {
	rows, err := s.rquery(ctx, `SELECT messages FROM account_daily WHERE account_id = ? AND day = ?`, accountID, day)
	if err != nil {
		return 0, fmt.Errorf("store: daily count: %w", err)
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("store: daily count: %w", err)
		}
	}
	return n, rows.Err()
}

// dailyCounts is what one Accept call knows of the accounts' counts of the
// day: read (and locked) once per account and day that has a quota, added
// to per written item, and written once per account and day at the end.
type dailyCounts map[dayKey]*dayCount

type dayKey struct {
	account int64
	day     int
}

type dayCount struct {
	loaded bool
	stored int64 // the count before this transaction (when loaded)
	add    int64 // messages this transaction counts
}

// countable is how many of an item's messages count against the quota:
// those not final at accept (a blacklisted number is not sent).
func countable(it *store.AcceptItem) int64 {
	var n int64
	for _, m := range it.Messages {
		if !m.State.Final() {
			n++
		}
	}
	return n
}

// overQuota reports whether it would take its account past its DailyQuota.
// The count's row is created (empty) and locked first, so that two nodes
// accepting for one account at once cannot both pass the last free place.
func (dc dailyCounts) overQuota(w *wtx, it *store.AcceptItem) (bool, error) {
	if it.Day == 0 || it.DailyQuota <= 0 {
		return false, nil
	}
	k := dayKey{it.Batch.AccountID, it.Day}
	c := dc[k]
	if c == nil {
		c = &dayCount{}
		dc[k] = c
	}
	if !c.loaded {
		if _, err := w.exec(w.s.d.insertIgnore(`INSERT INTO account_daily (account_id, day, messages) VALUES (?, ?, 0)`), k.account, k.day); err != nil {
			return false, fmt.Errorf("daily count of account %d: %w", k.account, err)
		}
		if err := w.scanOne(`SELECT messages FROM account_daily WHERE account_id = ? AND day = ?`+w.s.d.lockSuffix(),
			[]any{k.account, k.day}, &c.stored); err != nil {
			return false, fmt.Errorf("daily count of account %d: %w", k.account, err)
		}
		c.loaded = true
	}
	return c.stored+c.add+countable(it) > it.DailyQuota, nil
}

// count adds a written item's messages to its account's count of the day.
func (dc dailyCounts) count(it *store.AcceptItem) {
	if it.Day == 0 {
		return
	}
	n := countable(it)
	if n == 0 {
		return
	}
	k := dayKey{it.Batch.AccountID, it.Day}
	c := dc[k]
	if c == nil {
		c = &dayCount{}
		dc[k] = c
	}
	c.add += n
}

// flush writes the counts, accounts in order (PostgreSQL locks them in
// the same order in every transaction).
func (dc dailyCounts) flush(w *wtx) error {
	if len(dc) == 0 {
		return nil
	}
	keys := make([]dayKey, 0, len(dc))
	for k, c := range dc {
		if c.add > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b dayKey) int {
		if a.account != b.account {
			return cmp.Compare(a.account, b.account)
		}
		return cmp.Compare(a.day, b.day)
	})
	for _, k := range keys {
		if _, err := w.exec(`INSERT INTO account_daily (account_id, day, messages) VALUES (?, ?, ?)
ON CONFLICT (account_id, day) DO UPDATE SET messages = account_daily.messages + excluded.messages`, k.account, k.day, dc[k].add); err != nil {
			return fmt.Errorf("daily count of account %d: %w", k.account, err)
		}
	}
	return nil
}
