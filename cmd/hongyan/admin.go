package main

import (
	"bufio"
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
	"text/tabwriter"
	"time"
)

// hongyan admin is a client of /api/v1/admin/… — never a side door into
// the database, so everything it does is checked, scoped and audited the
// same way as the console and the API.

const adminUsage = `Usage: hongyan admin [--server URL] [--token TOKEN] [--json] COMMAND …

The server and token come from --server/--token, HONGYAN_SERVER/HONGYAN_TOKEN, or
the login saved by "hongyan admin login" (hongyan demo prints a token as "Admin token:").

  login [--user NAME] [--print]                             log in with a password (asked for, or one line on
                                                             stdin); the token is kept in ~/.config/hongyan/token.json
                                                             (HONGYAN_CONFIG_DIR) for the next commands, or printed
  logout [--all]                                            revoke the token (--all: every token of the user)
  whoami                                                    who the token belongs to

  blacklist add NUMBER… [--business CODE] [--reason TEXT]   bar numbers (every business type unless --business)
  blacklist import FILE [--business CODE] [--reason TEXT]   one number per line (or CSV, first column)
  blacklist remove NUMBER [--business CODE]
  blacklist list [--number NUMBER] [--limit N]
  keyword add WORD… [--action reject|review]                 forbidden words of the content filter (review: hold for an auditor)
  keyword list
  keyword remove ID
  review list [--decided] [--account ACCOUNT] [--limit N]    requests held for review (a review word in the text)
  review show ID | review approve ID | review reject ID --reason TEXT
                                                             an auditor's decision: approved ones are sent, rejected ones filtered
  account list
  account recharge ACCOUNT AMOUNT [--note TEXT]              ACCOUNT is a name or id; AMOUNT in yuan (negative = adjust)
  account ledger ACCOUNT [--limit N]
  mo-route list
  mo-route add --service-code CODE [--keyword KW] --account ACCOUNT [--business CODE] [--url URL]
  mo-route remove ID
  refusals [--account ACCOUNT] [--limit N]
  stats [--period P | --from D --to D] [--group-by day,business,…] [--account A] [--org O] [--business B] [--operator O] [--gateway G] [--csv]
                                                             counters by hour|day|month, business, org, account, operator, gateway, state
  settlement [--period 2026-11 | --from D --to D] [--csv]    statements: operators' costs, accounts' and organisations' revenue and shares
  reconcile FILE --operator OP [--period 2026-11 | --from D --to D]
                                                             compare an operator's bill (CSV: date,operator,gateway,segments or
                                                             op_msg_id,…) with what was sent; exit status 1 when they differ
  business list                                              business types (docs/api.md)
  business add CODE [SETTINGS]                              a new business type; SETTINGS are
      --name NAME --priority 0|1|2 --fee YUAN --charge-mode per_message|monthly|monthly_capped|free
      --monthly-fee YUAN --monthly-cap YUAN --charge-on delivered|submitted --report-required=BOOL
      --max-retries N --retry-interval 5s --validity 48h --max-segments N --at-least-once=BOOL
      --service-code CODE --keywords KW,KW --send-hours 08:00-21:00
      --template-required=BOOL --signature none|prefix|suffix --unsubscribe-text 回T退订
      --freq-limit N --freq-window 24h                       at most N messages to one number per window (0 = no limit)
  business update CODE SETTINGS                              change the settings given
  business disable CODE | business enable CODE              a disabled type refuses new messages
  grant list [--org ID | --account ACCOUNT]                  every grant, or what one may use
  grant set (--org ID | --account ACCOUNT) CODE… | --none    replace its grants ("*" = every type)
  account limits ACCOUNT [--tps N] [--daily-quota N] [--ip-allow CIDR,…]   show or set (0 / "" = no limit)
  subscription list [--business B] [--number N] [--state active|cancelled|all] [--month 2026-02]
                                                             subscriptions (M8) and what each was charged that month
  subscription add|remove BUSINESS NUMBER                    subscribe / unsubscribe by hand (audited)
  subscription push BUSINESS TEXT [--after NUMBER]           send to every active subscriber, as the provider
  subscription services | subscription service set BUSINESS --code CODE --account ACCOUNT | subscription service remove BUSINESS
  segment list [--all] | segment set PREFIX OPERATOR | segment remove PREFIX
                                                             number segments (号段) edited on top of the data file
  ported list [--all] | ported set NUMBER OPERATOR | ported remove NUMBER   ported numbers (携号转网)
  signature add TEXT [--account A | --org O] [--default]    register a signature (【中国邮政】), pending approval
  signature list [--state S] [--account A | --org O]         signatures in scope
  signature approve ID | signature reject ID --reason TEXT  a platform administrator's review
  signature default ID | signature remove ID                 make it its owner's default | withdraw it
  template add CODE --business B --text TEXT [--account A | --org O]
                                                             register a template with {variables}, pending approval
  template list [--state S] [--business B] [--account A | --org O]
  template approve ID | template reject ID --reason TEXT | template remove ID
  org add CODE NAME [--parent CODE] [--level province|city|county]   a province has no parent
  org list [--tree]
  user add USERNAME --role ROLE [--org CODE] [--account ACCOUNT] [--password PW]
                                                             ROLE: platform_admin, org_admin, operator, auditor, partner;
                                                             without --password one is made and shown once
  user list [--org CODE] [--role ROLE]
  user disable USERNAME | user enable USERNAME
  user passwd USERNAME [--password PW]                       reset (made and shown once without --password)
  account add NAME --org CODE [--kind unit|partner] [--service-code CODE] [--balance YUAN] [--credit YUAN] [--callback-url URL]
  account key add ACCOUNT | account key list ACCOUNT | account key revoke ACCOUNT PREFIX
                                                             (also as key add|list|revoke); a new key is shown once
  library list | library add NAME [--note T] | library remove ID
  library numbers [--category ID] [--province P] [--city C] [--tag T] [--prefix 138] [--limit N]
  customer list [--q TEXT] | customer add PHONE [--name N] [--occupation O] [--age N] [--income BAND] | customer remove ID
  enterprise list [--q TEXT] | enterprise add NAME [--contact C] [--phone P] [--accounts A,B] | enterprise remove ID
  library rename ID [NAME] [--note T] | library grant ID [ORG,ORG… | --none] | library number remove ID NUMBER
  library numbers import ID FILE                             CSV/TXT: number, province, city, tags (a|b); sent 10,000 lines a request
  library traffic ID --from DAY [--until DAY] [--delivered] [--replied] [--accounts A,B] [--tags T,U]
  customer show ID | customer edit ID [--phone P] [--name N] [--age N] [--field K=V …] | customer import FILE | customer stats
  survey list | survey add KEYWORD [--reply TEXT] | survey remove ID
  enterprise edit ID [--name N] [--contact C] [--accounts A,B] … | enterprise report ID [--from DAY] [--until DAY] [--by-account]
  audit [--object TYPE[:ID]] [--user NAME] [--limit N]       who changed what (org, user, account, api_key, …)
`

