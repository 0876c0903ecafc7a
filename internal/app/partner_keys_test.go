package app

import (
	"net/http"
	"strconv"
	"testing"
)

// A partner manages its own account's API keys (self-service, P4) — and
// only its own: another account is out of its scope.
func TestPartnerManagesOwnKeys(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	partner, err := sb.Store.AccountByName(t.Context(), DemoPartner)
	if err != nil {
		t.Fatal(err)
	}
	own := "/api/v1/admin/accounts/" + strconv.FormatInt(partner.ID, 10) + "/keys"
	st, k := call(t, sb, "POST", own, `{}`, tok["partner"])
	key, _ := k["key"].(string)
	if st != http.StatusCreated || key == "" {
		t.Fatalf("partner creates its key: %d %v", st, k)
	}
	// The new key sends as the partner.
	if st, m := call(t, sb, "GET", "/api/v1/account", "", key); st != http.StatusOK || m["name"] != DemoPartner {
		t.Fatalf("the new key: %d %v", st, m)
	}
	other := "/api/v1/admin/accounts/" + strconv.FormatInt(sb.Account.ID, 10) + "/keys"
	if st, m := call(t, sb, "POST", other, `{}`, tok["partner"]); st != http.StatusNotFound && st != http.StatusForbidden {
		t.Fatalf("partner creates a key for another account: %d %v", st, m)
	}
	if st := del(t, sb, own+"/"+key[:8], tok["partner"]); st != http.StatusOK && st != http.StatusNoContent {
		t.Fatalf("partner revokes its key: %d", st)
	}
	if st, _ := call(t, sb, "GET", "/api/v1/account", "", key); st != http.StatusUnauthorized {
		t.Fatalf("a revoked key still works: %d", st)
	}
	// Operators and auditors still only read keys.
	if st, m := call(t, sb, "POST", own, `{}`, tok["auditor"]); st != http.StatusForbidden || errCode(m) != "forbidden" {
		t.Fatalf("auditor creates a key: %d %v", st, m)
	}
}
