package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// DemoUser is a user the demo seeds, one per organisation role, with a
// new password each start (passwords are stored hashed, so old ones
// cannot be printed).
type DemoUser struct {
	Username, Password, Role string
	Org                      *store.Org
	Account                  string // a partner user's account
}

// Demo organisation codes: the province office, two cities, three counties.
const (
	DemoProvince = "GD"
	DemoCity     = "GD-GZ"
	DemoCounty   = "GD-GZ-CH"
	// DemoPartner is the partner company's account, managed by the city.
	DemoPartner = "demo-partner"
)

var demoOrgs = []struct {
	code, parent, name string
	level              int
}{
	{DemoProvince, "", "省公司", store.LevelProvince},
	{DemoCity, DemoProvince, "广州市分公司", store.LevelCity},
	{"GD-FS", DemoProvince, "佛山市分公司", store.LevelCity},
	{DemoCounty, DemoCity, "从化区分公司", store.LevelCounty},
	{"GD-GZ-ZC", DemoCity, "增城区分公司", store.LevelCounty},
	{"GD-FS-SD", "GD-FS", "顺德区分公司", store.LevelCounty},
}

var demoUsers = []struct{ name, role, org string }{
	{"gz-admin", store.RoleOrgAdmin, DemoCity},
	{"ch-operator", store.RoleOperator, DemoCounty},
	{"auditor", store.RoleAuditor, DemoProvince},
	{"partner", store.RolePartner, ""}, // of the partner account
}

// SeedProvince gives the sandbox a small province (A1): the organisation
// tree, the sending account under the province office, a partner account
// under a city, and one user per organisation role (sb.Users). It keeps
// what a previous run on the same data created.
func (sb *Sandbox) SeedProvince(ctx context.Context) error {
	st := sb.Store
	have, err := st.Orgs(ctx)
	if err != nil {
		return fmt.Errorf("demo orgs: %w", err)
	}
	byCode := map[string]*store.Org{}
	for _, o := range have {
		byCode[o.Code] = o
	}
	for _, d := range demoOrgs {
		if byCode[d.code] != nil {
			continue
		}
		o := &store.Org{Level: d.level, Code: d.code, Name: d.name, CreatedAt: time.Now()}
		if d.parent != "" {
			o.ParentID = byCode[d.parent].ID
		}
		if err := st.CreateOrg(ctx, o); err != nil {
			return fmt.Errorf("demo org %s: %w", d.code, err)
		}
		byCode[d.code] = o
	}
	if sb.Account.OrgID == 0 {
		sb.Account.OrgID = byCode[DemoProvince].ID
		if err := st.UpdateAccount(ctx, sb.Account); err != nil {
			return fmt.Errorf("demo account's organisation: %w", err)
		}
	}
	partner, err := st.AccountByName(ctx, DemoPartner)
	if errors.Is(err, store.ErrNotFound) {
		partner = &store.Account{Name: DemoPartner, Kind: store.KindPartner, OrgID: byCode[DemoCity].ID, Balance: 1_000_000,
			Secret: core.NewSecret("", 18), CreatedAt: time.Now()}
		err = st.CreateAccount(ctx, partner)
	}
	if err != nil {
		return fmt.Errorf("demo partner account: %w", err)
	}
	if err := sb.seedGrants(ctx, byCode[DemoProvince].ID, partner.ID); err != nil {
		return err
	}
	users, err := demoPasswords()
	if err != nil {
		return err
	}
	for i, d := range demoUsers {
		du := &users[i]
		du.Username, du.Role, du.Org = d.name, d.role, byCode[d.org]
		u := &store.User{Username: d.name, Role: d.role, PasswordHash: du.hash, CreatedAt: time.Now()}
		if du.Org != nil {
			u.OrgID = du.Org.ID
		}
		if d.role == store.RolePartner {
			u.AccountID, u.OrgID, du.Org, du.Account = partner.ID, partner.OrgID, byCode[DemoCity], partner.Name
		}
		old, err := st.UserByName(ctx, d.name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = st.CreateUser(ctx, u)
		case err == nil:
			u.ID = old.ID
			err = st.UpdateUser(ctx, u)
		}
		if err != nil {
			return fmt.Errorf("demo user %s: %w", d.name, err)
		}
		sb.Users = append(sb.Users, du.DemoUser)
	}
	return sb.Core.Reload(ctx)
}

// seedGrants lets the province's units use every business type (units
// inherit their organisation's grants) and the partner send notices and
// verification codes, unless an administrator has set their grants since.
func (sb *Sandbox) seedGrants(ctx context.Context, province, partner int64) error {
	gs, err := sb.Store.Grants(ctx)
	if err != nil {
		return fmt.Errorf("demo grants: %w", err)
	}
	has := map[string]bool{}
	for _, g := range gs {
		has[fmt.Sprint(g.Subject, g.SubjectID)] = true
	}
	for _, g := range []struct {
		subject string
		id      int64
		types   []string
	}{{store.GrantOrg, province, []string{store.GrantAll}}, {store.GrantAccount, partner, []string{"notice", "verify"}}} {
		if has[fmt.Sprint(g.subject, g.id)] {
			continue
		}
		if err := sb.Store.SetGrants(ctx, g.subject, g.id, g.types); err != nil {
			return fmt.Errorf("demo grants: %w", err)
		}
	}
	return nil
}

type demoPassword struct {
	DemoUser
	hash string
}

// demoPasswords makes a password and its argon2id hash per demo user, in
// parallel (each hash takes a noticeable moment).
func demoPasswords() ([]demoPassword, error) {
	out := make([]demoPassword, len(demoUsers))
	errs := make([]error, len(demoUsers))
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			out[i].Password = core.NewSecret("", 9)
			out[i].hash, errs[i] = core.HashPassword(out[i].Password)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("demo passwords: %w", err)
	}
	return out, nil
}