// adminOut is where admin commands print (tests capture it).
var adminOut io.Writer = os.Stdout

type adminClient struct {
	server, token string
	json          bool
	http          *http.Client
	out           io.Writer
}

func runAdmin(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, adminUsage) }
	c := &adminClient{http: &http.Client{Timeout: 60 * time.Second}, out: adminOut}
	fs.StringVar(&c.server, "server", os.Getenv("HONGYAN_SERVER"), "platform URL, e.g. http://127.0.0.1:8080")
	fs.StringVar(&c.token, "token", os.Getenv("HONGYAN_TOKEN"), "administrator token")
	fs.BoolVar(&c.json, "json", false, "print the server's JSON answers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return errors.New("no command given")
	}
	noun, verb, tail := rest[0], "", rest[1:]
	if c.server != "" && !strings.Contains(c.server, "://") {
		c.server = "http://" + c.server
	}
	c.server = strings.TrimRight(c.server, "/")
	if noun != "login" {
		if err := c.useSavedLogin(); err != nil {
			return err
		}
	}
	if c.server == "" {
		c.server = "http://127.0.0.1:8080"
	}
	if noun == "login" {
		return c.login(ctx, tail)
	}
	if c.token == "" {
		return errors.New("no administrator token: run hongyan admin login, or give --token / set HONGYAN_TOKEN (hongyan demo prints one)")
	}
	switch noun {
	case "logout":
		return c.logout(ctx, tail)
	case "whoami":
		return c.whoami(ctx)
	}
	if len(tail) > 0 {
		verb, tail = tail[0], tail[1:]
	}
	switch noun + " " + verb {
	case "blacklist add":
		return c.blacklistAdd(ctx, tail)
	case "blacklist import":
		return c.blacklistImport(ctx, tail)
	case "blacklist remove":
		return c.blacklistRemove(ctx, tail)
	case "blacklist list":
		return c.blacklistList(ctx, tail)
	case "keyword add":
		return c.keywordAdd(ctx, tail)
	case "keyword list":
		return c.keywordList(ctx, tail)
	case "review " + verb:
		return c.reviewQueue(ctx, verb, tail) // admin_review.go
	case "keyword remove":
		return c.simpleDelete(ctx, tail, "keyword remove ID", "/api/v1/admin/filter-words/")
	case "account list":
		return c.accountList(ctx)
	case "account recharge":
		return c.accountRecharge(ctx, tail)
	case "account ledger":
		return c.accountLedger(ctx, tail)
	case "org add":
		return c.orgAdd(ctx, tail)
	case "org list":
		return c.orgList(ctx, tail)
	case "user add":
		return c.userAdd(ctx, tail)
	case "user list":
		return c.userList(ctx, tail)
	case "user disable":
		return c.userEnable(ctx, tail, false)
	case "user enable":
		return c.userEnable(ctx, tail, true)
	case "user passwd":
		return c.userPasswd(ctx, tail)
	case "account add":
		return c.accountAdd(ctx, tail)
	case "account key":
		return c.accountKey(ctx, tail)
	case "key add":
		return c.keyAdd(ctx, tail)
	case "key list":
		return c.keyList(ctx, tail)
	case "key revoke":
		return c.keyRevoke(ctx, tail)
	case "stats " + verb: // a noun alone: its flags follow
		return c.stats(ctx, rest[1:])
	case "settlement " + verb:
		return c.settlement(ctx, rest[1:])
	case "reconcile " + verb:
		return c.reconcile(ctx, rest[1:])
	case "mo-route list":
		return c.moRouteList(ctx)
	case "mo-route add":
		return c.moRouteAdd(ctx, tail)
	case "mo-route remove":
		return c.simpleDelete(ctx, tail, "mo-route remove ID", "/api/v1/admin/mo-routes/")
	case "business list":
		return c.businessList(ctx)
	case "business add":
		return c.businessAdd(ctx, tail)
	case "business update":
		return c.businessUpdate(ctx, tail)
	case "business disable":
		return c.businessEnable(ctx, tail, false)
	case "business enable":
		return c.businessEnable(ctx, tail, true)
	case "grant list":
		return c.grantList(ctx, tail)
	case "grant set":
		return c.grantSet(ctx, tail)
	case "account limits":
		return c.accountLimits(ctx, tail)
	}
	if noun == "signature" || noun == "template" { // admin_templates.go
		return c.templated(ctx, noun, verb, tail)
	}
	if noun == "subscription" {
		return c.subscription(ctx, verb, tail) // admin_subscriptions.go
	}
	if noun == "segment" || noun == "ported" {
		return c.segmentCommand(ctx, noun, verb, tail) // admin_segments.go
	}
	if noun == "library" || noun == "customer" || noun == "enterprise" { // admin_library.go
		return c.libraryCommand(ctx, noun, verb, tail)
	}
	if noun == "survey" { // admin_library_edit.go
		return c.surveyCommand(ctx, verb, tail)
	}
	if noun == "audit" {
		return c.audit(ctx, rest[1:])
	}
	if noun == "refusals" {
		return c.refusals(ctx, rest[1:])
	}
	fs.Usage()
	return fmt.Errorf("unknown command %q", strings.TrimSpace(noun+" "+verb))
}

