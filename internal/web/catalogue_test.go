package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"hongyan/internal/gateway"
)

// Both languages have every key, and every key the templates and the code
// use exists.
func TestCatalogueComplete(t *testing.T) {
	for _, l := range languages {
		for _, other := range languages {
			for k := range catalogue[other] {
				if _, ok := catalogue[l][k]; !ok {
					t.Errorf("language %s lacks %q (%s has it)", l, k, other)
				}
			}
		}
	}
	prefixes := map[string]bool{}
	for k := range catalogue[languages[0]] {
		prefixes[strings.SplitN(k, ".", 2)[0]] = true
	}
	used := map[string]bool{}
	collect := func(glob string, re *regexp.Regexp) {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if prefixes[strings.SplitN(m[1], ".", 2)[0]] {
					used[m[1]] = true
				}
			}
		}
	}
	collect("templates/*.html", regexp.MustCompile(`\.Tf?\s+"([^"]+)"`))
	collect("*.go", regexp.MustCompile(`"([a-z]+\.[a-z_.]+)"`))
	for _, p := range pages {
		used["nav."+p.id] = true
		if p.desc != "" {
			used[p.desc] = true
		}
	}
	for _, op := range []string{gateway.CMCC, gateway.CUCC, gateway.CTCC, gateway.CBN, gateway.Intl} {
		used["op."+op] = true
	}
	for _, l := range languages {
		used["lang."+l] = true
	}
	if len(used) < 40 {
		t.Fatalf("found only %d keys in use: is the pattern stale?", len(used))
	}
	for k := range used {
		if _, ok := catalogue[languages[0]][k]; !ok {
			t.Errorf("key %q is used but not in the catalogue", k)
		}
	}
}

// Templates carry no text of their own: every visible string comes from
// the catalogue, so no Chinese (or English) is hard-coded in them.
func TestTemplatesHaveNoChinese(t *testing.T) {
	files, _ := filepath.Glob("templates/*.html")
	files = append(files, "static/gateways.js")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range string(b) {
			if unicode.Is(unicode.Han, r) {
				t.Errorf("%s: Chinese text at byte %d; put it in the catalogue", f, i)
				break
			}
		}
	}
	if !slices.Equal(languages, []string{"zh", "en"}) {
		t.Errorf("languages = %v: Chinese must stay the default", languages)
	}
}
