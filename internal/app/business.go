package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// The configuration's part in running the SMS business: business types
// with every setting, the business types and limits of accounts, and the
// platform's time zone.

// location is the configured time zone (checked by Check).
func (c *Config) location() *time.Location {
	if c.TimeZone == "" {
		return nil // the core's default, Asia/Shanghai
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil
	}
	return loc
}

// checkBusiness validates what the business administration reads from the
// configuration, with the rules the admin API applies.
func (c *Config) checkBusiness() error {
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			return fmt.Errorf("time_zone %q: %w", c.TimeZone, err)
		}
	}
	for _, bc := range c.BusinessTypes {
		bt, err := businessTypeFromConfig(bc)
		if err == nil {
			err = core.CheckBusinessType(bt)
		}
		if err != nil {
			return fmt.Errorf("business_types: %w", configErr(err))
		}
	}
	for _, a := range c.Accounts {
		for _, b := range a.BusinessTypes {
			if b == "" {
				return fmt.Errorf("account %s: business_types has an empty entry", a.Name)
			}
		}
		l := accountLimits(0, a)
		if err := core.CheckAccountLimits(&l); err != nil {
			return fmt.Errorf("account %s: %w", a.Name, configErr(err))
		}
	}
	return nil
}

// configErr shows a core refusal as plain text (no API error code).
func configErr(err error) error {
	var ce *core.Error
	if errors.As(err, &ce) {
		return errors.New(ce.Message)
	}
	return err
}

func yuanToLi(y float64) int64 { return int64(math.Round(y * 1000)) }

// businessTypeFromConfig is a configured business type with the defaults
// of a missing key filled in.
func businessTypeFromConfig(bc BusinessTypeConfig) (*store.BusinessType, error) {
	alo := bc.AtLeastOnce == nil || *bc.AtLeastOnce
	reports := bc.ReportRequired == nil || *bc.ReportRequired
	ri := bc.RetryInterval
	if ri == 0 {
		ri = 5 * time.Second
	}
	from, until, err := core.ParseHours(bc.SendHours)
	if err != nil {
		return nil, fmt.Errorf("business type %s: %w", bc.Code, err)
	}
	return &store.BusinessType{Code: bc.Code, Name: bc.Name, Priority: bc.Priority, MaxRetries: bc.MaxRetries,
		RetryInterval: ri, MaxSegments: bc.MaxSegments, AtLeastOnce: alo, Validity: bc.Validity, Enabled: !bc.Disabled,
		FeePerSegment: yuanToLi(bc.Fee), ChargeOn: bc.ChargeOn, ChargeMode: bc.ChargeMode,
		MonthlyFee: yuanToLi(bc.MonthlyFee), MonthlyCap: yuanToLi(bc.MonthlyCap), ReportRequired: reports,
		ServiceCode: bc.ServiceCode, MOKeywords: slices.Clone(bc.MOKeywords), SendFrom: from, SendUntil: until,
		FreqLimit: bc.FreqLimit, FreqWindow: bc.FreqWindow,
		TemplateRequired: bc.TemplateRequired, Signature: bc.Signature, UnsubscribeText: bc.UnsubscribeText}, nil
}

func accountLimits(id int64, ac AccountConfig) store.AccountLimits {
	return store.AccountLimits{AccountID: id, IPAllow: slices.Clone(ac.IPAllow), TPS: ac.TPSLimit, DailyQuota: ac.DailyQuota}
}

// seedAccountBusiness gives a configured account its business types and
// limits. Without a business_types list, an account the configuration
// creates may use every type ("*"), and an existing account keeps what
// administrators granted it; a list given is applied at every start, as
// are limits given (the configuration states them).
func (p *Platform) seedAccountBusiness(ctx context.Context, a *store.Account, ac AccountConfig, created bool) error {
	st := p.Store
	switch {
	case ac.BusinessTypes != nil:
		types, err := st.BusinessTypes(ctx)
		if err != nil {
			return err
		}
		for _, b := range ac.BusinessTypes {
			if b != store.GrantAll && !slices.ContainsFunc(types, func(t *store.BusinessType) bool { return t.Code == b }) {
				return fmt.Errorf("account %s: business_types: no business type %q", ac.Name, b)
			}
		}
		if err := st.SetGrants(ctx, store.GrantAccount, a.ID, core.NormalizeGrants(ac.BusinessTypes)); err != nil {
			return fmt.Errorf("account %s: business types: %w", ac.Name, err)
		}
	case created:
		if err := st.SetGrants(ctx, store.GrantAccount, a.ID, []string{store.GrantAll}); err != nil {
			return fmt.Errorf("account %s: business types: %w", ac.Name, err)
		}
	}
	if ac.IPAllow != nil || ac.TPSLimit != 0 || ac.DailyQuota != 0 {
		l := accountLimits(a.ID, ac)
		if err := core.CheckAccountLimits(&l); err != nil {
			return fmt.Errorf("account %s: %w", ac.Name, configErr(err))
		}
		if err := st.SetAccountLimits(ctx, &l); err != nil {
			return fmt.Errorf("account %s: limits: %w", ac.Name, err)
		}
	}
	return nil
}
