package api

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Customer information (A9) beyond list, save and delete: one record,
// its edit in place, imports (JSON or a file), the statistics of the
// scope and the survey keywords whose SMS replies create records — the
// console's /customers with its scope rule.

// scopedCustomer reads the record of the path; out of scope is 404.
func (s *Server) scopedCustomer(w http.ResponseWriter, r *http.Request, wh *who) (*store.Customer, bool) {
	c, err := s.core.Store().GetCustomer(r.Context(), pathID(r))
	if err == nil && !wh.sc.Org(c.OrgID) {
		err = store.ErrNotFound
	}
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	return c, true
}

func customerAudit(c *store.Customer) map[string]any {
	return map[string]any{"phone": c.Phone, "name": c.Name, "occupation": c.Occupation, "age": c.Age, "income": c.Income, "fields": c.Fields}
}

func (s *Server) adminCustomer(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	if c, ok := s.scopedCustomer(w, r, wh); ok {
		writeJSON(w, http.StatusOK, wh.customerJSON(c))
	}
}

// adminPatchCustomer edits a record in place: the members given change
// (fields replaces the custom fields whole); a phone another record of
// the organisation has is 409.
func (s *Server) adminPatchCustomer(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		Phone      *string            `json:"phone"`
		Name       *string            `json:"name"`
		Occupation *string            `json:"occupation"`
		Age        *int               `json:"age"`
		Income     *string            `json:"income"`
		Fields     *map[string]string `json:"fields"`
	}
	wh, ok := s.bodyAndWho(w, r, u, &body)
	if !ok {
		return
	}
	var err error
	c, ok := s.scopedCustomer(w, r, wh)
	if !ok {
		return
	}
	before := customerAudit(c)
	if body.Phone != nil {
		if c.Phone, err = sms.NormalizeNumber(*body.Phone); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_customer", "phone: "+err.Error())
			return
		}
	}
	for p, v := range map[*string]*string{&c.Name: body.Name, &c.Occupation: body.Occupation, &c.Income: body.Income} {
		if v != nil {
			*p = strings.TrimSpace(*v)
		}
	}
	if body.Age != nil {
		if *body.Age < 0 || *body.Age > 120 {
			writeError(w, http.StatusBadRequest, "invalid_customer", "age must be 1 to 120 (0: unknown)")
			return
		}
		c.Age = *body.Age
	}
	if body.Fields != nil {
		c.Fields = cleanFields(*body.Fields)
	}
	c.UpdatedAt = time.Time{} // the store stamps now
	r = libAudit(r, u, "update", "customer", c.ID, c.OrgID, before, func(*store.AuditEntry) any { return customerAudit(c) })
	if err := s.core.Store().UpdateCustomer(r.Context(), c); err != nil {
		s.writeDupOr(w, r, err, "the organisation has a record of this phone")
		return
	}
	writeJSON(w, http.StatusOK, wh.customerJSON(c))
}

