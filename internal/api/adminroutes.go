package api

import (
	"net/http"
	"slices"
	"strings"

	"hongyan/internal/store"
)

// adminHandler serves an admin endpoint for an authenticated user.
type adminHandler func(http.ResponseWriter, *http.Request, *store.User)

// adminRoute is one admin endpoint and the roles that may call it. This
// table is the access rule (like the console's page table): a role not
// listed is refused with 403 before the handler runs; the handler then
// limits what the caller sees and changes to their scope (internal/biz/scope).
type adminRoute struct {
	pattern string
	roles   []string
	h       adminHandler
}

var (
	everyone    = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator, store.RoleAuditor, store.RolePartner}
	staff       = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator, store.RoleAuditor}
	managers    = []string{store.RolePlatformAdmin, store.RoleOrgAdmin}
	overseers   = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleAuditor}
	platformRO  = []string{store.RolePlatformAdmin, store.RoleAuditor} // platform-wide rules: the auditor reads them
	platformAll = []string{store.RolePlatformAdmin}
	// keyHolders manage API keys: administrators of the accounts in their
	// scope, and a partner its own (self-service, P4).
	keyHolders = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RolePartner}
)

// adminRoutes is the whole table: the core routes here and each area's own
// (business types, statistics, …) appended, so one rule covers every
// admin endpoint and AdminRoles lists them all.
func (s *Server) adminRoutes() []adminRoute {
	rts := s.coreAdminRoutes()
	for _, area := range [][]adminRoute{s.businessRoutes(), s.statsRoutes(), s.subscriptionRoutes(), s.templateRoutes(), s.reviewRoutes(), s.libraryRoutes(),
		s.keyRoutes(), s.segmentRoutes()} {
		rts = append(rts, area...)
	}
	return rts
}

func (s *Server) coreAdminRoutes() []adminRoute {
	return []adminRoute{
		{"GET /api/v1/admin/me", everyone, s.adminMe},
		{"POST /api/v1/admin/logout", everyone, s.adminLogout},
		{"POST /api/v1/admin/me/password", everyone, s.adminChangePassword},
		{"GET /api/v1/admin/gateways", platformRO, s.adminGateways},

		{"GET /api/v1/admin/orgs", staff, s.adminOrgs},
		{"POST /api/v1/admin/orgs", managers, s.adminCreateOrg},
		{"PATCH /api/v1/admin/orgs/{id}", managers, s.adminPatchOrg},

		{"GET /api/v1/admin/users", overseers, s.adminUsers},
		{"POST /api/v1/admin/users", managers, s.adminCreateUser},
		{"PATCH /api/v1/admin/users/{id}", managers, s.adminPatchUser},

		{"GET /api/v1/admin/accounts", everyone, s.adminAccounts},
		{"POST /api/v1/admin/accounts", managers, s.adminCreateAccount},
		{"PATCH /api/v1/admin/accounts/{id}", managers, s.adminPatchAccount},
		{"POST /api/v1/admin/accounts/{id}/recharge", managers, s.adminRecharge},
		{"GET /api/v1/admin/accounts/{id}/ledger", everyone, s.adminLedger},
		{"GET /api/v1/admin/accounts/{id}/keys", everyone, s.adminKeys},
		{"POST /api/v1/admin/accounts/{id}/keys", keyHolders, s.adminCreateKey},
		{"DELETE /api/v1/admin/accounts/{id}/keys/{prefix}", keyHolders, s.adminRevokeKey},
		{"GET /api/v1/admin/refusals", everyone, s.adminRefusals},

		{"GET /api/v1/admin/blacklist", platformRO, s.adminBlacklist},
		{"POST /api/v1/admin/blacklist", platformAll, s.adminBlacklistAdd},
		{"DELETE /api/v1/admin/blacklist/{number}", platformAll, s.adminBlacklistRemove},
		{"GET /api/v1/admin/filter-words", platformRO, s.adminFilterWords},
		{"POST /api/v1/admin/filter-words", platformAll, s.adminFilterWordAdd},
		{"DELETE /api/v1/admin/filter-words/{id}", platformAll, s.adminFilterWordRemove},
		{"GET /api/v1/admin/mo-routes", platformRO, s.adminMORoutes},
		{"POST /api/v1/admin/mo-routes", platformAll, s.adminAddMORoute},
		{"DELETE /api/v1/admin/mo-routes/{id}", platformAll, s.adminDeleteMORoute},

		{"GET /api/v1/admin/audit", overseers, s.adminAudit},
	}
}

// mountAdmin mounts the admin API: login without a token, everything else
// behind adminAuth with the roles of the table.
func (s *Server) mountAdmin(m *http.ServeMux) {
	m.HandleFunc("POST /api/v1/admin/login", s.adminLogin)
	for _, rt := range s.adminRoutes() {
		m.HandleFunc(rt.pattern, s.adminAuth(rt.roles, rt.h))
	}
}

// AdminRoles lists every admin endpoint ("METHOD /path") with the roles
// that may call it: the table docs/api.md describes, for tests.
func (s *Server) AdminRoles() map[string][]string {
	out := map[string][]string{}
	for _, rt := range s.adminRoutes() {
		out[rt.pattern] = slices.Clone(rt.roles)
	}
	return out
}

// requireRoles refuses (403) a caller whose role is not one of roles.
func requireRoles(roles []string, next adminHandler) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, u *store.User) {
		if !slices.Contains(roles, u.Role) {
			need := "the role " + roles[0]
			if len(roles) > 1 {
				need = "one of the roles " + strings.Join(roles, ", ")
			}
			writeError(w, http.StatusForbidden, "forbidden", "this needs "+need+"; you are "+u.Role)
			return
		}
		next(w, r, u)
	}
}