// parseMixed parses flags wherever they appear among the positional
// arguments ("blacklist add 137… --business x" and "--business x 137…").
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// apiError is the platform's one error shape.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

// call sends a request and decodes the JSON answer into out (may be nil).
func (c *adminClient) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return &apiError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	if c.json && len(b) > 0 {
		fmt.Fprint(c.out, string(b))
	}
	if out != nil && len(b) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber() // money stays as the server wrote it: 1000250.500
		if err := dec.Decode(out); err != nil {
			return fmt.Errorf("%s %s: answer is not JSON: %w", method, path, err)
		}
	}
	return nil
}

func (c *adminClient) table(header string, rows [][]string) {
	if c.json {
		return
	}
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func (c *adminClient) say(format string, args ...any) {
	if !c.json {
		fmt.Fprintf(c.out, format+"\n", args...)
	}
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// ---- blacklist ----

func (c *adminClient) blacklistAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("blacklist add", flag.ContinueOnError)
	business := fs.String("business", "", "business type code (default: every type)")
	reason := fs.String("reason", "", "why")
	nums, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(nums) == 0 {
		return errors.New("usage: hongyan admin blacklist add NUMBER… [--business CODE] [--reason TEXT]")
	}
	var res struct{ Added, Numbers int }
	if err := c.call(ctx, "POST", "/api/v1/admin/blacklist", map[string]any{"numbers": nums, "business": *business, "reason": *reason}, &res); err != nil {
		return err
	}
	c.say("blacklisted %d number(s) for %s (%d new)", res.Numbers, scopeName(*business), res.Added)
	return nil
}

func scopeName(business string) string {
	if business == "" {
		return "every business type"
	}
	return "business type " + business
}

// blacklistImport sends a file's numbers in chunks, with progress on
// stderr. A bad number stops the import at its chunk and names the line;
// chunks before it are stored (adding is idempotent, so run it again after fixing the file).
func (c *adminClient) blacklistImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("blacklist import", flag.ContinueOnError)
	business := fs.String("business", "", "business type code (default: every type)")
	reason := fs.String("reason", "", "why")
	files, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New("usage: hongyan admin blacklist import FILE [--business CODE] [--reason TEXT]")
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	type num struct {
		n    string
		line int
	}
	var all []num
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if i := strings.IndexAny(t, ",;\t"); i >= 0 {
			t = strings.TrimSpace(t[:i])
		}
		t = strings.Trim(t, `"`)
		if t == "" || strings.HasPrefix(t, "#") || (line == 1 && strings.Trim(t, "+0123456789 -") != "") {
			continue // blank, comment, or a header row
		}
		all = append(all, num{t, line})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	const chunk = 1000
	added := 0
	for i := 0; i < len(all); i += chunk {
		part := all[i:min(i+chunk, len(all))]
		nums := make([]string, len(part))
		for j, p := range part {
			nums[j] = p.n
		}
		var res struct{ Added int }
		err := c.call(ctx, "POST", "/api/v1/admin/blacklist", map[string]any{"numbers": nums, "business": *business, "reason": *reason, "source": "import"}, &res)
		if err != nil {
			var ae *apiError
			if errors.As(err, &ae) && ae.Code == "invalid_number" {
				// The server names the position in the chunk ("number 7 …"): map it to the file's line.
				if k, ok := positionIn(ae.Message); ok && k <= len(part) {
					return fmt.Errorf("%s line %d: %s (numbers before this chunk were imported)", files[0], part[k-1].line, ae.Message)
				}
			}
			return err
		}
		added += res.Added
		fmt.Fprintf(os.Stderr, "\rimported %d / %d", min(i+chunk, len(all)), len(all))
	}
	if len(all) > 0 {
		fmt.Fprintln(os.Stderr)
	}
	c.say("imported %d number(s) for %s (%d new)", len(all), scopeName(*business), added)
	return nil
}

