package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Editing the library, customers and enterprise customers from the
// command line (internal/api/library_numbers.go, library_customers.go,
// library_enterprises.go): rename, grant, import, remove, from traffic;
// show, edit, import, stats; survey keywords; edit, report.

// importChunk is how many lines of a file one request carries: the
// server's limit on a JSON list, and a short transaction for a file part.
const importChunk = 10_000

// setFlags are the names of the flags given on the command line (an
// empty --note clears the note; an absent one leaves it).
func setFlags(fs *flag.FlagSet) map[string]bool {
	out := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { out[f.Name] = true })
	return out
}

func (c *adminClient) libraryRename(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("library rename", flag.ContinueOnError)
	note := fs.String("note", "", "what the category is for")
	rest, err := parseMixed(fs, args)
	if err != nil || len(rest) < 1 || len(rest) > 2 || len(rest) == 1 && !setFlags(fs)["note"] {
		return errors.New("usage: hongyan admin library rename ID [NAME] [--note TEXT]")
	}
	body := map[string]string{}
	if len(rest) == 2 {
		body["name"] = rest[1]
	}
	if setFlags(fs)["note"] {
		body["note"] = *note
	}
	var res map[string]any
	if err := c.call(ctx, "PATCH", "/api/v1/admin/library/categories/"+url.PathEscape(rest[0]), body, &res); err != nil {
		return err
	}
	c.say("category %s: %q (%s)", rest[0], str(res["name"]), str(res["note"]))
	return nil
}

// libraryGrant sets (or, with --none, clears) the organisations a
// category is granted to; without either it lists them.
func (c *adminClient) libraryGrant(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("library grant", flag.ContinueOnError)
	none := fs.Bool("none", false, "grant it to no organisation")
	rest, err := parseMixed(fs, args)
	if err != nil || len(rest) < 1 || *none && len(rest) > 1 {
		return errors.New("usage: hongyan admin library grant ID [ORG,ORG… | --none]   (no ORG: list the grants)")
	}
	path := "/api/v1/admin/library/categories/" + url.PathEscape(rest[0]) + "/grants"
	var res struct{ Orgs []string }
	if len(rest) == 1 && !*none {
		err = c.call(ctx, "GET", path, nil, &res)
	} else {
		orgs := []string{}
		for _, a := range rest[1:] {
			for _, o := range strings.Split(a, ",") {
				if o = strings.TrimSpace(o); o != "" {
					orgs = append(orgs, o)
				}
			}
		}
		err = c.call(ctx, "PUT", path, map[string]any{"orgs": orgs}, &res)
	}
	if err != nil {
		return err
	}
	if len(res.Orgs) == 0 {
		c.say("category %s is granted to no organisation", rest[0])
		return nil
	}
	c.say("category %s is granted to %s", rest[0], strings.Join(res.Orgs, ", "))
	return nil
}

// filePart is part of a file sent to an import: its lines and the number
// of the first in the file.
type filePart struct {
	first int
	data  []byte
}

// fileParts cuts a CSV or TXT file into parts of importChunk lines; each
// part after the first begins with the file's first line again (the
// header, which names a customer file's custom fields) and so its number
// is one less than its first own line's. The server skips that line when
// it is a header and reads it as data when not: then it is not repeated.
func fileParts(data []byte) []filePart {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n := len(lines); n > 0 && len(bytes.TrimSpace(lines[n-1])) == 0 {
		lines = lines[:n-1]
	}
	if len(lines) == 0 {
		return nil
	}
	head := bytes.TrimPrefix(lines[0], []byte("\xEF\xBB\xBF"))
	first := strings.TrimSpace(strings.SplitN(strings.SplitN(string(head), ",", 2)[0], "\t", 2)[0])
	header := strings.Trim(strings.Trim(first, `"`), "0123456789+-() ") != ""
	var out []filePart
	for i := 0; i < len(lines); i += importChunk {
		var b bytes.Buffer
		p := filePart{first: i + 1}
		if i > 0 && header {
			b.Write(head)
			if !bytes.HasSuffix(head, []byte("\n")) {
				b.WriteByte('\n')
			}
			p.first = i
		}
		for _, l := range lines[i:min(i+importChunk, len(lines))] {
			b.Write(l)
		}
		p.data = b.Bytes()
		out = append(out, p)
	}
	return out
}

// importResult is an import's answer, summed over the parts.
type importResult struct {
	Added        int `json:"added"`
	Updated      int `json:"updated"`
	InvalidCount int `json:"invalid_count"`
	Invalid      []struct {
		Line   int    `json:"line"`
		Value  string `json:"value"`
		Reason string `json:"reason"`
	} `json:"invalid"`
}

