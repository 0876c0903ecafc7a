package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// The number library (A5), customer information (A9) and enterprise
// customers (A6) for `hongyan admin` and scripts (docs/api.md): list,
// create, delete — the console's pages (internal/web/library.go,
// customers.go, enterprises.go) with the same rule (their edits:
// library_numbers.go, library_customers.go, library_enterprises.go).
// Staff read what belongs to their organisation's subtree (and, for the library, the
// categories granted to it); platform administrators, organisation
// administrators and operators change it; a new object belongs to the
// caller's organisation. An object named in the path outside the scope is
// 404, as absent. Every change is audited in its transaction.

// libWriters change the library, customers and enterprises.
var libWriters = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator}

func (s *Server) libraryRoutes() []adminRoute {
	return []adminRoute{
		{"GET /api/v1/admin/library/categories", staff, s.adminNumberCategories},
		{"POST /api/v1/admin/library/categories", libWriters, s.adminCreateNumberCategory},
		{"PATCH /api/v1/admin/library/categories/{id}", libWriters, s.adminPatchNumberCategory}, // library_numbers.go
		{"DELETE /api/v1/admin/library/categories/{id}", libWriters, s.adminDeleteNumberCategory},
		{"GET /api/v1/admin/library/categories/{id}/grants", staff, s.adminCategoryGrants},
		{"PUT /api/v1/admin/library/categories/{id}/grants", libWriters, s.adminSetCategoryGrants},
		{"POST /api/v1/admin/library/categories/{id}/numbers", libWriters, s.adminAddNumbers},
		{"DELETE /api/v1/admin/library/categories/{id}/numbers/{number}", libWriters, s.adminRemoveNumber},
		{"POST /api/v1/admin/library/categories/{id}/traffic", libWriters, s.adminNumbersFromTraffic},
		{"GET /api/v1/admin/library/numbers", staff, s.adminSearchNumbers},
		{"GET /api/v1/admin/customers", staff, s.adminCustomers},
		{"POST /api/v1/admin/customers", libWriters, s.adminSaveCustomer},
		{"GET /api/v1/admin/customers/stats", staff, s.adminCustomerStats}, // library_customers.go
		{"POST /api/v1/admin/customers/import", libWriters, s.adminImportCustomers},
		{"GET /api/v1/admin/customers/{id}", staff, s.adminCustomer},
		{"PATCH /api/v1/admin/customers/{id}", libWriters, s.adminPatchCustomer},
		{"DELETE /api/v1/admin/customers/{id}", libWriters, s.adminDeleteCustomer},
		{"GET /api/v1/admin/surveys", staff, s.adminSurveys},
		{"POST /api/v1/admin/surveys", libWriters, s.adminCreateSurvey},
		{"DELETE /api/v1/admin/surveys/{id}", libWriters, s.adminDeleteSurvey},
		{"GET /api/v1/admin/enterprises", staff, s.adminEnterprises},
		{"POST /api/v1/admin/enterprises", libWriters, s.adminCreateEnterprise},
		{"PATCH /api/v1/admin/enterprises/{id}", libWriters, s.adminPatchEnterprise}, // library_enterprises.go
		{"GET /api/v1/admin/enterprises/{id}/report", staff, s.adminEnterpriseReport},
		{"DELETE /api/v1/admin/enterprises/{id}", libWriters, s.adminDeleteEnterprise},
	}
}

func pathID(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return n
}

func libAudit(r *http.Request, u *store.User, action, object string, objID, orgID int64, before any, after func(e *store.AuditEntry) any) *http.Request {
	e := store.AuditEntry{At: time.Now(), Action: action, Object: object, OrgID: orgID}
	if objID != 0 {
		e.ObjectID = id(objID)
	}
	return r.WithContext(audited(r.Context(), u, e, before, after))
}

// ---- the number library ----

func (wh *who) categoryJSON(c *store.NumberCategory, grants []int64) map[string]any {
	codes := []string{}
	for _, o := range grants {
		codes = append(codes, wh.orgCode(o))
	}
	return map[string]any{"id": id(c.ID), "org_id": optID(c.OrgID), "org": wh.orgCode(c.OrgID), "name": c.Name, "note": c.Note,
		"count": c.Count, "granted_to": codes, "own": wh.sc.Org(c.OrgID), "created_by": c.CreatedBy, "created_at": ts(c.CreatedAt)}
}

