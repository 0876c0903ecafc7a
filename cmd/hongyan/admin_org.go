package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Organisations, users, accounts, API keys and the audit log: clients of
// /api/v1/admin/{orgs,users,accounts,audit}. What a caller may do is the
// server's to decide (role and scope); these commands only ask.

// quiet runs fn without printing the server's JSON (a look-up before the real call).
func (c *adminClient) quiet(fn func() error) error {
	saved := c.json
	c.json = false
	defer func() { c.json = saved }()
	return fn()
}

// ---- organisations ----

func (c *adminClient) orgAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("org add", flag.ContinueOnError)
	parent := fs.String("parent", "", "parent organisation's code")
	level := fs.String("level", "", "province, city or county (default: one below the parent)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("usage: hongyan admin org add CODE NAME [--parent CODE] [--level province|city|county]")
	}
	var res map[string]any
	body := map[string]any{"code": pos[0], "name": pos[1], "parent": *parent, "level": *level}
	if err := c.call(ctx, "POST", "/api/v1/admin/orgs", body, &res); err != nil {
		return err
	}
	where := ""
	if *parent != "" {
		where = " below " + *parent
	}
	c.say("organisation %s %s added (id %s, %s%s)", str(res["code"]), str(res["name"]), str(res["id"]), str(res["level"]), where)
	return nil
}

func (c *adminClient) orgList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("org list", flag.ContinueOnError)
	tree := fs.Bool("tree", false, "show the tree, indented")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	if *tree {
		var res struct{ Tree []map[string]any }
		if err := c.call(ctx, "GET", "/api/v1/admin/orgs?view=tree", nil, &res); err != nil {
			return err
		}
		if !c.json {
			printOrgTree(c, res.Tree, 0)
		}
		return nil
	}
	var res struct{ Orgs []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/orgs", nil, &res); err != nil {
		return err
	}
	byID := map[string]string{}
	for _, o := range res.Orgs {
		byID[str(o["id"])] = str(o["code"])
	}
	var rows [][]string
	for _, o := range res.Orgs {
		rows = append(rows, []string{str(o["id"]), str(o["code"]), str(o["level"]), str(o["name"]), byID[str(o["parent_id"])]})
	}
	c.table("ID\tCODE\tLEVEL\tNAME\tPARENT", rows)
	return nil
}

func printOrgTree(c *adminClient, nodes []map[string]any, depth int) {
	for _, n := range nodes {
		fmt.Fprintf(c.out, "%s%s %s (%s, id %s)\n", strings.Repeat("  ", depth), str(n["code"]), str(n["name"]), str(n["level"]), str(n["id"]))
		var kids []map[string]any
		if ks, ok := n["children"].([]any); ok {
			for _, k := range ks {
				if m, ok := k.(map[string]any); ok {
					kids = append(kids, m)
				}
			}
		}
		printOrgTree(c, kids, depth+1)
	}
}

// ---- users ----

// userID finds a user's id by username (within what the caller sees).
func (c *adminClient) userID(ctx context.Context, name string) (string, error) {
	var res struct{ Users []map[string]any }
	err := c.quiet(func() error {
		return c.call(ctx, "GET", "/api/v1/admin/users?username="+url.QueryEscape(name), nil, &res)
	})
	if err != nil {
		return "", err
	}
	if len(res.Users) != 1 {
		return "", fmt.Errorf("no user %q (that you can see)", name)
	}
	return str(res.Users[0]["id"]), nil
}

func (c *adminClient) userAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	role := fs.String("role", "", "platform_admin, org_admin, operator, auditor or partner")
	org := fs.String("org", "", "organisation code")
	acct := fs.String("account", "", "account name or id (a partner user's partner account)")
	pw := fs.String("password", "", "password (default: one is made and shown once)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *role == "" {
		return errors.New("usage: hongyan admin user add USERNAME --role ROLE [--org CODE] [--account ACCOUNT] [--password PW]")
	}
	body := map[string]any{"username": pos[0], "role": *role, "password": *pw}
	if *org != "" {
		body["org"] = *org
	}
	if *acct != "" {
		id, err := c.lookupAccount(ctx, *acct)
		if err != nil {
			return err
		}
		body["account_id"] = id
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/users", body, &res); err != nil {
		return err
	}
	c.say("user %s added (id %s, %s%s)", str(res["username"]), str(res["id"]), str(res["role"]), orgSuffix(res))
	if p := str(res["password"]); p != "" {
		c.say("password: %s (shown once)", p)
	}
	return nil
}

func orgSuffix(m map[string]any) string {
	if o := str(m["org"]); o != "" {
		return ", " + o
	}
	return ""
}

func (c *adminClient) userList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("user list", flag.ContinueOnError)
	org := fs.String("org", "", "only this organisation's (code)")
	role := fs.String("role", "", "only this role")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	q := url.Values{}
	if *role != "" {
		q.Set("role", *role)
	}
	var res struct{ Users []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/users?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, u := range res.Users {
		if *org != "" && str(u["org"]) != *org {
			continue
		}
		state := "enabled"
		if u["disabled"] == true {
			state = "disabled"
		}
		rows = append(rows, []string{str(u["id"]), str(u["username"]), str(u["role"]), str(u["org"]), str(u["account_id"]), state})
	}
	c.table("ID\tUSERNAME\tROLE\tORG\tACCOUNT\tSTATE", rows)
	return nil
}

// userPatch sends a change to one user found by name.
func (c *adminClient) userPatch(ctx context.Context, name string, body map[string]any) (map[string]any, error) {
	id, err := c.userID(ctx, name)
	if err != nil {
		return nil, err
	}
	var res map[string]any
	return res, c.call(ctx, "PATCH", "/api/v1/admin/users/"+id, body, &res)
}

