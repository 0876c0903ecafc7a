package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Editing the number library (A5): a category's name and note, the
// organisations it is granted to, its numbers (JSON or a file), one
// number's removal, and numbers from past traffic — the console's
// /library actions with its rule: only a category owned in the caller's
// scope changes; one merely granted to it is read (403), one outside it is
// absent (404).

// ownCategory reads the category of the path for a change.
func (s *Server) ownCategory(w http.ResponseWriter, r *http.Request, wh *who) (*store.NumberCategory, bool) {
	st := s.core.Store()
	c, err := st.NumberCategory(r.Context(), pathID(r))
	if err == nil && !wh.sc.Org(c.OrgID) {
		var grants map[int64][]int64
		if grants, err = st.NumberGrants(r.Context()); err == nil {
			if slices.ContainsFunc(grants[c.ID], wh.sc.Org) {
				writeError(w, http.StatusForbidden, "forbidden", "the category is granted to your organisation: only its owner changes it")
				return nil, false
			}
			err = store.ErrNotFound
		}
	}
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	return c, true
}

func categoryAudit(c *store.NumberCategory) map[string]any {
	return map[string]any{"name": c.Name, "note": c.Note, "org_id": optID(c.OrgID)}
}

// adminPatchNumberCategory renames a category or changes its note.
func (s *Server) adminPatchNumberCategory(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		Name *string `json:"name"`
		Note *string `json:"note"`
	}
	wh, ok := s.bodyAndWho(w, r, u, &body)
	if !ok {
		return
	}
	c, ok := s.ownCategory(w, r, wh)
	if !ok {
		return
	}
	before := categoryAudit(c)
	if body.Name != nil {
		c.Name = strings.TrimSpace(*body.Name)
	}
	if body.Note != nil {
		c.Note = strings.TrimSpace(*body.Note)
	}
	if c.Name == "" {
		writeError(w, http.StatusBadRequest, "invalid_category", "give the category's name")
		return
	}
	r = libAudit(r, u, "update", "number_category", c.ID, c.OrgID, before, func(*store.AuditEntry) any { return categoryAudit(c) })
	if err := s.core.Store().UpdateNumberCategory(r.Context(), c); err != nil {
		s.writeDupOr(w, r, err, "the organisation has a category of this name")
		return
	}
	grants, err := s.core.Store().NumberGrants(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wh.categoryJSON(c, grants[c.ID]))
}

// adminCategoryGrants lists the organisations a visible category is granted to.
func (s *Server) adminCategoryGrants(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	cats, grants, err := s.visibleCategories(r, wh)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	i := slices.IndexFunc(cats, func(c *store.NumberCategory) bool { return c.ID == pathID(r) })
	if i < 0 {
		writeError(w, http.StatusNotFound, "not_found", "no such category in your scope")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"category_id": id(cats[i].ID), "orgs": wh.orgCodes(grants[cats[i].ID])})
}

func (wh *who) orgCodes(ids []int64) []string {
	out := []string{}
	for _, o := range ids {
		out = append(out, wh.orgCode(o))
	}
	return out
}

// adminSetCategoryGrants replaces the organisations (codes) a category is
// granted to; any organisation of the tree may be given, as in the console.
func (s *Server) adminSetCategoryGrants(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		Orgs []string `json:"orgs"`
	}
	wh, ok := s.bodyAndWho(w, r, u, &body)
	if !ok {
		return
	}
	c, ok := s.ownCategory(w, r, wh)
	if !ok {
		return
	}
	orgs, err := s.core.Store().Orgs(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	byCode := map[string]int64{}
	for _, o := range orgs {
		byCode[strings.ToUpper(o.Code)] = o.ID
	}
	ids := []int64{}
	var unknown []string
	for _, code := range body.Orgs {
		o, ok := byCode[strings.ToUpper(strings.TrimSpace(code))]
		switch {
		case !ok:
			unknown = append(unknown, code)
		case !slices.Contains(ids, o):
			ids = append(ids, o)
		}
	}
	if len(unknown) > 0 {
		writeError(w, http.StatusBadRequest, "invalid_org", "no such organisation: "+strings.Join(unknown, ", "))
		return
	}
	slices.Sort(ids)
	grants, err := s.core.Store().NumberGrants(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	r = libAudit(r, u, "grant", "number_category", c.ID, c.OrgID, map[string]any{"orgs": wh.orgCodes(grants[c.ID])},
		func(*store.AuditEntry) any { return map[string]any{"orgs": wh.orgCodes(ids)} })
	if err := s.core.Store().SetNumberGrants(r.Context(), c.ID, ids); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"category_id": id(c.ID), "orgs": wh.orgCodes(ids)})
}

