package main

import (
	"context"
	"strings"
	"testing"

	"hongyan/internal/app"
	"hongyan/internal/store"
)

func TestAdminSubscriptionCommands(t *testing.T) {
	sb := adminSandbox(t)
	ctx := context.Background()
	mustAdmin(t, "business", "add", "news", "--name", "新闻早报", "--charge-mode", "monthly", "--monthly-fee", "3", "--charge-on", "submitted")
	out := mustAdmin(t, "subscription", "service", "set", "news", "--code", "１００１", "--account", app.SandboxAccount)
	mustContainAll(t, "service set", out, "news is a subscription service", "DG1001", "TD1001", "provider "+app.SandboxAccount)
	out = mustAdmin(t, "subscription", "add", "news", "13800138000")
	mustContainAll(t, "add", out, "13800138000 subscribed to news")
	out = mustAdmin(t, "subscription", "add", "news", "+8613800138000")
	mustContainAll(t, "add again", out, "already: nothing changed")
	mustAdmin(t, "subscription", "add", "news", "13800138001")
	out = mustAdmin(t, "subscription", "services")
	mustContainAll(t, "services", out, "news", "1001", app.SandboxAccount, "2")

	out = mustAdmin(t, "subscription", "push", "news", "今日新闻")
	mustContainAll(t, "push", out, "to 2 subscriber(s) of news in 1 batch(es); 0 refused")
	out = mustAdmin(t, "subscription", "list", "--business", "news")
	mustContainAll(t, "list", out, "13800138000", "active", "admin", "3.000 (monthly fee)")

	out = mustAdmin(t, "subscription", "remove", "news", "13800138000")
	mustContainAll(t, "remove", out, "13800138000 unsubscribed from news")
	out = mustAdmin(t, "subscription", "list", "--state", "cancelled")
	if !strings.Contains(out, "13800138000") || strings.Contains(out, "13800138001") {
		t.Fatalf("cancelled list:\n%s", out)
	}
	xs, err := sb.Store.Subscriptions(ctx, store.SubQuery{Business: "news", State: "active"})
	if err != nil || len(xs) != 1 || xs[0].Number != "13800138001" {
		t.Fatalf("stored %v %v", xs, err)
	}

	// Mistakes.
	for _, args := range [][]string{
		{"subscription", "add", "news"},
		{"subscription", "add", "nothing", "13800138000"},
		{"subscription", "add", "news", "123"},
		{"subscription", "push", "news"},
		{"subscription", "service", "set", "news", "--code", "1001"},
		{"subscription", "service", "remove", "news"}, // it has a subscriber
		{"subscription", "frobnicate"},
	} {
		if _, err := admin(t, args...); err == nil {
			t.Errorf("hongyan admin %s: no error", strings.Join(args, " "))
		}
	}
	mustAdmin(t, "subscription", "remove", "news", "13800138001")
	out = mustAdmin(t, "subscription", "service", "remove", "news")
	mustContainAll(t, "service remove", out, "removed news")
}
