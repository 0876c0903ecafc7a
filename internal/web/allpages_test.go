package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"hongyan/internal/store"
	"hongyan/internal/web"
)

// Every page a person reaches from the menu, for every role, in both
// languages: it opens (200), every word on it is in the catalogue (a
// missing key shows as "[key]"), no template or format slip shows through
// ("<no value>", "%!d(…)"). The
// menu is read from the landing page, so a page added to the menu later
// is checked without touching this test.
func TestEveryMenuPageRenders(t *testing.T) {
	if n := len(zhWords()); n < 200 {
		t.Fatalf("only %d Chinese words to look for", n)
	}
	srv := adminConsole(t)
	w := newWorld(t)
	roles := []struct {
		what string
		role string
		org  *store.Org
		acct *store.Account
	}{
		{"platform admin", store.RolePlatformAdmin, nil, nil},
		{"province admin", store.RoleOrgAdmin, w.prov, nil},
		{"county operator", store.RoleOperator, w.county, nil},
		{"city auditor", store.RoleAuditor, w.city, nil},
		{"partner", store.RolePartner, nil, w.partner},
	}
	for _, rc := range roles {
		t.Run(strings.ReplaceAll(rc.what, " ", "_"), func(t *testing.T) {
			b, _ := loggedIn(t, srv, rc.role, rc.org, rc.acct)
			home := b.get("/")
			if home.Status != http.StatusOK {
				t.Fatalf("landing page = %d", home.Status)
			}
			links := menuLinks(home.Body)
			if len(links) < 3 {
				t.Fatalf("menu of a %s has %d links: %v", rc.what, len(links), links)
			}
			for _, lang := range []string{"zh", "en"} {
				if p := b.get("/?lang=" + lang); p.Status != http.StatusSeeOther {
					t.Fatalf("language switch to %s = %d", lang, p.Status)
				}
				for _, path := range links {
					p := b.get(path)
					what := rc.what + " " + lang + " " + path
					if p.Status != http.StatusOK {
						t.Errorf("%s = %d: %.300s", what, p.Status, p.Body)
						continue
					}
					checkRendered(t, what, p.Body)
					if lang == "en" {
						if w := chineseWord(visibleText(p.Body)); w != "" {
							t.Errorf("%s: a Chinese word of the console on the English page: %q", what, w)
						}
					}
				}
			}
		})
	}
}

var (
	menuRe    = regexp.MustCompile(`(?s)<nav class="menu"[^>]*>(.*?)</nav>`)
	hrefRe    = regexp.MustCompile(`href="(/[^"]*)"`)
	missingRe = regexp.MustCompile(`\[[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\]`)
	tagRe     = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)
	hanRe     = regexp.MustCompile(`\p{Han}+`)
)

// menuLinks lists the paths of the menu on a page.
func menuLinks(body string) []string {
	m := menuRe.FindStringSubmatch(body)
	if m == nil {
		return nil
	}
	var out []string
	for _, h := range hrefRe.FindAllStringSubmatch(m[1], -1) {
		out = append(out, h[1])
	}
	return out
}

func checkRendered(t *testing.T, what, body string) {
	t.Helper()
	if k := missingRe.FindString(body); k != "" {
		t.Errorf("%s: a word missing from the catalogue: %s", what, k)
	}
	for _, slip := range []string{"<no value>", "%!"} {
		if strings.Contains(body, slip) {
			i := strings.Index(body, slip)
			t.Errorf("%s shows %q: …%s…", what, slip, body[max(0, i-120):min(len(body), i+80)])
		}
	}
}

// visibleText is a page's text without tags, scripts and styles.
func visibleText(body string) string { return tagRe.ReplaceAllString(body, " ") }

// zhWords are the console's Chinese words of three characters or more
// that are not English words too (names like 中文 are both); data on a page
// (business type names, templates) may be Chinese in either language.
var zhWords = sync.OnceValue(func() []string {
	en := map[string]bool{}
	for _, w := range web.CatalogueWords("en") {
		en[w] = true
	}
	var out []string
	for _, w := range web.CatalogueWords("zh") {
		if !en[w] && utf8.RuneCountInString(w) >= 3 && !strings.ContainsAny(w, "%{<") && hanRe.MatchString(w) {
			out = append(out, w)
		}
	}
	return out
})

// chineseWord returns a word of the Chinese catalogue found in text.
func chineseWord(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	for _, w := range zhWords() {
		if strings.Contains(text, w) {
			return w
		}
	}
	return ""
}