// visibleCategories are the categories owned in scope or granted to it.
func (s *Server) visibleCategories(r *http.Request, wh *who) ([]*store.NumberCategory, map[int64][]int64, error) {
	st := s.core.Store()
	cats, err := st.NumberCategories(r.Context())
	if err != nil {
		return nil, nil, err
	}
	grants, err := st.NumberGrants(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var out []*store.NumberCategory
	for _, c := range cats {
		if wh.sc.Org(c.OrgID) || slices.ContainsFunc(grants[c.ID], wh.sc.Org) {
			out = append(out, c)
		}
	}
	return out, grants, nil
}

func (s *Server) adminNumberCategories(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	cats, grants, err := s.visibleCategories(r, wh)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, c := range cats {
		out = append(out, wh.categoryJSON(c, grants[c.ID]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": out})
}

func (s *Server) adminCreateNumberCategory(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		Name string `json:"name"`
		Note string `json:"note"`
	}
	wh, ok := s.bodyAndWho(w, r, u, &body)
	if !ok {
		return
	}
	c := &store.NumberCategory{OrgID: u.OrgID, Name: strings.TrimSpace(body.Name), Note: strings.TrimSpace(body.Note), CreatedBy: u.Username}
	if c.Name == "" {
		writeError(w, http.StatusBadRequest, "invalid_category", "give the category's name")
		return
	}
	r = libAudit(r, u, "create", "number_category", 0, c.OrgID, nil, func(e *store.AuditEntry) any {
		e.ObjectID = id(c.ID)
		return map[string]any{"name": c.Name, "note": c.Note, "org_id": optID(c.OrgID)}
	})
	if err := s.core.Store().CreateNumberCategory(r.Context(), c); err != nil {
		s.writeDupOr(w, r, err, "your organisation has a category of this name")
		return
	}
	writeJSON(w, http.StatusCreated, wh.categoryJSON(c, nil))
}

func (s *Server) adminDeleteNumberCategory(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	c, ok := s.ownCategory(w, r, wh) // granted ones are only read
	if !ok {
		return
	}
	r = libAudit(r, u, "delete", "number_category", c.ID, c.OrgID, map[string]any{"name": c.Name, "note": c.Note, "count": c.Count}, nil)
	if err := s.core.Store().DeleteNumberCategory(r.Context(), c.ID); err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminSearchNumbers searches the visible categories: ?category=,
// ?province=, ?city=, ?tag=, ?prefix=, ?after= (paging), ?limit= (200).
func (s *Server) adminSearchNumbers(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	cats, _, err := s.visibleCategories(r, wh)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	p := r.URL.Query()
	q := store.NumberQuery{Province: p.Get("province"), City: p.Get("city"), Tag: p.Get("tag"), Prefix: p.Get("prefix"),
		After: p.Get("after"), Limit: limitParam(r, 200, 10000), CategoryIDs: []int64{}}
	want, _ := strconv.ParseInt(p.Get("category"), 10, 64)
	for _, c := range cats {
		if want == 0 || c.ID == want {
			q.CategoryIDs = append(q.CategoryIDs, c.ID)
		}
	}
	if p.Get("category") != "" && len(q.CategoryIDs) == 0 {
		writeError(w, http.StatusNotFound, "not_found", "no such category in your scope")
		return
	}
	out := []map[string]any{}
	if len(q.CategoryIDs) > 0 {
		es, err := s.core.Store().SearchNumbers(r.Context(), q)
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		for _, e := range es {
			out = append(out, map[string]any{"category_id": id(e.CategoryID), "number": e.Number, "province": e.Province,
				"city": e.City, "operator": e.Operator, "tags": nonNil(e.Tags)})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"numbers": out})
}

// ---- customers ----

func (wh *who) customerJSON(c *store.Customer) map[string]any {
	f := c.Fields
	if f == nil {
		f = map[string]string{}
	}
	return map[string]any{"id": id(c.ID), "org_id": optID(c.OrgID), "org": wh.orgCode(c.OrgID), "phone": c.Phone, "name": c.Name,
		"occupation": c.Occupation, "age": c.Age, "income": c.Income, "fields": f, "source": c.Source,
		"created_at": ts(c.CreatedAt), "updated_at": ts(c.UpdatedAt)}
}

// adminCustomers lists the records in scope, newest first: ?q= (phone,
// name or occupation), ?before= (an id: paging), ?limit= (100).
func (s *Server) adminCustomers(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	cs, err := s.core.Store().Customers(r.Context(), store.CustomerQuery{OrgIDs: wh.sc.OrgIDs(), Text: r.URL.Query().Get("q"),
		BeforeID: before, Limit: limitParam(r, 100, 10000)})
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, c := range cs {
		out = append(out, wh.customerJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": out})
}

// adminSaveCustomer adds a record, or updates the one of that phone.
func (s *Server) adminSaveCustomer(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		Phone      string            `json:"phone"`
		Name       string            `json:"name"`
		Occupation string            `json:"occupation"`
		Age        int               `json:"age"`
		Income     string            `json:"income"`
		Fields     map[string]string `json:"fields"`
	}
	wh, ok := s.bodyAndWho(w, r, u, &body)
	if !ok {
		return
	}
	phone, err := sms.NormalizeNumber(body.Phone)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_customer", "phone: "+err.Error())
		return
	}
	if body.Age < 0 || body.Age > 120 {
		writeError(w, http.StatusBadRequest, "invalid_customer", "age must be 1 to 120 (0: unknown)")
		return
	}
	c := &store.Customer{OrgID: u.OrgID, Phone: phone, Name: strings.TrimSpace(body.Name), Occupation: strings.TrimSpace(body.Occupation),
		Age: body.Age, Income: strings.TrimSpace(body.Income), Fields: body.Fields, Source: "api"}
	r = libAudit(r, u, "save", "customer", 0, c.OrgID, nil, func(e *store.AuditEntry) any {
		e.ObjectID = id(c.ID)
		return map[string]any{"phone": c.Phone, "name": c.Name, "occupation": c.Occupation, "age": c.Age, "income": c.Income}
	})
	n, err := s.core.Store().SaveCustomers(r.Context(), []*store.Customer{c})
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	status := http.StatusOK
	if n == 1 {
		status = http.StatusCreated
	}
	writeJSON(w, status, wh.customerJSON(c))
}

func (s *Server) adminDeleteCustomer(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	c, err := s.core.Store().GetCustomer(r.Context(), pathID(r))
	if err == nil && !wh.sc.Org(c.OrgID) {
		err = store.ErrNotFound
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	r = libAudit(r, u, "delete", "customer", c.ID, c.OrgID, map[string]any{"phone": c.Phone, "name": c.Name}, nil)
	if err := s.core.Store().DeleteCustomer(r.Context(), c.ID); err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- enterprise customers ----

func (wh *who) enterpriseJSON(e *store.Enterprise) map[string]any {
	accts := []string{}
	for _, a := range e.AccountIDs {
		accts = append(accts, id(a))
	}
	return map[string]any{"id": id(e.ID), "org_id": optID(e.OrgID), "org": wh.orgCode(e.OrgID), "name": e.Name, "contact": e.Contact,
		"phone": e.Phone, "address": e.Address, "note": e.Note, "accounts": accts, "created_at": ts(e.CreatedAt), "updated_at": ts(e.UpdatedAt)}
}

func enterpriseAudit(e *store.Enterprise) map[string]any {
	return map[string]any{"name": e.Name, "contact": e.Contact, "phone": e.Phone, "address": e.Address, "note": e.Note,
		"accounts": e.AccountIDs, "org_id": optID(e.OrgID)}
}

// adminEnterprises lists the enterprise customers in scope by name: ?q=
// (name, contact or phone), ?limit= (1000).
func (s *Server) adminEnterprises(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	es, err := s.core.Store().Enterprises(r.Context(), store.EnterpriseQuery{OrgIDs: wh.sc.OrgIDs(), Text: r.URL.Query().Get("q"),
		Limit: limitParam(r, 1000, 10000)})
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, e := range es {
		out = append(out, wh.enterpriseJSON(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"enterprises": out})
}

func (s *Server) adminCreateEnterprise(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		Name     string  `json:"name"`
		Contact  string  `json:"contact"`
		Phone    string  `json:"phone"`
		Address  string  `json:"address"`
		Note     string  `json:"note"`
		Accounts []idRef `json:"accounts"`
	}
	wh, ok := s.bodyAndWho(w, r, u, &body)
	if !ok {
		return
	}
	e := &store.Enterprise{OrgID: u.OrgID, Name: strings.TrimSpace(body.Name), Contact: strings.TrimSpace(body.Contact),
		Phone: strings.TrimSpace(body.Phone), Address: strings.TrimSpace(body.Address), Note: strings.TrimSpace(body.Note)}
	if e.Name == "" {
		writeError(w, http.StatusBadRequest, "invalid_enterprise", "give the enterprise's name")
		return
	}
	for _, ref := range body.Accounts {
		a, err := s.core.Store().GetAccount(r.Context(), int64(ref))
		if err != nil || !wh.sc.Account(a) {
			outOfScope(w, "account "+id(int64(ref)))
			return
		}
		if !slices.Contains(e.AccountIDs, a.ID) {
			e.AccountIDs = append(e.AccountIDs, a.ID)
		}
	}
	slices.Sort(e.AccountIDs)
	r = libAudit(r, u, "create", "enterprise", 0, e.OrgID, nil, func(ae *store.AuditEntry) any {
		ae.ObjectID = id(e.ID)
		return enterpriseAudit(e)
	})
	if err := s.core.Store().CreateEnterprise(r.Context(), e); err != nil {
		s.writeDupOr(w, r, err, "your organisation has an enterprise customer of this name")
		return
	}
	writeJSON(w, http.StatusCreated, wh.enterpriseJSON(e))
}

func (s *Server) adminDeleteEnterprise(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	e, err := s.core.Store().Enterprise(r.Context(), pathID(r))
	if err == nil && !wh.sc.Org(e.OrgID) {
		err = store.ErrNotFound
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	r = libAudit(r, u, "delete", "enterprise", e.ID, e.OrgID, enterpriseAudit(e), nil)
	if err := s.core.Store().DeleteEnterprise(r.Context(), e.ID); err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
