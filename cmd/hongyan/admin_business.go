package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// hongyan admin business|grant|account limits: business types, grants of
// business types to organisations and accounts, and account limits, as
// clients of /api/v1/admin/business-types, /grants and
// /accounts/{id}/limits.

const businessFlagsUsage = `[--name NAME] [--priority 0|1|2] [--fee YUAN] [--charge-mode per_message|monthly|monthly_capped|free]
      [--monthly-fee YUAN] [--monthly-cap YUAN] [--charge-on delivered|submitted] [--report-required=true|false]
      [--max-retries N] [--retry-interval 5s] [--validity 48h] [--max-segments N] [--at-least-once=true|false]
      [--service-code CODE] [--keywords KW,KW…] [--send-hours 08:00-21:00]
      [--template-required=true|false] [--signature none|prefix|suffix] [--unsubscribe-text 回T退订]
      [--freq-limit N --freq-window 1h]`

// businessFlags registers the settings of a business type; set reports
// which were given, as the API body wants them.
func businessFlags(fs *flag.FlagSet) func() map[string]any {
	name := fs.String("name", "", "display name")
	priority := fs.Int("priority", 1, "lane: 0 verification codes, 1 notices, 2 marketing")
	fee := fs.Float64("fee", 0, "yuan per segment")
	mode := fs.String("charge-mode", "", "per_message, monthly, monthly_capped or free")
	mfee := fs.Float64("monthly-fee", 0, "yuan per subscriber and month (monthly)")
	mcap := fs.Float64("monthly-cap", 0, "yuan a subscriber pays at most a month (monthly_capped)")
	on := fs.String("charge-on", "", "delivered or submitted")
	reports := fs.Bool("report-required", true, "the type needs status reports")
	retries := fs.Int("max-retries", 3, "extra attempts after a failed submit")
	interval := fs.String("retry-interval", "", "first retry after this long (doubles per attempt), e.g. 5s")
	validity := fs.String("validity", "", "how long a message may wait to be sent, e.g. 48h (0 = platform default)")
	segs := fs.Int("max-segments", 0, "texts longer than this are refused (0 = platform limit)")
	alo := fs.Bool("at-least-once", true, "after a crash, resend a message in doubt (false: mark it unknown)")
	code := fs.String("service-code", "", "the type's long number or extension")
	kws := fs.String("keywords", "", "comma-separated MO keywords that reach this type")
	hours := fs.String("send-hours", "", `sending hours, e.g. 08:00-21:00 ("" = any time)`)
	tmplReq := fs.Bool("template-required", false, "free text is refused: approved templates only")
	sig := fs.String("signature", "", "where the sending unit's signature goes: none, prefix or suffix")
	unsub := fs.String("unsubscribe-text", "", `appended to every message, e.g. 回T退订 ("" = none)`)
	freq := fs.Int("freq-limit", 0, "at most this many messages to one number within --freq-window (0 = no limit)")
	freqWin := fs.String("freq-window", "", "the frequency limit's window, e.g. 1h or 24h")
	return func() map[string]any {
		body := map[string]any{}
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "name":
				body["name"] = *name
			case "priority":
				body["priority"] = *priority
			case "fee":
				body["fee"] = *fee
			case "charge-mode":
				body["charge_mode"] = *mode
			case "monthly-fee":
				body["monthly_fee"] = *mfee
			case "monthly-cap":
				body["monthly_cap"] = *mcap
			case "charge-on":
				body["charge_on"] = *on
			case "report-required":
				body["report_required"] = *reports
			case "max-retries":
				body["max_retries"] = *retries
			case "retry-interval":
				body["retry_interval"] = *interval
			case "validity":
				body["validity"] = *validity
			case "max-segments":
				body["max_segments"] = *segs
			case "at-least-once":
				body["at_least_once"] = *alo
			case "service-code":
				body["service_code"] = *code
			case "keywords":
				body["mo_keywords"] = splitList(*kws)
			case "send-hours":
				body["send_hours"] = *hours
			case "freq-limit":
				body["freq_limit"] = *freq
			case "freq-window":
				body["freq_window"] = *freqWin
			case "template-required":
				body["template_required"] = *tmplReq
			case "signature":
				body["signature"] = *sig
			case "unsubscribe-text":
				body["unsubscribe_text"] = *unsub
			}
		})
		return body
	}
}