// cleanFields trims custom fields, dropping those without a name.
func cleanFields(in map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		if k = strings.TrimSpace(k); k != "" {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// customerIn is one record of a JSON import.
type customerIn struct {
	Phone      string            `json:"phone"`
	Name       string            `json:"name"`
	Occupation string            `json:"occupation"`
	Age        int               `json:"age"`
	Income     string            `json:"income"`
	Fields     map[string]string `json:"fields"`
}

// adminImportCustomers adds or updates records (by phone) for the
// caller's organisation: a JSON list (all or nothing) or a CSV/TXT file
// of phone, name, occupation, age, income per row, further columns being
// custom fields named by the header row (the console's import: bad rows
// are listed, the others stored).
func (s *Server) adminImportCustomers(w http.ResponseWriter, r *http.Request, u *store.User) {
	res := &importResult{Invalid: []badRow{}}
	var cs []*store.Customer
	record := func(in customerIn, source string) (*store.Customer, string) {
		n, err := sms.NormalizeNumber(in.Phone)
		if err != nil {
			return nil, "phone: " + err.Error()
		}
		if in.Age < 0 || in.Age > 120 {
			return nil, "age must be 1 to 120 (0: unknown)"
		}
		c := &store.Customer{OrgID: u.OrgID, Phone: n, Name: strings.TrimSpace(in.Name), Occupation: strings.TrimSpace(in.Occupation),
			Age: in.Age, Income: strings.TrimSpace(in.Income), Source: source}
		if len(in.Fields) > 0 {
			c.Fields = cleanFields(in.Fields)
		}
		return c, ""
	}
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
		var header []string
		rows := 0
		err := f.rows(func(bodyLine int, cells []string) error {
			line := bodyLine + start - 1
			cell := func(i int) string {
				if i < len(cells) {
					return cells[i]
				}
				return ""
			}
			if _, err := sms.NormalizeNumber(cell(0)); err != nil && isHeader(bodyLine, cell(0)) {
				header = slices.Clone(cells)
				return nil
			}
			if rows++; rows > maxImportRows {
				return &fileError{"too_many_rows", fmt.Sprintf("the file has over %d rows: split it", maxImportRows)}
			}
			in := customerIn{Phone: cell(0), Name: cell(1), Occupation: cell(2), Income: cell(4), Fields: map[string]string{}}
			if a := cell(3); a != "" {
				n, err := strconv.Atoi(a)
				if err != nil || n < 1 {
					res.bad(line, strings.Join(cells, ","), "age must be 1 to 120")
					return nil
				}
				in.Age = n
			}
			for i := 5; i < len(cells) && i < len(header); i++ {
				if header[i] != "" && cells[i] != "" {
					in.Fields[header[i]] = cells[i]
				}
			}
			c, why := record(in, "import")
			if why != "" {
				res.bad(line, strings.Join(cells, ","), why)
				return nil
			}
			cs = append(cs, c)
			return nil
		})
		if err != nil {
			s.writeFileErr(w, r, err)
			return
		}
	} else {
		var body []customerIn
		dec := json.NewDecoder(io.LimitReader(r.Body, maxImportBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_json", "request body is not a JSON list of records: "+err.Error())
			return
		}
		if len(body) == 0 || len(body) > maxJSONImport {
			writeError(w, http.StatusBadRequest, "invalid_customers", fmt.Sprintf("give 1 to %d records (send a file for more)", maxJSONImport))
			return
		}
		for i, in := range body {
			c, why := record(in, "api")
			if why != "" {
				res.bad(i+1, in.Phone, why)
				continue
			}
			cs = append(cs, c)
		}
		if res.InvalidCount > 0 {
			refuseInvalid(w, "invalid_customers", "records", res)
			return
		}
	}
	if len(cs) == 0 {
		refuseInvalid(w, "invalid_customers", "rows and no record", res)
		return
	}
	for i := 0; i < len(cs); i += maxJSONImport {
		part := cs[i:min(i+maxJSONImport, len(cs))]
		phones := make([]string, len(part))
		for j, c := range part {
			phones[j] = c.Phone
		}
		rc := libAudit(r, u, "import", "customer", 0, u.OrgID, nil, func(*store.AuditEntry) any {
			return map[string]any{"phones": auditNumbers(phones), "count": len(part)}
		})
		n, err := s.core.Store().SaveCustomers(rc.Context(), part)
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		res.Added += n
	}
	res.Updated = len(cs) - res.Added
	s.log.Info("admin: customers imported", "user", u.Username, "file", file, "added", res.Added, "invalid", res.InvalidCount)
	writeJSON(w, http.StatusOK, res)
}

// adminCustomerStats counts the records in scope: by occupation, age
// band and income ("" = not given).
func (s *Server) adminCustomerStats(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	st, err := s.core.Store().CustomerStats(r.Context(), wh.sc.OrgIDs())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	or := func(m map[string]int64) map[string]int64 {
		if m == nil {
			return map[string]int64{}
		}
		return maps.Clone(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": st.Total, "by_occupation": or(st.ByOccupation), "by_age": or(st.ByAge), "by_income": or(st.ByIncome)})
}

// ---- survey keywords ----

func (wh *who) surveyJSON(sv *store.Survey) map[string]any {
	return map[string]any{"id": id(sv.ID), "org_id": optID(sv.OrgID), "org": wh.orgCode(sv.OrgID), "keyword": sv.Keyword,
		"reply": sv.Reply, "created_at": ts(sv.CreatedAt)}
}

func (s *Server) adminSurveys(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	svs, err := s.core.Store().Surveys(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, sv := range svs {
		if wh.sc.Org(sv.OrgID) {
			out = append(out, wh.surveyJSON(sv))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"surveys": out})
}

// adminCreateSurvey adds a keyword for the caller's organisation: its
// first word, normalised as MO keywords are ("dc" = "ＤＣ" = "DC").
func (s *Server) adminCreateSurvey(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		Keyword string `json:"keyword"`
		Reply   string `json:"reply"`
	}
	wh, ok := s.bodyAndWho(w, r, u, &body)
	if !ok {
		return
	}
	sv := &store.Survey{OrgID: u.OrgID, Keyword: core.MOKeyword(body.Keyword), Reply: strings.TrimSpace(body.Reply)}
	if sv.Keyword == "" {
		writeError(w, http.StatusBadRequest, "invalid_survey", "give the keyword users reply with")
		return
	}
	r = libAudit(r, u, "create", "survey", 0, sv.OrgID, nil, func(e *store.AuditEntry) any {
		e.ObjectID = id(sv.ID)
		return map[string]any{"keyword": sv.Keyword, "reply": sv.Reply, "org_id": optID(sv.OrgID)}
	})
	if err := s.core.Store().CreateSurvey(r.Context(), sv); err != nil {
		s.writeDupOr(w, r, err, "your organisation has this keyword")
		return
	}
	s.core.ForgetSurveys()
	writeJSON(w, http.StatusCreated, wh.surveyJSON(sv))
}

func (s *Server) adminDeleteSurvey(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	svs, err := s.core.Store().Surveys(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	i := slices.IndexFunc(svs, func(sv *store.Survey) bool { return sv.ID == pathID(r) && wh.sc.Org(sv.OrgID) })
	if i < 0 {
		writeError(w, http.StatusNotFound, "not_found", "not found")
		return
	}
	sv := svs[i]
	r = libAudit(r, u, "delete", "survey", sv.ID, sv.OrgID, map[string]any{"keyword": sv.Keyword, "reply": sv.Reply}, nil)
	if err := s.core.Store().DeleteSurvey(r.Context(), sv.ID); err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.core.ForgetSurveys()
	w.WriteHeader(http.StatusNoContent)
}
