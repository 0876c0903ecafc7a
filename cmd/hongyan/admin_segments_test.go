package main

import (
	"strings"
	"testing"
)

func TestAdminSegmentCommands(t *testing.T) {
	sb := adminSandbox(t)
	out := mustAdmin(t, "segment", "set", "1390", "cucc")
	mustContainAll(t, "segment set", out, "1390 now goes to cucc")
	if op := sb.Core.Segments().Operator("13900139000"); op != "cucc" {
		t.Fatalf("13900139000 routes to %q after segment set", op)
	}
	out = mustAdmin(t, "segment", "set", "1390", "cucc")
	mustContainAll(t, "segment set again", out, "already: nothing changed")
	out = mustAdmin(t, "segment", "list")
	mustContainAll(t, "segment list", out, "PREFIX", "1390", "cucc", "edited by")
	out = mustAdmin(t, "segment", "list", "--all")
	mustContainAll(t, "segment list --all", out, "1349", "ctcc", "1390")
	out = mustAdmin(t, "ported", "set", "13800138000", "ctcc")
	mustContainAll(t, "ported set", out, "13800138000 now goes to ctcc")
	out = mustAdmin(t, "ported", "list")
	mustContainAll(t, "ported list", out, "NUMBER", "13800138000", "ctcc")
	mustContainAll(t, "ported remove", mustAdmin(t, "ported", "remove", "13800138000"), "removed 13800138000")
	mustContainAll(t, "segment remove", mustAdmin(t, "segment", "remove", "1390"), "removed 1390")
	if op := sb.Core.Segments().Operator("13900139000"); op != "cmcc" {
		t.Fatalf("13900139000 routes to %q after the edit was removed", op)
	}
	for _, args := range [][]string{
		{"segment", "set", "12", "cucc"},
		{"segment", "set", "1390", "unicom"},
		{"segment", "set", "1390"},
		{"segment", "remove", "1999"},
		{"ported", "set", "123", "cmcc"},
		{"segment", "frobnicate"},
	} {
		if _, err := admin(t, args...); err == nil {
			t.Errorf("hongyan admin %s: no error", strings.Join(args, " "))
		}
	}
}