// numberIn is one number of a JSON import.
type numberIn struct {
	Number   string   `json:"number"`
	Province string   `json:"province"`
	City     string   `json:"city"`
	Tags     []string `json:"tags"`
}

// adminAddNumbers adds numbers to a category: a JSON list (all or
// nothing: one invalid number refuses the request) or a CSV/TXT file of
// number, province, city, tags (separated by |) per row (the console's
// import: bad rows are listed, the others stored; a file with no good
// row stores nothing).
func (s *Server) adminAddNumbers(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	c, ok := s.ownCategory(w, r, wh)
	if !ok {
		return
	}
	var es []store.NumberEntry
	res := &importResult{Invalid: []badRow{}}
	segs := s.core.Segments()
	entry := func(n string, in numberIn) store.NumberEntry {
		return store.NumberEntry{Number: n, Province: strings.TrimSpace(in.Province), City: strings.TrimSpace(in.City),
			Operator: segs.Operator(n), Tags: in.Tags}
	}
	seen := map[string]bool{}
	file := isFileImport(r)
	if file {
		start, ok := firstLine(r)
		if !ok {
			writeError(w, http.StatusBadRequest, "invalid_line", "line must be a positive line number")
			return
		}
		f, ok := readImportFile(w, r)
		if !ok {
			return
		}
		rows := 0
		err := f.rows(func(bodyLine int, cells []string) error {
			line := bodyLine + start - 1
			cell := func(i int) string {
				if i < len(cells) {
					return cells[i]
				}
				return ""
			}
			n, err := sms.NormalizeNumber(cell(0))
			switch {
			case err != nil && isHeader(bodyLine, cell(0)):
			case rows >= maxImportRows:
				return &fileError{"too_many_rows", fmt.Sprintf("the file has over %d rows: split it", maxImportRows)}
			case err != nil:
				rows++
				res.bad(line, cell(0), err.Error())
			default:
				rows++
				if !seen[n] {
					seen[n] = true
					es = append(es, entry(n, numberIn{Province: cell(1), City: cell(2), Tags: strings.Split(cell(3), "|")}))
				}
			}
			return nil
		})
		if err != nil {
			s.writeFileErr(w, r, err)
			return
		}
	} else {
		var body struct {
			Numbers []numberIn `json:"numbers"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, maxImportBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_json", "request body is not valid JSON of this endpoint: "+err.Error())
			return
		}
		if len(body.Numbers) == 0 || len(body.Numbers) > maxJSONImport {
			writeError(w, http.StatusBadRequest, "invalid_numbers", fmt.Sprintf("give 1 to %d numbers (send a file for more)", maxJSONImport))
			return
		}
		for i, in := range body.Numbers {
			n, err := sms.NormalizeNumber(in.Number)
			if err != nil {
				res.bad(i+1, in.Number, err.Error())
				continue
			}
			if !seen[n] {
				seen[n] = true
				es = append(es, entry(n, in))
			}
		}
		if res.InvalidCount > 0 {
			refuseInvalid(w, "invalid_numbers", "numbers", res)
			return
		}
	}
	if len(es) == 0 {
		refuseInvalid(w, "invalid_numbers", "rows and no number", res)
		return
	}
	for i := range es {
		es[i].CategoryID = c.ID
	}
	// In chunks of maxJSONImport, each its own transaction and audit
	// entry, so that other writers go on during a big file.
	for i := 0; i < len(es); i += maxJSONImport {
		part := es[i:min(i+maxJSONImport, len(es))]
		nums := make([]string, len(part))
		for j, e := range part {
			nums[j] = e.Number
		}
		rc := libAudit(r, u, "add_numbers", "number_category", c.ID, c.OrgID, nil, func(*store.AuditEntry) any {
			return map[string]any{"numbers": auditNumbers(nums), "count": len(part)}
		})
		added, err := s.core.Store().AddNumbers(rc.Context(), part)
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		res.Added += added
	}
	res.Updated = len(es) - res.Added
	s.log.Info("admin: numbers added", "user", u.Username, "category", c.ID, "file", file, "added", res.Added, "invalid", res.InvalidCount)
	writeJSON(w, http.StatusOK, res)
}

// adminRemoveNumber removes one number from a category.
func (s *Server) adminRemoveNumber(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	c, ok := s.ownCategory(w, r, wh)
	if !ok {
		return
	}
	n, err := sms.NormalizeNumber(r.PathValue("number"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_number", err.Error())
		return
	}
	r = libAudit(r, u, "remove_number", "number_category", c.ID, c.OrgID, map[string]any{"number": n}, nil)
	if err := s.core.Store().RemoveNumber(r.Context(), c.ID, n); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, "not_found", "the number is not in the category")
			return
		}
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminNumbersFromTraffic adds to a category the numbers that received a
// delivered message and/or replied in a period (days, until included),
// over the caller's accounts or those given (in scope).
func (s *Server) adminNumbersFromTraffic(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		From      string   `json:"from"`
		Until     string   `json:"until"`
		Delivered bool     `json:"delivered"`
		Replied   bool     `json:"replied"`
		Accounts  []idRef  `json:"accounts"`
		Tags      []string `json:"tags"`
	}
	if err := decodeStrict(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	loc := s.core.TimeZone()
	from, err1 := time.ParseInLocation(time.DateOnly, body.From, loc)
	until, err2 := time.ParseInLocation(time.DateOnly, body.Until, loc)
	switch {
	case err1 != nil || err2 != nil || until.Before(from):
		writeError(w, http.StatusBadRequest, "invalid_range", "give from and until as days (2026-11-01), until not before from")
		return
	case !body.Delivered && !body.Replied:
		writeError(w, http.StatusBadRequest, "invalid_source", "ask for delivered and/or replied numbers")
		return
	}
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var err error
	c, ok := s.ownCategory(w, r, wh)
	if !ok {
		return
	}
	var accts []int64 // nil: every account (the platform's scope)
	if len(body.Accounts) > 0 || !wh.sc.All() {
		all, err := s.core.Store().Accounts(r.Context())
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		accts = []int64{}
		for _, a := range all {
			if wh.sc.Account(a) && (len(body.Accounts) == 0 || slices.Contains(body.Accounts, idRef(a.ID))) {
				accts = append(accts, a.ID)
			}
		}
		for _, ref := range body.Accounts {
			if !slices.Contains(accts, int64(ref)) {
				outOfScope(w, "account "+id(int64(ref)))
				return
			}
		}
	}
	q := store.TrafficQuery{CategoryID: c.ID, AccountIDs: accts, From: from, Until: until.AddDate(0, 0, 1),
		Delivered: body.Delivered, Replied: body.Replied, Tags: body.Tags}
	var added int64
	r = libAudit(r, u, "add_traffic", "number_category", c.ID, c.OrgID, nil, func(*store.AuditEntry) any {
		return map[string]any{"from": body.From, "until": body.Until, "delivered": body.Delivered, "replied": body.Replied,
			"accounts": accts, "tags": body.Tags}
	})
	if added, err = s.core.Store().NumbersFromTraffic(r.Context(), q); err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.log.Info("admin: numbers from traffic", "user", u.Username, "category", c.ID, "added", added)
	writeJSON(w, http.StatusOK, map[string]any{"added": added})
}