func positionIn(msg string) (int, bool) {
	rest, ok := strings.CutPrefix(msg, "number ")
	if !ok {
		return 0, false
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end <= 0 {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:end])
	return n, err == nil
}

func (c *adminClient) blacklistRemove(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("blacklist remove", flag.ContinueOnError)
	business := fs.String("business", "", "business type code (default: the global entry)")
	nums, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(nums) != 1 {
		return errors.New("usage: hongyan admin blacklist remove NUMBER [--business CODE]")
	}
	if err := c.call(ctx, "DELETE", "/api/v1/admin/blacklist/"+url.PathEscape(nums[0])+"?business="+url.QueryEscape(*business), nil, nil); err != nil {
		return err
	}
	c.say("removed %s from the blacklist of %s", nums[0], scopeName(*business))
	return nil
}

func (c *adminClient) blacklistList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("blacklist list", flag.ContinueOnError)
	number := fs.String("number", "", "only this number")
	limit := fs.Int("limit", 100, "at most this many")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	var res struct{ Blacklist []map[string]any }
	q := url.Values{"number": {*number}, "limit": {strconv.Itoa(*limit)}}
	if err := c.call(ctx, "GET", "/api/v1/admin/blacklist?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, e := range res.Blacklist {
		b := str(e["business"])
		if b == "" {
			b = "*"
		}
		rows = append(rows, []string{str(e["number"]), b, str(e["source"]), str(e["reason"]), str(e["created_at"])})
	}
	c.table("NUMBER\tBUSINESS\tSOURCE\tREASON\tADDED", rows)
	return nil
}

