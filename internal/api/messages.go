package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

const maxBody = 16 << 20

// numbers accepts ["138…", …] or "138…,139…".
type numbers []string

func (n *numbers) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*n = list
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`"to" must be a list of numbers or a comma-separated string`)
	}
	*n = splitNumbers(s)
	return nil
}

func splitNumbers(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '，' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

type sendBody struct {
	To         numbers `json:"to"`
	Content    string  `json:"content"`
	Business   string  `json:"business"`
	ScheduleAt string  `json:"schedule_at"`
	ClientRef  string  `json:"client_ref"`
	Ext        string  `json:"ext"`
	Priority   *int    `json:"priority"`
	// "defer" (default) or "refuse": a message outside its business type's sending hours
	OutsideHours string `json:"outside_hours"`
	// Templates and signatures (templates.go).
	Template   stringOrNumber `json:"template"`
	Variables  variables      `json:"variables"`
	Recipients []recipient    `json:"recipients"`
	Signature  string         `json:"signature"`
}

func (s *Server) sendMessages(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	var b sendBody
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	if err := dec.Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", "request body is not valid JSON: "+err.Error())
		return
	}
	req := &core.SendRequest{AccountID: acc.ID, To: b.To, Content: b.Content, Business: b.Business,
		ClientRef: b.ClientRef, Ext: b.Ext, Priority: b.Priority, OutsideHours: b.OutsideHours}
	if err := b.templated(req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if b.ScheduleAt != "" {
		t, err := time.Parse(time.RFC3339, b.ScheduleAt)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_schedule", "schedule_at must be RFC 3339, e.g. 2026-12-01T09:00:00+08:00")
			return
		}
		req.ScheduleAt = t
	}
	s.send(w, r, req)
}

func (s *Server) send(w http.ResponseWriter, r *http.Request, req *core.SendRequest) {
	res, err := s.core.Accept(r.Context(), req)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	msgs := make([]map[string]any, len(res.Messages))
	for i, m := range res.Messages {
		msgs[i] = map[string]any{"id": id(m.ID), "to": m.To, "segments": m.Segments, "state": m.State, "operator": m.Operator}
	}
	status := http.StatusCreated
	held := slices.ContainsFunc(res.Messages, func(m *store.Message) bool { return m.State == store.Held })
	if held { // stored, but waiting for an auditor (core/review.go): accepted for review, not yet for sending
		status = http.StatusAccepted
	}
	if res.Duplicate {
		status = http.StatusOK
	}
	out := map[string]any{"batch_id": id(res.BatchID), "messages": msgs, "duplicate": res.Duplicate}
	if held {
		out["held"] = true
		out["notice"] = res.Notice
		if res.Notice == "" { // a replay
			out["notice"] = "the messages are held for review and go out only when an auditor approves them"
		}
	}
	if !res.DeferredUntil.IsZero() { // outside the business type's sending hours (core/business.go)
		out["deferred_until"], out["notice"] = ts(res.DeferredUntil), res.Notice
		for i, m := range res.Messages {
			msgs[i]["schedule_at"] = ts(m.ScheduleAt)
		}
	}
	writeJSON(w, status, out)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func parseID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n <= 0 {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("%q is not a valid id", r.PathValue("id")))
		return 0, false
	}
	return n, true
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.RFC3339Nano)
}

func messageJSON(m *store.Message) map[string]any {
	return map[string]any{
		"id": id(m.ID), "batch_id": id(m.BatchID), "to": m.To, "src": m.Src, "state": m.State,
		"operator": m.Operator, "gateway": m.Gateway, "segments": m.Segments, "business": m.Business,
		"priority": m.Priority, "attempts": m.Attempts, "created_at": ts(m.CreatedAt), "schedule_at": ts(m.ScheduleAt),
		"submitted_at": ts(m.SubmittedAt), "done_at": ts(m.DoneAt), "operator_code": m.OperatorCode,
		"content": m.Content, "fee": yuan(m.Fee), "charged": yuan(m.Charged),
	}
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	st := s.core.Store()
	m, err := st.GetMessage(r.Context(), acc.ID, n)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := messageJSON(m)
	if r.URL.Query().Get("trace") != "" && r.URL.Query().Get("trace") != "0" {
		segs, err := st.Segments(r.Context(), m.ID)
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		evs, err := st.Events(r.Context(), m.ID)
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		sj := make([]map[string]any, len(segs))
		for i, sg := range segs {
			sj[i] = map[string]any{"seq": sg.Seq, "gateway": sg.Gateway, "op_msg_id": sg.OpMsgID, "state": sg.State,
				"code": sg.Code, "submitted_at": ts(sg.SubmittedAt), "done_at": ts(sg.DoneAt)}
		}
		tj := make([]map[string]any, len(evs))
		for i, e := range evs {
			tj[i] = map[string]any{"at": ts(e.At), "kind": e.Kind, "segment": e.Segment, "detail": e.Detail}
		}
		pushes, err := st.PushesFor(r.Context(), "status", m.ID)
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		var pj []map[string]any
		for _, p := range pushes {
			atts, err := st.PushAttempts(r.Context(), p.ID)
			if err != nil {
				s.writeErr(w, r, err)
				return
			}
			aj := make([]map[string]any, len(atts))
			for i, a := range atts {
				aj[i] = map[string]any{"at": ts(a.At), "http_status": a.HTTPStatus, "error": a.Error, "ms": a.Duration.Milliseconds()}
			}
			pj = append(pj, map[string]any{"url": p.URL, "done": p.Done, "attempts": aj, "last_error": p.LastError})
		}
		out["segments_detail"] = sj
		out["timeline"] = tj
		out["pushes"] = pj
	}
	writeJSON(w, http.StatusOK, out)
}

