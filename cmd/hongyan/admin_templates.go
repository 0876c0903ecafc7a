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

// hongyan admin signature|template: a unit's signatures and message
// templates, registered by the unit and approved or rejected by a platform
// administrator, as a client of /api/v1/admin/signatures and /templates.

func (c *adminClient) templated(ctx context.Context, noun, verb string, args []string) error {
	switch noun + " " + verb {
	case "signature add":
		return c.signatureAdd(ctx, args)
	case "signature list":
		return c.signatureList(ctx, args)
	case "signature approve", "template approve":
		return c.review(ctx, noun, args, true)
	case "signature reject", "template reject":
		return c.review(ctx, noun, args, false)
	case "signature default":
		if len(args) != 1 {
			return errors.New("usage: hongyan admin signature default ID")
		}
		var res map[string]any
		if err := c.call(ctx, "POST", "/api/v1/admin/signatures/"+url.PathEscape(args[0])+"/default", nil, &res); err != nil {
			return err
		}
		c.say("signature %s %s is now the default of %s", str(res["id"]), str(res["text"]), ownerText(res))
		return nil
	case "signature remove":
		return c.simpleDelete(ctx, args, "signature remove ID", "/api/v1/admin/signatures/")
	case "template add":
		return c.templateAdd(ctx, args)
	case "template list":
		return c.templateList(ctx, args)
	case "template remove":
		return c.simpleDelete(ctx, args, "template remove ID", "/api/v1/admin/templates/")
	}
	return fmt.Errorf("unknown command %q (see hongyan admin --help)", strings.TrimSpace(noun+" "+verb))
}

// ownerFlags registers --account and --org; owner puts what was given into
// a request body (an id as *_id, a name or code as is).
func ownerFlags(fs *flag.FlagSet) func(body map[string]any) error {
	acct := fs.String("account", "", "the owning account (name or id)")
	org := fs.String("org", "", "the owning organisation (code or id)")
	return func(body map[string]any) error {
		if *acct != "" && *org != "" {
			return errors.New("give --account or --org, not both")
		}
		for _, o := range []struct{ key, v string }{{"account", *acct}, {"org", *org}} {
			if o.v == "" {
				continue
			}
			if _, err := strconv.ParseInt(o.v, 10, 64); err == nil {
				body[o.key+"_id"] = o.v
			} else {
				body[o.key] = o.v
			}
		}
		return nil
	}
}

// ownerQuery is the list filter of --account / --org.
func ownerQuery(q url.Values, acct, org string) {
	if acct != "" {
		q.Set("account", acct)
	}
	if org != "" {
		q.Set("org", org)
	}
}

// ownerText names the owner of a signature or template as the API gave it.
func ownerText(m map[string]any) string {
	if a := str(m["account"]); a != "" {
		return "account " + a
	}
	if o := str(m["org"]); o != "" {
		return "organisation " + o
	}
	if a := str(m["account_id"]); a != "" {
		return "account " + a
	}
	return "organisation " + str(m["org_id"])
}

func (c *adminClient) signatureAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("signature add", flag.ContinueOnError)
	owner := ownerFlags(fs)
	def := fs.Bool("default", false, "make it the owner's default signature")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: hongyan admin signature add TEXT [--account A | --org O] [--default]")
	}
	body := map[string]any{"text": pos[0], "default": *def}
	if err := owner(body); err != nil {
		return err
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/signatures", body, &res); err != nil {
		return err
	}
	c.say("signature %s %s registered for %s: %s (a platform administrator approves it: hongyan admin signature approve %s)",
		str(res["id"]), str(res["text"]), ownerText(res), str(res["state"]), str(res["id"]))
	return nil
}

func (c *adminClient) signatureList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("signature list", flag.ContinueOnError)
	state := fs.String("state", "", "pending, approved or rejected")
	acct := fs.String("account", "", "only this account's (name or id)")
	org := fs.String("org", "", "only this organisation's (code or id)")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	q := url.Values{}
	if *state != "" {
		q.Set("state", *state)
	}
	ownerQuery(q, *acct, *org)
	var res struct{ Signatures []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/signatures?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, s := range res.Signatures {
		def := ""
		if s["default"] == true {
			def = "yes"
		}
		rows = append(rows, []string{str(s["id"]), str(s["text"]), ownerText(s), def, str(s["state"]), str(s["reason"]),
			str(s["created_by"]), str(s["reviewed_by"])})
	}
	c.table("ID\tSIGNATURE\tOWNER\tDEFAULT\tSTATE\tREASON\tBY\tREVIEWED BY", rows)
	return nil
}

// review approves or rejects a signature or template.
func (c *adminClient) review(ctx context.Context, noun string, args []string, approve bool) error {
	verb := map[bool]string{true: "approve", false: "reject"}[approve]
	fs := flag.NewFlagSet(noun+" "+verb, flag.ContinueOnError)
	reason := fs.String("reason", "", "why it is rejected (shown to the unit)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (!approve && strings.TrimSpace(*reason) == "") {
		if approve {
			return fmt.Errorf("usage: hongyan admin %s approve ID", noun)
		}
		return fmt.Errorf("usage: hongyan admin %s reject ID --reason TEXT", noun)
	}
	var body any
	if !approve {
		body = map[string]any{"reason": *reason}
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/"+noun+"s/"+url.PathEscape(pos[0])+"/"+verb, body, &res); err != nil {
		return err
	}
	what := str(res["text"])
	if noun == "template" {
		what = str(res["code"])
	}
	c.say("%s %s %s of %s: %s", noun, str(res["id"]), what, ownerText(res), str(res["state"]))
	return nil
}

func (c *adminClient) templateAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("template add", flag.ContinueOnError)
	owner := ownerFlags(fs)
	business := fs.String("business", "", "the business type it is for")
	text := fs.String("text", "", "the text, with variables as {name}")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *business == "" || *text == "" {
		return errors.New("usage: hongyan admin template add CODE --business B --text TEXT [--account A | --org O]")
	}
	body := map[string]any{"code": pos[0], "business": *business, "text": *text}
	if err := owner(body); err != nil {
		return err
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/templates", body, &res); err != nil {
		return err
	}
	c.say("template %s %s registered for %s (%s, variables %s): %s", str(res["id"]), str(res["code"]), ownerText(res),
		str(res["business"]), variablesText(res["variables"]), str(res["state"]))
	return nil
}

func variablesText(v any) string {
	l, _ := v.([]any)
	if len(l) == 0 {
		return "none"
	}
	names := make([]string, len(l))
	for i, x := range l {
		names[i] = "{" + str(x) + "}"
	}
	return strings.Join(names, ", ")
}

func (c *adminClient) templateList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("template list", flag.ContinueOnError)
	state := fs.String("state", "", "pending, approved or rejected")
	business := fs.String("business", "", "only this business type's")
	acct := fs.String("account", "", "only this account's (name or id)")
	org := fs.String("org", "", "only this organisation's (code or id)")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	q := url.Values{}
	if *state != "" {
		q.Set("state", *state)
	}
	if *business != "" {
		q.Set("business", *business)
	}
	ownerQuery(q, *acct, *org)
	var res struct{ Templates []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/templates?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, t := range res.Templates {
		rows = append(rows, []string{str(t["id"]), str(t["code"]), str(t["business"]), ownerText(t), str(t["state"]),
			str(t["text"]), str(t["reason"])})
	}
	c.table("ID\tCODE\tBUSINESS\tOWNER\tSTATE\tTEXT\tREASON", rows)
	return nil
}
