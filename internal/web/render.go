package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
)

// Everything the browser loads comes from the binary: templates, CSS, the
// script and the icon. Nothing is fetched from another server (no CDN, no
// web fonts), and the Content-Security-Policy keeps it that way.
//
//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// templates holds one set per page: the page's file plus the layout.
var templates = parseTemplates()

func parseTemplates() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := n[len("templates/") : len(n)-len(".html")]
		if base == "layout" {
			continue
		}
		out[base] = template.Must(template.ParseFS(templateFS, "templates/layout.html", n))
	}
	return out
}

// staticVersion changes whenever a static file does; asset URLs carry it so
// browsers may cache them for long and still never use a stale one.
var staticVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFS.ReadFile(p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// view is what every template sees. Strings come through T and Tf.
type view struct {
	msgs
	Lang  string
	Langs []langLink
	Page  string // page id, for the active menu entry
	Title string
	User  *viewUser
	CSRF  string // the session's token, for the logout form and any other POST
	Menu  []menuItem
	Flash string // a message above the content
	Error bool   // Flash is an error
	Data  any
}

type viewUser struct{ Name, Role string }

type langLink struct {
	Label, Href string
	Active      bool
}

// Static is the versioned URL of a file under static/.
func (v *view) Static(name string) string { return "/static/" + name + "?v=" + staticVersion }

// newView starts the view of a request in its language.
func newView(r *http.Request, pageID, titleKey string) *view {
	lang := langOf(r)
	m := msgs(catalogue[lang])
	v := &view{msgs: m, Lang: lang, Page: pageID, Title: m.T(titleKey)}
	for _, l := range languages {
		v.Langs = append(v.Langs, langLink{Label: m.T("lang." + l), Href: "?lang=" + l, Active: l == lang})
	}
	return v
}

// withSession fills in the user, the menu and the CSRF token.
func (v *view) withSession(s session) *view {
	role := v.T("role." + s.role)
	if role == "[role."+s.role+"]" {
		role = s.role // a role the catalogue does not name yet
	}
	v.User = &viewUser{Name: s.username, Role: role}
	v.CSRF = s.csrf
	v.Menu = menuFor(s.role, v.Page, v.msgs)
	return v
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t, ok := templates[name]
	var buf bytes.Buffer
	if !ok {
		s.log.Error("console: no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("console: render", "template", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// serveStatic serves the embedded static files; their URLs are versioned,
// so they may be cached for a long time.
func serveStatic() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(sub)
	return http.StripPrefix("/static", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	}))
}
