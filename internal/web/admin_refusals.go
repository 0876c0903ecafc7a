package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Refusals (/admin/refusals): every refused request or number of the
// accounts in scope, newest first, with the reason in the page's language;
// filtered by account and kind (the API's ?account_id= and ?kind=), the
// most recent refusalsShown.

const refusalsShown = 500

// refusalKinds are the kinds the filter offers, in this order.
var refusalKinds = []string{"blacklisted", "content_filtered", "insufficient_balance", "forbidden_business", "outside_sending_hours",
	"quota_exceeded", "frequency_limited", "review_rejected", "not_subscribed", "template_required", "unknown_template",
	"template_not_approved", "no_signature", "signature_not_approved"}

type apiRefusal struct {
	AccountID jsonID `json:"account_id"`
	Business  string `json:"business"`
	Kind      string `json:"kind"`
	Number    string `json:"number"`
	Detail    string `json:"detail"`
	At        string `json:"at"`
}

type refusalRow struct {
	At, Account, Business, Kind, KindLabel, Number, Detail string
}

type refusalsData struct {
	Rows          []refusalRow
	Account, Kind string
	Accounts      []option
	Kinds         []option
	Filtered      bool
	Shown         int
}

// refusalLabel is a refusal's kind in the page's language (the code when
// the catalogue has no words for it).
func (v *view) refusalLabel(kind string) string {
	if t, ok := v.msgs[catKey("adm", "refusal", kind)]; ok {
		return t
	}
	return kind
}

func (s *Server) adminRefusalsPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_refusals", "adm.refusals.title")
	if !ok {
		return
	}
	q := r.URL.Query()
	d := &refusalsData{Account: strings.TrimSpace(q.Get("account")), Kind: strings.TrimSpace(q.Get("kind")), Shown: refusalsShown}
	d.Filtered = d.Account != "" || d.Kind != ""
	names, accs, err := a.accountNames()
	if err != nil {
		a.fail(err)
		return
	}
	ao := []option{{Value: "", Label: a.v.T("adm.all")}}
	for _, x := range accs {
		ao = append(ao, option{Value: x.ID, Label: x.Name})
	}
	d.Accounts = options(d.Account, ao...)
	ko := []option{{Value: "", Label: a.v.T("adm.all")}}
	for _, k := range refusalKinds {
		ko = append(ko, option{Value: k, Label: a.v.refusalLabel(k)})
	}
	d.Kinds = options(d.Kind, ko...)
	aq := url.Values{"limit": {strconv.Itoa(refusalsShown)}}
	if d.Account != "" {
		aq.Set("account_id", d.Account)
	}
	if d.Kind != "" {
		aq.Set("kind", d.Kind)
	}
	var out struct {
		Refusals []apiRefusal `json:"refusals"`
	}
	if err := a.call("GET", "/api/v1/admin/refusals?"+aq.Encode(), nil, &out); err != nil {
		a.fail(err)
		return
	}
	for _, x := range out.Refusals {
		acc := names[x.AccountID]
		if acc == "" {
			acc = "#" + x.AccountID
		}
		d.Rows = append(d.Rows, refusalRow{At: a.when(x.At), Account: acc, Business: x.Business, Kind: x.Kind,
			KindLabel: a.v.refusalLabel(x.Kind), Number: x.Number, Detail: x.Detail})
	}
	a.render(http.StatusOK, "admin_refusals", d)
}