// ---- forbidden words ----

func (c *adminClient) keywordAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("keyword add", flag.ContinueOnError)
	action := fs.String("action", "reject", reviewAction)
	words, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return errors.New("usage: hongyan admin keyword add WORD… [--action reject|review]")
	}
	for _, w := range words {
		var res map[string]any
		if err := c.call(ctx, "POST", "/api/v1/admin/filter-words", map[string]any{"word": w, "action": *action}, &res); err != nil {
			return fmt.Errorf("%q: %w", w, err)
		}
		c.say("forbidden word %q added (id %s, %s)", w, str(res["id"]), str(res["action"]))
	}
	return nil
}

func (c *adminClient) keywordList(ctx context.Context, _ []string) error {
	var res struct{ Words []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/filter-words", nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, w := range res.Words {
		rows = append(rows, []string{str(w["id"]), str(w["word"]), str(w["action"]), str(w["created_at"])})
	}
	c.table("ID\tWORD\tACTION\tADDED", rows)
	return nil
}

func (c *adminClient) simpleDelete(ctx context.Context, args []string, usage, prefix string) error {
	if len(args) != 1 {
		return errors.New("usage: hongyan admin " + usage)
	}
	if err := c.call(ctx, "DELETE", prefix+url.PathEscape(args[0]), nil, nil); err != nil {
		return err
	}
	c.say("removed %s", args[0])
	return nil
}

// ---- accounts ----

func (c *adminClient) accounts(ctx context.Context) ([]map[string]any, error) {
	var res struct{ Accounts []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/accounts", nil, &res); err != nil {
		return nil, err
	}
	return res.Accounts, nil
}

// accountID resolves a name or id.
func (c *adminClient) accountID(ctx context.Context, nameOrID string) (string, error) {
	accs, err := c.accounts(ctx)
	if err != nil {
		return "", err
	}
	for _, a := range accs {
		if str(a["id"]) == nameOrID || str(a["name"]) == nameOrID {
			return str(a["id"]), nil
		}
	}
	return "", fmt.Errorf("no account named or numbered %q", nameOrID)
}

func (c *adminClient) accountList(ctx context.Context) error {
	saved := c.json
	c.json = false // print one answer, not the look-up's
	accs, err := c.accounts(ctx)
	c.json = saved
	if err != nil {
		return err
	}
	if c.json {
		return json.NewEncoder(c.out).Encode(map[string]any{"accounts": accs})
	}
	var rows [][]string
	for _, a := range accs {
		rows = append(rows, []string{str(a["id"]), str(a["name"]), str(a["balance"]), str(a["reserved"]), str(a["credit_limit"]), str(a["service_code"])})
	}
	c.table("ID\tNAME\tBALANCE\tRESERVED\tCREDIT\tSERVICE CODE", rows)
	return nil
}

func (c *adminClient) lookupAccount(ctx context.Context, nameOrID string) (string, error) {
	saved := c.json
	c.json = false
	defer func() { c.json = saved }()
	return c.accountID(ctx, nameOrID)
}