// importFile sends a file to an import endpoint in parts, printing the
// progress of a big file, then the invalid rows and the sums.
func (c *adminClient) importFile(ctx context.Context, path, file string) (*importResult, error) {
	ext := strings.ToLower(filepath.Ext(file))
	ct := "text/csv"
	switch ext {
	case ".txt", "":
		ct = "text/plain"
	case ".csv":
	default:
		return nil, fmt.Errorf("%s: send a CSV or TXT file (save an Excel sheet as CSV, or import it in the console)", file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	parts := fileParts(data)
	if len(parts) == 0 {
		return nil, fmt.Errorf("%s is empty", file)
	}
	total := &importResult{}
	saved := c.json
	c.json = false // one answer printed, the sum
	defer func() { c.json = saved }()
	for i, p := range parts {
		var res importResult
		q := path + "?line=" + strconv.Itoa(p.first)
		if err := c.getJSON(ctx, "POST", q, ct, bytes.NewReader(p.data), &res); err != nil {
			var ae *apiError
			if len(parts) > 1 && errors.As(err, &ae) && i > 0 {
				return total, fmt.Errorf("%s, part %d of %d (lines from %d; the parts before were imported): %w", file, i+1, len(parts), p.first, err)
			}
			return total, err
		}
		total.Added += res.Added
		total.Updated += res.Updated
		total.InvalidCount += res.InvalidCount
		total.Invalid = append(total.Invalid, res.Invalid...)
		if len(parts) > 1 {
			fmt.Fprintf(os.Stderr, "\rimported %d / %d parts (%d lines each)", i+1, len(parts), importChunk)
		}
	}
	if len(parts) > 1 {
		fmt.Fprintln(os.Stderr)
	}
	return total, nil
}

func (c *adminClient) printImport(file string, res *importResult) error {
	if c.json {
		return jsonOut(c, res)
	}
	for _, b := range res.Invalid {
		fmt.Fprintf(c.out, "%s line %d: %q: %s\n", file, b.Line, b.Value, b.Reason)
	}
	if res.InvalidCount > len(res.Invalid) {
		fmt.Fprintf(c.out, "… and %d more invalid line(s)\n", res.InvalidCount-len(res.Invalid))
	}
	c.say("%s: %d added, %d updated, %d invalid", file, res.Added, res.Updated, res.InvalidCount)
	return nil
}

// libraryNumbersImport is `library numbers import ID FILE`.
func (c *adminClient) libraryNumbersImport(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: hongyan admin library numbers import ID FILE   (CSV or TXT: number, province, city, tags separated by |)")
	}
	res, err := c.importFile(ctx, "/api/v1/admin/library/categories/"+url.PathEscape(args[0])+"/numbers", args[1])
	if err != nil {
		return err
	}
	return c.printImport(args[1], res)
}

// libraryNumberRemove is `library number remove ID NUMBER`.
func (c *adminClient) libraryNumberRemove(ctx context.Context, args []string) error {
	if len(args) != 3 || args[0] != "remove" {
		return errors.New("usage: hongyan admin library number remove ID NUMBER")
	}
	if err := c.call(ctx, "DELETE", "/api/v1/admin/library/categories/"+url.PathEscape(args[1])+"/numbers/"+url.PathEscape(args[2]), nil, nil); err != nil {
		return err
	}
	c.say("%s removed from category %s", args[2], args[1])
	return nil
}

func splitComma(s string) []string {
	out := []string{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (c *adminClient) libraryTraffic(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("library traffic", flag.ContinueOnError)
	from := fs.String("from", "", "first day (2026-11-01)")
	until := fs.String("until", "", "last day, included (default: from)")
	delivered := fs.Bool("delivered", false, "numbers that received a delivered message")
	replied := fs.Bool("replied", false, "numbers that replied")
	accounts := fs.String("accounts", "", "only these sending accounts, names or ids, comma separated (default: every one in your scope)")
	tags := fs.String("tags", "", "tags given to the numbers added, comma separated")
	rest, err := parseMixed(fs, args)
	if err != nil || len(rest) != 1 || *from == "" {
		return errors.New("usage: hongyan admin library traffic ID --from DAY [--until DAY] [--delivered] [--replied] [--accounts A,B] [--tags T,U]")
	}
	if *until == "" {
		*until = *from
	}
	ids := []string{}
	for _, a := range splitComma(*accounts) {
		id, err := c.lookupAccount(ctx, a)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	body := map[string]any{"from": *from, "until": *until, "delivered": *delivered, "replied": *replied, "accounts": ids, "tags": splitComma(*tags)}
	var res struct{ Added int }
	if err := c.call(ctx, "POST", "/api/v1/admin/library/categories/"+url.PathEscape(rest[0])+"/traffic", body, &res); err != nil {
		return err
	}
	c.say("%d number(s) added to category %s", res.Added, rest[0])
	return nil
}

// ---- customers ----

func (c *adminClient) customerShow(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: hongyan admin customer show ID")
	}
	var res map[string]any
	if err := c.call(ctx, "GET", "/api/v1/admin/customers/"+url.PathEscape(args[0]), nil, &res); err != nil {
		return err
	}
	rows := [][]string{}
	for _, k := range []string{"id", "phone", "name", "occupation", "age", "income", "org", "source", "created_at", "updated_at"} {
		rows = append(rows, []string{k, str(res[k])})
	}
	if f, ok := res["fields"].(map[string]any); ok {
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			rows = append(rows, []string{"field " + k, str(f[k])})
		}
	}
	c.table("FIELD\tVALUE", rows)
	return nil
}

// fieldFlags collects repeated --field NAME=VALUE.
type fieldFlags map[string]string

func (f fieldFlags) String() string { return "" }

func (f fieldFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("--field %q: want NAME=VALUE", v)
	}
	f[strings.TrimSpace(k)] = val
	return nil
}

func (c *adminClient) customerEdit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("customer edit", flag.ContinueOnError)
	phone := fs.String("phone", "", "phone")
	name := fs.String("name", "", "name")
	occupation := fs.String("occupation", "", "occupation")
	age := fs.Int("age", 0, "age (0 = unknown)")
	income := fs.String("income", "", "income band, e.g. 5000-10000")
	fields := fieldFlags{}
	fs.Var(fields, "field", "a custom field NAME=VALUE (repeat; replaces every custom field)")
	noFields := fs.Bool("no-fields", false, "remove every custom field")
	rest, err := parseMixed(fs, args)
	set := setFlags(fs)
	if err != nil || len(rest) != 1 || len(set) == 0 {
		return errors.New("usage: hongyan admin customer edit ID [--phone P] [--name N] [--occupation O] [--age N] [--income BAND] [--field K=V …| --no-fields]")
	}
	body := map[string]any{}
	for k, v := range map[string]any{"phone": *phone, "name": *name, "occupation": *occupation, "age": *age, "income": *income} {
		if set[k] {
			body[k] = v
		}
	}
	if set["field"] || *noFields {
		body["fields"] = map[string]string(fields)
	}
	var res map[string]any
	if err := c.call(ctx, "PATCH", "/api/v1/admin/customers/"+url.PathEscape(rest[0]), body, &res); err != nil {
		return err
	}
	c.say("customer %s saved (%s %s)", rest[0], str(res["phone"]), str(res["name"]))
	return nil
}