func limitParam(r *http.Request, def, maxN int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, maxN)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	to := strings.TrimSpace(r.URL.Query().Get("to"))
	if to == "" {
		writeError(w, http.StatusBadRequest, "missing_parameter", "give ?to=NUMBER")
		return
	}
	msgs, err := s.core.Store().MessagesTo(r.Context(), acc.ID, normalizeOrSame(to), limitParam(r, 100, 1000))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		out[i] = messageJSON(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

func (s *Server) getBatch(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	st := s.core.Store()
	b, err := st.GetBatch(r.Context(), acc.ID, n)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	counts, err := st.BatchCounts(r.Context(), b.ID)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	fails, err := st.BatchFailures(r.Context(), b.ID, limitParam(r, 100, 10000))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	fj := make([]map[string]any, len(fails))
	for i, m := range fails {
		fj[i] = map[string]any{"id": id(m.ID), "to": m.To, "state": m.State, "operator_code": m.OperatorCode, "done_at": ts(m.DoneAt)}
	}
	final := 0
	for st, n := range counts {
		if st.Final() {
			final += n
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id(b.ID), "total": b.Total, "counts": counts, "done": final,
		"client_ref": b.ClientRef, "created_at": ts(b.CreatedAt), "failures": fj})
}

func (s *Server) listMO(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	mos, err := s.core.Store().ListMO(r.Context(), acc.ID, after, limitParam(r, 100, 1000))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(mos))
	for i, m := range mos {
		out[i] = map[string]any{"id": id(m.ID), "from": m.From, "to": m.To, "content": m.Content, "keyword": m.Keyword,
			"business": m.Business, "operator": m.Operator, "received_at": ts(m.ReceivedAt)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"mo": out})
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	a, err := s.core.Store().GetAccount(r.Context(), acc.ID)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, accountJSON(a))
}

// accountJSON is an account as the API shows it: money in yuan (and li, exact).
func accountJSON(a *store.Account) map[string]any {
	return map[string]any{"id": id(a.ID), "name": a.Name, "balance": yuan(a.Balance), "balance_li": a.Balance,
		"reserved": yuan(a.Reserved), "credit_limit": yuan(a.CreditLimit), "available": yuan(a.Balance + a.CreditLimit - a.Reserved),
		"service_code": a.ServiceCode, "callback_url": a.CallbackURL, "created_at": ts(a.CreatedAt)}
}

// yuan renders li (0.001 yuan) as a JSON number in yuan.
func yuan(li int64) json.Number { return json.Number(core.Yuan(li)) }

type accountPatch struct {
	CallbackURL  *string `json:"callback_url"`
	Secret       *string `json:"secret"`
	RotateSecret bool    `json:"rotate_secret"`
}

// patchAccount lets an account set its receive URL and push secret. The
// secret is shown in this answer (it is needed to verify signatures) and
// never again by GET.
func (s *Server) patchAccount(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	var p accountPatch
	if err := decodeJSON(r, &p); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	a, err := s.core.Store().GetAccount(r.Context(), acc.ID)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if p.CallbackURL != nil {
		u := strings.TrimSpace(*p.CallbackURL)
		if u != "" {
			pu, err := url.Parse(u)
			if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				writeError(w, http.StatusBadRequest, "invalid_callback_url", "callback_url must be an absolute http(s) URL")
				return
			}
		}
		a.CallbackURL = u
	}
	switch {
	case p.Secret != nil:
		if len(*p.Secret) < 16 {
			writeError(w, http.StatusBadRequest, "invalid_secret", "secret must be at least 16 characters")
			return
		}
		a.Secret = *p.Secret
	case p.RotateSecret || (a.CallbackURL != "" && a.Secret == ""):
		a.Secret = core.NewSecret("", 24)
	}
	if err := s.core.Store().UpdateAccount(r.Context(), a); err != nil {
		s.writeErr(w, r, err)
		return
	}
	if err := s.core.Reload(r.Context()); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id(a.ID), "name": a.Name, "balance": yuan(a.Balance),
		"service_code": a.ServiceCode, "callback_url": a.CallbackURL, "secret": a.Secret})
}