func (c *adminClient) accountRecharge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("account recharge", flag.ContinueOnError)
	note := fs.String("note", "", "e.g. the bank transfer's reference")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("usage: hongyan admin account recharge ACCOUNT AMOUNT [--note TEXT]")
	}
	amount, err := strconv.ParseFloat(pos[1], 64)
	if err != nil {
		return fmt.Errorf("amount %q: want yuan, e.g. 500 or 12.5", pos[1])
	}
	id, err := c.lookupAccount(ctx, pos[0])
	if err != nil {
		return err
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/accounts/"+id+"/recharge", map[string]any{"amount": amount, "note": *note}, &res); err != nil {
		return err
	}
	c.say("account %s: balance now %s yuan", pos[0], str(res["balance"]))
	return nil
}

func (c *adminClient) accountLedger(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("account ledger", flag.ContinueOnError)
	limit := fs.Int("limit", 50, "at most this many entries")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: hongyan admin account ledger ACCOUNT [--limit N]")
	}
	id, err := c.lookupAccount(ctx, pos[0])
	if err != nil {
		return err
	}
	var res struct{ Ledger []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/accounts/"+id+"/ledger?limit="+strconv.Itoa(*limit), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, e := range res.Ledger {
		rows = append(rows, []string{str(e["at"]), str(e["kind"]), str(e["amount"]), str(e["balance_after"]), str(e["messages"]), str(e["actor"]), str(e["note"])})
	}
	c.table("AT\tKIND\tAMOUNT\tBALANCE\tMESSAGES\tBY\tNOTE", rows)
	return nil
}

// ---- MO routes ----

func (c *adminClient) moRouteList(ctx context.Context) error {
	var res struct {
		Routes []map[string]any `json:"mo_routes"`
	}
	if err := c.call(ctx, "GET", "/api/v1/admin/mo-routes", nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, r := range res.Routes {
		kw := str(r["keyword"])
		if kw == "" {
			kw = "*"
		}
		rows = append(rows, []string{str(r["id"]), str(r["service_code"]), kw, str(r["account_id"]), str(r["business"]), str(r["url"])})
	}
	c.table("ID\tSERVICE CODE\tKEYWORD\tACCOUNT\tBUSINESS\tURL", rows)
	return nil
}

func (c *adminClient) moRouteAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("mo-route add", flag.ContinueOnError)
	code := fs.String("service-code", "", "the number (or extension) users reply to")
	kw := fs.String("keyword", "", "the reply starts with it (default: any text)")
	acct := fs.String("account", "", "account name or id")
	biz := fs.String("business", "", "business type code")
	u := fs.String("url", "", "receive URL (default: the account's)")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	if *code == "" || *acct == "" {
		return errors.New("usage: hongyan admin mo-route add --service-code CODE [--keyword KW] --account ACCOUNT [--business CODE] [--url URL]")
	}
	id, err := c.lookupAccount(ctx, *acct)
	if err != nil {
		return err
	}
	var res map[string]any
	body := map[string]any{"service_code": *code, "keyword": *kw, "account_id": id, "business": *biz, "url": *u}
	if err := c.call(ctx, "POST", "/api/v1/admin/mo-routes", body, &res); err != nil {
		return err
	}
	c.say("MO route %s added: %s %q → account %s", str(res["id"]), *code, str(res["keyword"]), *acct)
	return nil
}

// ---- refusals ----

func (c *adminClient) refusals(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("refusals", flag.ContinueOnError)
	acct := fs.String("account", "", "account name or id (default: all)")
	limit := fs.Int("limit", 50, "at most this many")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *acct != "" {
		id, err := c.lookupAccount(ctx, *acct)
		if err != nil {
			return err
		}
		q.Set("account_id", id)
	}
	var res struct{ Refusals []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/refusals?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, r := range res.Refusals {
		rows = append(rows, []string{str(r["at"]), str(r["account_id"]), str(r["kind"]), str(r["business"]), str(r["number"]), str(r["detail"])})
	}
	c.table("AT\tACCOUNT\tKIND\tBUSINESS\tNUMBER\tDETAIL", rows)
	return nil
}
