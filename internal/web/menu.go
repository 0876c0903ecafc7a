package web

import (
	"slices"

	"hongyan/internal/store"
)

// anyRole marks a page every logged-in user may open.
const anyRole = "*"

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
}

var pages = []page{
	{id: "home", path: "/", roles: []string{anyRole}, menu: true},
	{id: "send", path: "/send", roles: []string{store.RolePlatformAdmin}, menu: true, desc: "home.send.desc"},
	{id: "reports", path: "/reports", roles: []string{store.RolePlatformAdmin}, menu: true, desc: "home.reports.desc"},
	{id: "gateways", path: "/gateways", roles: []string{store.RolePlatformAdmin}, menu: true, desc: "home.gateways.desc"},
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
}

// menuFor lists the pages a role may open, in table order.
func menuFor(role, active string, m msgs) []menuItem {
	var out []menuItem
	for _, p := range pages {
		if p.menu && p.allows(role) {
			it := menuItem{Path: p.path, Label: m.T("nav." + p.id), Active: p.id == active}
			if p.desc != "" {
				it.Desc = m.T(p.desc)
			}
			out = append(out, it)
		}
	}
	return out
}
