package web

import (
	"slices"

	"hongyan/internal/store"
)

// anyRole marks a page every logged-in user may open.
const anyRole = "*"

// everyRole lists the roles of the organisation model (the admin API's
// "everyone"); pages open to them scope what they show.
var everyRole = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator, store.RoleAuditor, store.RolePartner}

// page is one console page: where it lives, its menu label and the roles
// that may open it. Every console route names its page (Server.route), so
// this table is both the menu and the access rule: the server refuses a
// URL whose page does not list the user's role. Organisation roles (A1)
// add their names to the lists.
type page struct {
	id    string   // route key, also the menu label key "nav.<id>"
	path  string   // menu link
	roles []string // who may open it
	menu  bool     // shown in the menu
	desc  string   // landing page card text; "" = no card
	group string   // menu group ("adm": 管理), its heading "nav.group.<group>"; "" = none
}

var pages = []page{
	{id: "home", path: "/", roles: []string{anyRole}, menu: true},
	{id: "send", path: "/send", roles: sendRoles, menu: true, desc: "home.send.desc"},
	{id: "batches", path: "/batches", roles: append(slices.Clone(sendRoles), store.RoleAuditor), menu: true, desc: "home.batches.desc"},
	{id: "batch_cancel", roles: sendRoles}, // POST /batches/{id}/cancel
	// The inbox (inbox.go) and the address book (addressbook*.go).
	{id: "inbox", path: "/inbox", roles: inboxRoles, menu: true, desc: "home.inbox.desc"},
	{id: "inbox_reply", roles: sendRoles},
	{id: "book", path: "/book", roles: bookRoles, menu: true, desc: "home.book.desc"},
	{id: "reports", path: "/reports", roles: everyRole, menu: true, desc: "home.reports.desc"},
	{id: "settlement", path: "/settlement", roles: []string{store.RolePlatformAdmin, store.RoleAuditor}, menu: true, desc: "home.settlement.desc"},
	{id: "account", path: "/account", roles: everyRole, menu: true, desc: "home.account.desc"},
	{id: "account_keys", roles: keyRoles}, // POST /account/keys…
	{id: "password", path: "/password", roles: []string{anyRole}, menu: true},
	{id: "library", path: "/library", roles: admStaff, menu: true, desc: "home.library.desc"}, // library.go
	{id: "library_edit", roles: libEditors},
	{id: "customers", path: "/customers", roles: admStaff, menu: true, desc: "home.customers.desc"}, // customers.go
	{id: "customers_edit", roles: libEditors},
	{id: "enterprises", path: "/enterprises", roles: admStaff, menu: true, desc: "home.enterprises.desc"}, // enterprises.go
	{id: "enterprises_edit", roles: libEditors},
	{id: "gateways", path: "/gateways", roles: []string{store.RolePlatformAdmin}, menu: true, desc: "home.gateways.desc"},
	// Administration (admin_*.go): each page's roles are those of the admin
	// API endpoints it calls (adminPageAPI; a test holds them equal).
	{id: "admin_orgs", path: "/admin/orgs", roles: admStaff, menu: true, group: "adm", desc: "adm.home.orgs"},
	{id: "admin_orgs_edit", roles: admManagers},
	{id: "admin_users", path: "/admin/users", roles: admOverseers, menu: true, group: "adm"},
	{id: "admin_users_edit", roles: admManagers},
	{id: "admin_accounts", path: "/admin/accounts", roles: everyRole, menu: true, group: "adm"},
	{id: "admin_accounts_edit", roles: admManagers},
	{id: "admin_keys", path: "/admin/keys", roles: everyRole, menu: true, group: "adm"}, // admin_keys.go
	{id: "admin_keys_revoke", roles: keyRoles},
	{id: "admin_limits", roles: admPlatformRO},
	{id: "admin_limits_edit", roles: admPlatform},
	{id: "admin_business", path: "/admin/business-types", roles: admPlatformRO, menu: true, group: "adm"},
	{id: "admin_business_edit", roles: admPlatform},
	{id: "admin_words", path: "/admin/words", roles: admPlatformRO, menu: true, group: "adm"},
	{id: "admin_words_edit", roles: admPlatform},
	{id: "admin_review", path: "/admin/review", roles: admReviewers, menu: true, group: "adm", desc: "adm.home.review"},
	{id: "admin_blacklist", path: "/admin/blacklist", roles: admPlatformRO, menu: true, group: "adm"},
	{id: "admin_blacklist_edit", roles: admPlatform},
	{id: "admin_signatures", path: "/admin/signatures", roles: everyRole, menu: true, group: "adm"},
	{id: "admin_templates", path: "/admin/templates", roles: everyRole, menu: true, group: "adm"},
	{id: "admin_owned_edit", roles: admRegistrars},
	{id: "admin_owned_review", roles: admPlatform},
	{id: "admin_segments", path: "/admin/segments", roles: admPlatformRO, menu: true, group: "adm"},
	{id: "admin_segments_edit", roles: admPlatform},
	{id: "admin_mo_routes", path: "/admin/mo-routes", roles: admPlatformRO, menu: true, group: "adm"}, // admin_mo.go
	{id: "admin_mo_routes_edit", roles: admPlatform},
	{id: "admin_subscriptions", path: "/admin/subscriptions", roles: everyRole, menu: true, group: "adm"}, // admin_subs.go
	{id: "admin_subscriptions_edit", roles: admManagers},
	{id: "admin_sub_services_edit", roles: admPlatform},
	{id: "admin_refusals", path: "/admin/refusals", roles: everyRole, menu: true, group: "adm"}, // admin_refusals.go
	{id: "admin_audit", path: "/admin/audit", roles: admOverseers, menu: true, group: "adm"},
}

func pageByID(id string) (page, bool) {
	for _, p := range pages {
		if p.id == id {
			return p, true
		}
	}
	return page{}, false
}

func (p page) allows(role string) bool {
	return slices.Contains(p.roles, anyRole) || slices.Contains(p.roles, role)
}

// menuItem is a menu entry as templates show it.
type menuItem struct {
	Path, Label, Desc string
	Active            bool
	Group             string // a group's heading, on its first entry
}

// menuFor lists the pages a role may open, in table order.
func menuFor(role, active string, m msgs) []menuItem {
	var out []menuItem
	group := ""
	for _, p := range pages {
		if p.menu && p.allows(role) {
			it := menuItem{Path: p.path, Label: m.T("nav." + p.id), Active: p.id == active}
			if p.desc != "" {
				it.Desc = m.T(p.desc)
			}
			if p.group != "" && p.group != group {
				it.Group = m.T(catKey("nav", "group", p.group))
			}
			group = p.group
			out = append(out, it)
		}
	}
	return out
}
