package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// hongyan admin stats | settlement | reconcile: clients of
// /api/v1/admin/stats, /api/v1/admin/settlement and
// /api/v1/admin/settlement/reconcile (docs/api.md).

// rangeFlags are the period flags every report takes.
type rangeFlags struct{ period, from, to *string }

func addRangeFlags(fs *flag.FlagSet) rangeFlags {
	return rangeFlags{
		period: fs.String("period", "", "a month (2026-11), a day (2026-11-25) or a year (2026)"),
		from:   fs.String("from", "", "first day (2026-11-01) or hour (2026-11-01T08:00)"),
		to:     fs.String("to", "", "last day, inclusive (2026-11-30), or an hour, exclusive"),
	}
}

func (r rangeFlags) set(q url.Values) {
	for k, v := range map[string]string{"period": *r.period, "from": *r.from, "to": *r.to} {
		if v != "" {
			q.Set(k, v)
		}
	}
}

// raw sends a request with a body of its own type and returns the answer's
// bytes; errors are the platform's error shape, as call's.
func (c *adminClient) raw(ctx context.Context, method, path, contentType string, body io.Reader) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return nil, &apiError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	return b, nil
}

// getJSON fetches path and decodes it (printing it as is with --json).
func (c *adminClient) getJSON(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	b, err := c.raw(ctx, method, path, contentType, body)
	if err != nil {
		return err
	}
	if c.json {
		fmt.Fprint(c.out, string(b))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(out)
}

func (c *adminClient) stats(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	rf := addRangeFlags(fs)
	groupBy := fs.String("group-by", "", "hour|day|month and any of business, org, account, operator, gateway, state (comma-separated)")
	account := fs.String("account", "", "only this account (name or id)")
	org := fs.String("org", "", "only this organisation (code or id)")
	business := fs.String("business", "", "only this business type")
	operator := fs.String("operator", "", "only this operator")
	gw := fs.String("gateway", "", "only this gateway")
	asCSV := fs.Bool("csv", false, "print the server's CSV (every state's column)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errors.New("usage: hongyan admin stats [--period P | --from D --to D] [--group-by day,business] [--account A] [--org O] [--business B] [--operator O] [--gateway G] [--csv]")
	}
	q := url.Values{}
	rf.set(q)
	for k, v := range map[string]string{"group_by": *groupBy, "account": *account, "org": *org, "business": *business, "operator": *operator, "gateway": *gw} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if *asCSV {
		q.Set("format", "csv")
		b, err := c.raw(ctx, "GET", "/api/v1/admin/stats?"+q.Encode(), "", nil)
		if err != nil {
			return err
		}
		_, err = c.out.Write(b)
		return err
	}
	var res struct {
		From, To string
		GroupBy  []string `json:"group_by"`
		Rows     []map[string]any
		Totals   map[string]any
	}
	if err := c.getJSON(ctx, "GET", "/api/v1/admin/stats?"+q.Encode(), "", nil, &res); err != nil {
		return err
	}
	// The dimensions' columns, then a summary of the states.
	var dims []string
	byState := false
	for _, g := range res.GroupBy {
		switch g {
		case "account":
			dims = append(dims, "account")
		case "org":
			dims = append(dims, "org")
		case "state":
			byState = true
		default:
			dims = append(dims, g)
		}
	}
	header := strings.ToUpper(strings.Join(dims, "\t"))
	if header != "" {
		header += "\t"
	}
	var rows [][]string
	if byState {
		header += "STATE\tMESSAGES\tSEGMENTS\tFEES"
		for _, r := range res.Rows {
			row := cells(r, dims)
			rows = append(rows, append(row, str(r["state"]), str(r["messages"]), str(r["segments"]), str(r["fees"])))
		}
	} else {
		header += "ACCEPTED\tSENT\tSEGMENTS SENT\tDELIVERED\tFAILED\tREFUSED\tSUCCESS\tFEES"
		all := append(res.Rows, res.Totals)
		if len(dims) == 0 {
			all = all[len(all)-1:] // one row: the totals
		}
		for _, r := range all {
			row := cells(r, dims)
			if len(dims) > 0 && len(rows) == len(res.Rows) {
				row = make([]string, len(dims))
				if len(dims) > 0 {
					row[0] = "total"
				}
			}
			rows = append(rows, append(row, summary(r)...))
		}
	}
	c.say("%s to %s (Asia/Shanghai)", res.From, res.To)
	c.table(header, rows)
	return nil
}

func cells(r map[string]any, dims []string) []string {
	out := make([]string, len(dims))
	for i, d := range dims {
		out[i] = str(r[d])
	}
	return out
}

func count(r map[string]any, k string) int64 {
	n, _ := strconv.ParseInt(str(r[k]), 10, 64)
	return n
}

// summary condenses a row's state columns: accepted, sent (messages and
// segments), delivered, failed (undelivered, expired, rejected, failed,
// unknown), refused at accept (filtered, blacklisted), the delivered share
// of the final ones, fees.
func summary(r map[string]any) []string {
	failed := count(r, "undelivered") + count(r, "expired") + count(r, "rejected") + count(r, "failed") + count(r, "unknown")
	refused := count(r, "filtered") + count(r, "blacklisted")
	delivered := count(r, "delivered")
	rate := "-"
	if delivered+failed > 0 {
		rate = strconv.FormatFloat(100*float64(delivered)/float64(delivered+failed), 'f', 1, 64) + "%"
	}
	i := strconv.FormatInt
	return []string{str(r["accepted"]), str(r["submitted"]), str(r["submitted_segments"]), i(delivered, 10), i(failed, 10), i(refused, 10), rate, str(r["fees"])}
}

func (c *adminClient) settlement(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("settlement", flag.ContinueOnError)
	rf := addRangeFlags(fs)
	asCSV := fs.Bool("csv", false, "print the server's CSV")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errors.New("usage: hongyan admin settlement [--period P | --from D --to D] [--csv]")
	}
	q := url.Values{}
	rf.set(q)
	if *asCSV {
		q.Set("format", "csv")
		b, err := c.raw(ctx, "GET", "/api/v1/admin/settlement?"+q.Encode(), "", nil)
		if err != nil {
			return err
		}
		_, err = c.out.Write(b)
		return err
	}
	var res struct {
		From, To  string
		Operators []map[string]any
		Accounts  []map[string]any
		Orgs      []map[string]any
		Totals    map[string]any
		Warnings  []string
	}
	if err := c.getJSON(ctx, "GET", "/api/v1/admin/settlement?"+q.Encode(), "", nil, &res); err != nil {
		return err
	}
	c.say("settlement %s to %s (Asia/Shanghai)\n", res.From, res.To)
	var rows [][]string
	for _, o := range res.Operators {
		rows = append(rows, []string{str(o["operator"]), str(o["messages"]), str(o["segments"]), str(o["cost_per_segment"]), str(o["cost"])})
	}
	c.table("OPERATOR\tSENT\tSEGMENTS\tCOST/SEGMENT\tCOST", rows)
	rows = nil
	for _, a := range res.Accounts {
		rows = append(rows, []string{str(a["account"]), str(a["kind"]), str(a["org"]), str(a["sent"]), str(a["segments"]), str(a["delivered"]),
			str(a["revenue"]), str(a["rule"]), str(a["share"])})
	}
	c.say("")
	c.table("ACCOUNT\tKIND\tORG\tSENT\tSEGMENTS\tDELIVERED\tREVENUE\tRULE\tSHARE", rows)
	rows = nil
	for _, o := range res.Orgs {
		rows = append(rows, []string{str(o["org"]), str(o["name"]), str(o["level"]), str(o["sent"]), str(o["segments"]), str(o["delivered"]),
			str(o["revenue"]), str(o["rule"]), str(o["share"])})
	}
	if len(rows) > 0 {
		c.say("")
		c.table("ORG (WITH SUBORDINATES)\tNAME\tLEVEL\tSENT\tSEGMENTS\tDELIVERED\tREVENUE\tRULE\tSHARE", rows)
	}
	t := res.Totals
	c.say("\nrevenue %s yuan, operator cost %s, account shares %s, margin %s", str(t["revenue"]), str(t["operator_cost"]), str(t["account_shares"]), str(t["margin"]))
	for _, w := range res.Warnings {
		c.say("warning: %s", w)
	}
	return nil
}