func (c *adminClient) userEnable(ctx context.Context, args []string, enable bool) error {
	verb := map[bool]string{true: "enable", false: "disable"}[enable]
	if len(args) != 1 {
		return errors.New("usage: hongyan admin user " + verb + " USERNAME")
	}
	if _, err := c.userPatch(ctx, args[0], map[string]any{"disabled": !enable}); err != nil {
		return err
	}
	c.say("user %s %sd", args[0], verb)
	return nil
}

func (c *adminClient) userPasswd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("user passwd", flag.ContinueOnError)
	pw := fs.String("password", "", "the new password (default: one is made and shown once)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: hongyan admin user passwd USERNAME [--password PW]")
	}
	body := map[string]any{"reset_password": true}
	if *pw != "" {
		body = map[string]any{"password": *pw}
	}
	res, err := c.userPatch(ctx, pos[0], body)
	if err != nil {
		return err
	}
	c.say("password of %s reset; their sessions ended", pos[0])
	if p := str(res["password"]); p != "" {
		c.say("password: %s (shown once)", p)
	}
	return nil
}

// ---- accounts and keys ----

func (c *adminClient) accountAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("account add", flag.ContinueOnError)
	org := fs.String("org", "", "organisation code")
	kind := fs.String("kind", "unit", "unit or partner")
	code := fs.String("service-code", "", "long number (platform administrators only)")
	balance := fs.Float64("balance", 0, "opening balance, yuan")
	credit := fs.Float64("credit", 0, "credit limit, yuan (postpaid)")
	cb := fs.String("callback-url", "", "receive URL for MO and status pushes")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: hongyan admin account add NAME --org CODE [--kind unit|partner] [--service-code CODE] [--balance YUAN] [--credit YUAN] [--callback-url URL]")
	}
	body := map[string]any{"name": pos[0], "kind": *kind, "balance": *balance, "credit_limit": *credit, "callback_url": *cb}
	if *org != "" {
		body["org"] = *org
	}
	if *code != "" {
		body["service_code"] = *code
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/accounts", body, &res); err != nil {
		return err
	}
	c.say("account %s added (id %s, %s%s, balance %s yuan)", str(res["name"]), str(res["id"]), str(res["kind"]), orgSuffix(res), str(res["balance"]))
	c.say("push secret: %s (shown once)", str(res["secret"]))
	return nil
}

// accountKey dispatches "account key add|list|revoke …".
func (c *adminClient) accountKey(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: hongyan admin account key add|list|revoke ACCOUNT [PREFIX]")
	}
	switch args[0] {
	case "add":
		return c.keyAdd(ctx, args[1:])
	case "list":
		return c.keyList(ctx, args[1:])
	case "revoke":
		return c.keyRevoke(ctx, args[1:])
	}
	return fmt.Errorf("unknown command %q: want account key add|list|revoke", "account key "+args[0])
}

func (c *adminClient) keyAdd(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: hongyan admin key add ACCOUNT")
	}
	id, err := c.lookupAccount(ctx, args[0])
	if err != nil {
		return err
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/accounts/"+id+"/keys", nil, &res); err != nil {
		return err
	}
	c.say("API key of %s: %s", args[0], str(res["key"]))
	c.say("shown once; it is listed and revoked by its prefix %s", str(res["prefix"]))
	return nil
}

func (c *adminClient) keyList(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: hongyan admin key list ACCOUNT")
	}
	id, err := c.lookupAccount(ctx, args[0])
	if err != nil {
		return err
	}
	var res struct{ Keys []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/accounts/"+id+"/keys", nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, k := range res.Keys {
		state := "live"
		if k["revoked"] == true {
			state = "revoked"
		}
		rows = append(rows, []string{str(k["prefix"]), str(k["created_at"]), state})
	}
	c.table("PREFIX\tCREATED\tSTATE", rows)
	return nil
}

func (c *adminClient) keyRevoke(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: hongyan admin key revoke ACCOUNT PREFIX")
	}
	id, err := c.lookupAccount(ctx, args[0])
	if err != nil {
		return err
	}
	if err := c.call(ctx, "DELETE", "/api/v1/admin/accounts/"+id+"/keys/"+url.PathEscape(args[1]), nil, nil); err != nil {
		return err
	}
	c.say("revoked key %s of %s", args[1], args[0])
	return nil
}

// ---- audit ----

func (c *adminClient) audit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	object := fs.String("object", "", "object type, or TYPE:ID (org, user, account, api_key, blacklist, filter_word, mo_route)")
	user := fs.String("user", "", "who made the change")
	limit := fs.Int("limit", 50, "at most this many")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *object != "" {
		q.Set("object", *object)
	}
	if *user != "" {
		q.Set("user", *user)
	}
	var res struct{ Audit []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/audit?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, e := range res.Audit {
		obj := str(e["object"])
		if id := str(e["object_id"]); id != "" {
			obj += ":" + id
		}
		rows = append(rows, []string{str(e["id"]), str(e["at"]), str(e["username"]), str(e["action"]), obj, label(e), brief(e["after"])})
	}
	c.table("ID\tAT\tUSER\tACTION\tOBJECT\tNAME\tAFTER", rows)
	return nil
}

// label names an entry's object as people do: by name, code or word.
func label(e map[string]any) string {
	for _, side := range []string{"after", "before"} {
		m, _ := e[side].(map[string]any)
		for _, k := range []string{"name", "username", "code", "word", "number", "prefix"} {
			if v := str(m[k]); v != "" {
				return v
			}
		}
	}
	return "-"
}

// brief is a JSON value on one short line.
func brief(v any) string {
	if v == nil {
		return "-"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	s := string(b)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}