func (c *adminClient) customerImport(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: hongyan admin customer import FILE   (CSV or TXT: phone, name, occupation, age, income, then custom fields named by the header)")
	}
	res, err := c.importFile(ctx, "/api/v1/admin/customers/import", args[0])
	if err != nil {
		return err
	}
	return c.printImport(args[0], res)
}

func (c *adminClient) customerStats(ctx context.Context) error {
	var res struct {
		Total        int
		ByOccupation map[string]int `json:"by_occupation"`
		ByAge        map[string]int `json:"by_age"`
		ByIncome     map[string]int `json:"by_income"`
	}
	if err := c.call(ctx, "GET", "/api/v1/admin/customers/stats", nil, &res); err != nil {
		return err
	}
	c.say("%d record(s)", res.Total)
	var rows [][]string
	for _, g := range []struct {
		name string
		m    map[string]int
	}{{"occupation", res.ByOccupation}, {"age", res.ByAge}, {"income", res.ByIncome}} {
		keys := make([]string, 0, len(g.m))
		for k := range g.m {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if g.m[a] != g.m[b] {
				return g.m[b] - g.m[a]
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			label := k
			if label == "" {
				label = "(not given)"
			}
			rows = append(rows, []string{g.name, label, strconv.Itoa(g.m[k])})
		}
	}
	c.table("BY\tVALUE\tRECORDS", rows)
	return nil
}

// ---- survey keywords ----

// surveyCommand runs `hongyan admin survey list|add|remove`.
func (c *adminClient) surveyCommand(ctx context.Context, verb string, args []string) error {
	switch verb {
	case "list":
		var res struct{ Surveys []map[string]any }
		if err := c.call(ctx, "GET", "/api/v1/admin/surveys", nil, &res); err != nil {
			return err
		}
		var rows [][]string
		for _, r := range res.Surveys {
			rows = append(rows, []string{str(r["id"]), str(r["keyword"]), str(r["org"]), str(r["reply"])})
		}
		c.table("ID\tKEYWORD\tORG\tREPLY", rows)
		return nil
	case "add":
		fs := flag.NewFlagSet("survey add", flag.ContinueOnError)
		reply := fs.String("reply", "", `the confirmation sent back ("" = the default, "-" = none)`)
		rest, err := parseMixed(fs, args)
		if err != nil || len(rest) != 1 {
			return errors.New("usage: hongyan admin survey add KEYWORD [--reply TEXT]")
		}
		var res map[string]any
		if err := c.call(ctx, "POST", "/api/v1/admin/surveys", map[string]string{"keyword": rest[0], "reply": *reply}, &res); err != nil {
			return err
		}
		c.say("survey keyword %s added (id %s)", str(res["keyword"]), str(res["id"]))
		return nil
	case "remove":
		return c.simpleDelete(ctx, args, "survey remove ID", "/api/v1/admin/surveys/")
	}
	return fmt.Errorf("unknown command %q (hongyan admin --help)", strings.TrimSpace("survey "+verb))
}

// ---- enterprise customers ----

func (c *adminClient) enterpriseEdit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enterprise edit", flag.ContinueOnError)
	name := fs.String("name", "", "name")
	contact := fs.String("contact", "", "contact person")
	phone := fs.String("phone", "", "contact phone")
	address := fs.String("address", "", "address")
	note := fs.String("note", "", "note")
	accounts := fs.String("accounts", "", `linked sending accounts, names or ids, comma separated ("" = none); replaces them`)
	rest, err := parseMixed(fs, args)
	set := setFlags(fs)
	if err != nil || len(rest) != 1 || len(set) == 0 {
		return errors.New("usage: hongyan admin enterprise edit ID [--name N] [--contact C] [--phone P] [--address A] [--note N] [--accounts A,B]")
	}
	body := map[string]any{}
	for k, v := range map[string]string{"name": *name, "contact": *contact, "phone": *phone, "address": *address, "note": *note} {
		if set[k] {
			body[k] = v
		}
	}
	if set["accounts"] {
		ids := []string{}
		for _, a := range splitComma(*accounts) {
			id, err := c.lookupAccount(ctx, a)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		body["accounts"] = ids
	}
	var res map[string]any
	if err := c.call(ctx, "PATCH", "/api/v1/admin/enterprises/"+url.PathEscape(rest[0]), body, &res); err != nil {
		return err
	}
	c.say("enterprise %s saved (%q)", rest[0], str(res["name"]))
	return nil
}

func (c *adminClient) enterpriseReport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enterprise report", flag.ContinueOnError)
	from := fs.String("from", "", "first day (default: this month)")
	until := fs.String("until", "", "last day, included (default: from)")
	byAccount := fs.Bool("by-account", false, "a row per linked account instead of per hour, day or month")
	rest, err := parseMixed(fs, args)
	if err != nil || len(rest) != 1 {
		return errors.New("usage: hongyan admin enterprise report ID [--from DAY] [--until DAY] [--by-account]")
	}
	q := url.Values{}
	if *from != "" {
		q.Set("from", *from)
	}
	if *until != "" {
		q.Set("until", *until)
	}
	var res struct {
		Name, From, Until, Grain string
		Total                    map[string]any
		Rows                     []map[string]any
		ByAccount                []map[string]any `json:"by_account"`
	}
	if err := c.call(ctx, "GET", "/api/v1/admin/enterprises/"+url.PathEscape(rest[0])+"/report?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	c.say("%s, %s — %s", res.Name, res.From, res.Until)
	line := func(label string, m map[string]any) []string {
		rate := ""
		if r, err := strconv.ParseFloat(str(m["success_rate"]), 64); err == nil {
			rate = strconv.FormatFloat(r*100, 'f', 1, 64) + "%"
		}
		return []string{label, str(m["accepted"]), str(m["submitted"]), str(m["segments"]), str(m["delivered"]), str(m["failed"]),
			str(m["blocked"]), rate, str(m["fees"])}
	}
	var rows [][]string
	head := strings.ToUpper(res.Grain)
	if *byAccount {
		head = "ACCOUNT"
		for _, r := range res.ByAccount {
			rows = append(rows, line(str(r["account"]), r))
		}
	} else {
		for _, r := range res.Rows {
			rows = append(rows, line(str(r["bucket"]), r))
		}
	}
	rows = append(rows, line("TOTAL", res.Total))
	c.table(head+"\tACCEPTED\tSUBMITTED\tSEGMENTS\tDELIVERED\tFAILED\tBLOCKED\tSUCCESS\tFEES", rows)
	return nil
}

// jsonOut prints v as the --json answer of a command that sums several.
func jsonOut(c *adminClient, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.out, string(b))
	return err
}