// errDisagree is reconcile's answer when the bill and the records differ
// (exit status 1, after the differences are printed).
var errDisagree = errors.New("the bill and the platform's records differ")

func (c *adminClient) reconcile(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	rf := addRangeFlags(fs)
	op := fs.String("operator", "", "cmcc, cucc, ctcc, cbn or intl")
	files, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 || *op == "" {
		return errors.New("usage: hongyan admin reconcile FILE --operator OP [--period P | --from D --to D]")
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	q := url.Values{"operator": {*op}}
	rf.set(q)
	var res map[string]any
	err = c.getJSON(ctx, "POST", "/api/v1/admin/settlement/reconcile?"+q.Encode(), "text/csv", f, &res)
	var ae *apiError
	if errors.As(err, &ae) && ae.Code == "invalid_bill" {
		return fmt.Errorf("%s: %s", files[0], ae.Message) // "…: bill line 7: …"
	}
	if err != nil {
		return err
	}
	c.say("%s", str(res["summary"]))
	list := func(k string) []map[string]any {
		var out []map[string]any
		if v, ok := res[k].([]any); ok {
			for _, x := range v {
				if m, ok := x.(map[string]any); ok {
					out = append(out, m)
				}
			}
		}
		return out
	}
	if res["bill"] == "totals" {
		var rows [][]string
		for _, d := range list("days") {
			gw := str(d["gateway"])
			if gw == "" {
				gw = "(all)"
			}
			rows = append(rows, []string{str(d["date"]), gw, str(d["ours"]), str(d["billed"]), str(d["difference"])})
		}
		if len(rows) > 0 {
			c.table("DATE\tGATEWAY\tSENT\tBILLED\tDIFFERENCE", rows)
		}
	} else {
		for _, sec := range []struct{ key, title string }{
			{"billed_unknown", "billed but unknown"}, {"billed_twice", "billed twice"},
			{"billed_outside_period", "billed, sent outside the period or to another operator"}, {"sent_not_billed", "sent but not billed"},
		} {
			n, _ := strconv.Atoi(str(res[sec.key+"_count"]))
			if n == 0 {
				continue
			}
			c.say("%s: %d", sec.title, n)
			var rows [][]string
			for _, m := range list(sec.key) {
				where := "line " + str(m["line"])
				if m["line"] == nil {
					where = "message " + str(m["message_id"]) + " seq " + str(m["seq"])
				}
				rows = append(rows, []string{"  " + str(m["op_msg_id"]), str(m["gateway"]), where, str(m["submitted_at"])})
			}
			c.table("  OP_MSG_ID\tGATEWAY\tWHERE\tSENT AT", rows)
		}
	}
	if res["agree"] != true {
		return errDisagree
	}
	return nil
}
