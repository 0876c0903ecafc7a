package app

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// DemoTemplate is the code of the template the demo registers and
// approves for the province, so that a first templated send works:
// {"template": "parcel", "variables": {"name": …, "code": …}}.
const DemoTemplate = "parcel"

// SeedTemplates gives the demo's province an approved signature
// (【中国邮政】) and an approved notice template; the business types keep
// their settings, so nothing else changes until an administrator asks a
// type for signatures (docs/api.md "Signatures and templates"). It keeps
// what a previous run on the same data has. Run it after SeedProvince.
func (sb *Sandbox) SeedTemplates(ctx context.Context) error {
	st := sb.Store
	orgs, err := st.Orgs(ctx)
	if err != nil {
		return fmt.Errorf("demo templates: %w", err)
	}
	var province int64
	for _, o := range orgs {
		if o.Code == DemoProvince {
			province = o.ID
		}
	}
	if province == 0 {
		return fmt.Errorf("demo templates: no organisation %s (run SeedProvince first)", DemoProvince)
	}
	now := time.Now()
	sigs, err := st.Signatures(ctx)
	if err != nil {
		return fmt.Errorf("demo signatures: %w", err)
	}
	have := false
	for _, s := range sigs {
		have = have || s.OrgID == province
	}
	if !have {
		sg := &store.Signature{OrgID: province, Text: "【中国邮政】", Default: true, State: store.ReviewApproved,
			CreatedBy: sb.AdminUser, CreatedAt: now, ReviewedBy: sb.AdminUser, ReviewedAt: now}
		if err := st.CreateSignature(ctx, sg); err != nil {
			return fmt.Errorf("demo signature: %w", err)
		}
	}
	tps, err := st.Templates(ctx)
	if err != nil {
		return fmt.Errorf("demo templates: %w", err)
	}
	for _, t := range tps {
		if t.OrgID == province && t.Code == DemoTemplate {
			return nil
		}
	}
	t := &store.Template{OrgID: province, Code: DemoTemplate, Business: "notice", Text: "{name}您好，您的包裹已到{place}，请凭取件码{code}领取。",
		State: store.ReviewApproved, CreatedBy: sb.AdminUser, CreatedAt: now, ReviewedBy: sb.AdminUser, ReviewedAt: now}
	if err := st.CreateTemplate(ctx, t); err != nil {
		return fmt.Errorf("demo template: %w", err)
	}
	return nil
}
