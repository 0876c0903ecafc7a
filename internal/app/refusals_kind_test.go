package app

import (
	"net/http"
	"strconv"
	"testing"
)

// The refusals list filters by kind in the store (?kind=), so a rare kind
// is found however many refusals of other kinds came after it.
func TestRefusalsFilteredByKind(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	if st, m := call(t, sb, "POST", "/api/v1/admin/filter-words", `{"word":"赌博"}`, sb.AdminToken); st != http.StatusCreated {
		t.Fatalf("add a word: %d %v", st, m)
	}
	if st, m := call(t, sb, "POST", "/api/v1/admin/blacklist", `{"numbers":["13700137000"]}`, sb.AdminToken); st >= 300 {
		t.Fatalf("blacklist: %d %v", st, m)
	}
	if st, _ := call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"来赌博"}`, sb.APIKey); st != http.StatusUnprocessableEntity {
		t.Fatalf("filtered send: %d", st)
	}
	for range 3 {
		if st, _ := call(t, sb, "POST", "/api/v1/messages", `{"to":["13700137000"],"content":"通知"}`, sb.APIKey); st != http.StatusUnprocessableEntity {
			t.Fatalf("blacklisted send: %d", st)
		}
	}
	for kind, want := range map[string]int{"content_filtered": 1, "blacklisted": 3, "frequency_limited": 0} {
		_, m := call(t, sb, "GET", "/api/v1/admin/refusals?kind="+kind+"&limit=1000", "", sb.AdminToken)
		rs := list(m, "refusals")
		if len(rs) != want {
			t.Fatalf("kind %s: %d refusals, want %d: %v", kind, len(rs), want, rs)
		}
		for _, r := range rs {
			if r["kind"] != kind {
				t.Fatalf("kind %s: got %v", kind, r)
			}
		}
	}
	// Within an account's scope too.
	_, m := call(t, sb, "GET", "/api/v1/admin/refusals?kind=blacklisted&limit=2&account_id="+strconv.FormatInt(sb.Account.ID, 10), "", sb.AdminToken)
	if rs := list(m, "refusals"); len(rs) != 2 {
		t.Fatalf("one account, kind and limit: %v", rs)
	}
}