// splitList splits "a,b, c" (or "a b") into its non-empty parts.
func splitList(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (c *adminClient) businessAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("business add", flag.ContinueOnError)
	given := businessFlags(fs)
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: hongyan admin business add CODE " + businessFlagsUsage)
	}
	body := given()
	body["code"] = pos[0]
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/business-types", body, &res); err != nil {
		return err
	}
	c.say("business type %s added: %s", str(res["code"]), businessSummary(res))
	return nil
}

func (c *adminClient) businessUpdate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("business update", flag.ContinueOnError)
	given := businessFlags(fs)
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: hongyan admin business update CODE " + businessFlagsUsage)
	}
	body := given()
	if len(body) == 0 {
		return errors.New("business update: give at least one setting to change")
	}
	return c.businessPatch(ctx, pos[0], body, "updated")
}

func (c *adminClient) businessEnable(ctx context.Context, args []string, enable bool) error {
	verb := map[bool]string{true: "enable", false: "disable"}[enable]
	if len(args) != 1 {
		return fmt.Errorf("usage: hongyan admin business %s CODE", verb)
	}
	return c.businessPatch(ctx, args[0], map[string]any{"enabled": enable}, verb+"d")
}

func (c *adminClient) businessPatch(ctx context.Context, code string, body map[string]any, done string) error {
	var res map[string]any
	if err := c.call(ctx, "PATCH", "/api/v1/admin/business-types/"+url.PathEscape(code), body, &res); err != nil {
		return err
	}
	c.say("business type %s %s: %s", code, done, businessSummary(res))
	return nil
}

// businessSummary is one line of a business type's settings.
func businessSummary(b map[string]any) string {
	state := "enabled"
	if b["enabled"] != true {
		state = "disabled"
	}
	s := fmt.Sprintf("%s, %s, fee %s yuan/segment charged on %s", state, str(b["charge_mode"]), str(b["fee"]), str(b["charge_on"]))
	if h := str(b["send_hours"]); h != "" {
		s += ", sends " + h
	}
	if n := str(b["freq_limit"]); n != "" && n != "0" {
		s += ", at most " + n + " per number per " + str(b["freq_window"])
	}
	if b["template_required"] == true {
		s += ", templates only"
	}
	if p := str(b["signature"]); p != "" && p != "none" {
		s += ", signature " + p
	}
	if u := str(b["unsubscribe_text"]); u != "" {
		s += ", appends " + u
	}
	return s
}

func (c *adminClient) businessList(ctx context.Context) error {
	var res struct {
		Types    []map[string]any `json:"business_types"`
		TimeZone string           `json:"time_zone"`
	}
	if err := c.call(ctx, "GET", "/api/v1/admin/business-types", nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, b := range res.Types {
		state := "on"
		if b["enabled"] != true {
			state = "off"
		}
		hours := str(b["send_hours"])
		if hours == "" {
			hours = "any"
		}
		var kws []string
		if l, ok := b["mo_keywords"].([]any); ok {
			for _, k := range l {
				kws = append(kws, str(k))
			}
		}
		reports := "no"
		if b["report_required"] == true {
			reports = "yes"
		}
		rows = append(rows, []string{str(b["code"]), str(b["name"]), state, str(b["priority"]), str(b["charge_mode"]),
			str(b["fee"]), str(b["charge_on"]), reports, str(b["max_retries"]) + "×" + str(b["retry_interval"]), str(b["validity"]),
			hours, str(b["service_code"]), strings.Join(kws, ",")})
	}
	c.table("CODE\tNAME\tON\tLANE\tCHARGING\tFEE\tCHARGED ON\tREPORTS\tRETRIES\tVALIDITY\tHOURS ("+res.TimeZone+")\tSERVICE CODE\tKEYWORDS", rows)
	return nil
}

// ---- grants ----

// grantQuery is ?org=ID or ?account=ID from --org / --account (a name or id).
func (c *adminClient) grantQuery(ctx context.Context, org, acct string) (string, string, error) {
	switch {
	case org != "" && acct != "":
		return "", "", errors.New("give --org or --account, not both")
	case org != "":
		return "org=" + url.QueryEscape(org), "organisation " + org, nil
	case acct != "":
		id, err := c.lookupAccount(ctx, acct)
		if err != nil {
			return "", "", err
		}
		return "account=" + id, "account " + acct, nil
	}
	return "", "", nil
}

func (c *adminClient) grantList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("grant list", flag.ContinueOnError)
	org := fs.String("org", "", "organisation id")
	acct := fs.String("account", "", "account name or id")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	q, who, err := c.grantQuery(ctx, *org, *acct)
	if err != nil {
		return err
	}
	if q == "" {
		var res struct{ Grants []map[string]any }
		if err := c.call(ctx, "GET", "/api/v1/admin/grants", nil, &res); err != nil {
			return err
		}
		var rows [][]string
		for _, g := range res.Grants {
			rows = append(rows, []string{str(g["subject"]), str(g["id"]), str(g["business"]), str(g["created_at"])})
		}
		c.table("SUBJECT\tID\tBUSINESS\tGRANTED", rows)
		return nil
	}
	var res struct{ Business, Effective []string }
	if err := c.call(ctx, "GET", "/api/v1/admin/grants?"+q, nil, &res); err != nil {
		return err
	}
	c.say("%s: granted %s; may use %s", who, listOrNone(res.Business), listOrNone(res.Effective))
	return nil
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	if len(l) == 1 && l[0] == "*" {
		return "every business type"
	}
	return strings.Join(l, ", ")
}

func (c *adminClient) grantSet(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("grant set", flag.ContinueOnError)
	org := fs.String("org", "", "organisation id")
	acct := fs.String("account", "", "account name or id")
	none := fs.Bool("none", false, "take every grant away")
	codes, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	q, who, err := c.grantQuery(ctx, *org, *acct)
	if err != nil {
		return err
	}
	var list []string
	for _, a := range codes {
		list = append(list, splitList(a)...)
	}
	if q == "" || (len(list) == 0) == !*none {
		return errors.New(`usage: hongyan admin grant set (--org ID | --account ACCOUNT) CODE… ("*" = every type) | --none`)
	}
	if list == nil {
		list = []string{}
	}
	var res struct{ Business, Effective []string }
	if err := c.call(ctx, "PUT", "/api/v1/admin/grants?"+q, map[string]any{"business": list}, &res); err != nil {
		return err
	}
	c.say("%s: granted %s; may use %s", who, listOrNone(res.Business), listOrNone(res.Effective))
	return nil
}

// ---- account limits ----

func (c *adminClient) accountLimits(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("account limits", flag.ContinueOnError)
	tps := fs.Int("tps", 0, "messages per second (0 = no limit)")
	quota := fs.Int64("daily-quota", 0, "messages per day (0 = no limit)")
	ips := fs.String("ip-allow", "", `addresses or CIDRs the API may be called from, comma-separated ("" = any)`)
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: hongyan admin account limits ACCOUNT [--tps N] [--daily-quota N] [--ip-allow CIDR,…]")
	}
	id, err := c.lookupAccount(ctx, pos[0])
	if err != nil {
		return err
	}
	path := "/api/v1/admin/accounts/" + id + "/limits"
	saved := c.json
	c.json = false
	var cur struct {
		IPAllow    []string `json:"ip_allow"`
		TPS        int      `json:"tps_limit"`
		DailyQuota int64    `json:"daily_quota"`
		Today      int64    `json:"today"`
	}
	err = c.call(ctx, "GET", path, nil, &cur)
	c.json = saved
	if err != nil {
		return err
	}
	changed := false
	fs.Visit(func(f *flag.Flag) {
		changed = true
		switch f.Name {
		case "tps":
			cur.TPS = *tps
		case "daily-quota":
			cur.DailyQuota = *quota
		case "ip-allow":
			cur.IPAllow = splitList(*ips)
		}
	})
	if changed {
		if cur.IPAllow == nil {
			cur.IPAllow = []string{}
		}
		body := map[string]any{"ip_allow": cur.IPAllow, "tps_limit": cur.TPS, "daily_quota": cur.DailyQuota}
		if err := c.call(ctx, "PUT", path, body, &cur); err != nil {
			return err
		}
	} else if c.json {
		return c.call(ctx, "GET", path, nil, nil)
	}
	limit := func(n int64, unit string) string {
		if n == 0 {
			return "no limit"
		}
		return strconv.FormatInt(n, 10) + " " + unit
	}
	ipText := "any address"
	if len(cur.IPAllow) > 0 {
		ipText = strings.Join(cur.IPAllow, ", ")
	}
	c.say("account %s: %s, %s (%d today), from %s", pos[0], limit(int64(cur.TPS), "messages/s"),
		limit(cur.DailyQuota, "messages/day"), cur.Today, ipText)
	return nil
}
