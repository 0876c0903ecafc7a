package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
)

// hongyan admin subscription …: subscription services and subscriptions
// (M8), a client of /api/v1/admin/subscriptions.

const subscriptionUsage = `usage: hongyan admin subscription COMMAND
  list [--business CODE] [--number NUMBER] [--state active|cancelled|all] [--month 2026-02] [--limit N]
  add BUSINESS NUMBER                        subscribe a number by hand (audited)
  remove BUSINESS NUMBER                     unsubscribe it (audited)
  push BUSINESS TEXT [--after NUMBER]        send TEXT to every active subscriber, as the service's provider
  services                                   subscription services with their subscriber counts
  service set BUSINESS --code CODE --account ACCOUNT   make a business type a subscription service (DG/TD + CODE)
  service remove BUSINESS                    stop it being one (refused while it has subscribers)`

func (c *adminClient) subscription(ctx context.Context, verb string, args []string) error {
	switch verb {
	case "list":
		return c.subscriptionList(ctx, args)
	case "add", "remove":
		if len(args) != 2 {
			return fmt.Errorf("usage: hongyan admin subscription %s BUSINESS NUMBER", verb)
		}
		return c.subscriptionSet(ctx, args[0], args[1], verb == "add")
	case "push":
		return c.subscriptionPush(ctx, args)
	case "services":
		return c.subServices(ctx)
	case "service":
		if len(args) > 0 && args[0] == "set" {
			return c.subServiceSet(ctx, args[1:])
		}
		if len(args) == 2 && args[0] == "remove" {
			return c.simpleDelete(ctx, args[1:], "subscription service remove BUSINESS", "/api/v1/admin/subscriptions/services/")
		}
	}
	return errors.New(subscriptionUsage)
}

func (c *adminClient) subscriptionList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("subscription list", flag.ContinueOnError)
	business := fs.String("business", "", "business type")
	number := fs.String("number", "", "one number's subscriptions")
	state := fs.String("state", "", "active, cancelled or all (default)")
	month := fs.String("month", "", "the month whose charges to show, yyyy-mm (default: this month)")
	limit := fs.Int("limit", 100, "at most this many")
	if pos, err := parseMixed(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return errors.New("usage: hongyan admin subscription list [--business CODE] [--number NUMBER] [--state S] [--month yyyy-mm] [--limit N]")
	}
	q := url.Values{}
	for k, v := range map[string]string{"business": *business, "number": *number, "state": *state, "month": *month} {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("limit", fmt.Sprint(*limit))
	var res struct {
		Subscriptions []map[string]any `json:"subscriptions"`
		Next          string           `json:"next"`
	}
	if err := c.call(ctx, "GET", "/api/v1/admin/subscriptions?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	rows := make([][]string, len(res.Subscriptions))
	for i, x := range res.Subscriptions {
		paid := ""
		if x["monthly_fee_charged"] == true {
			paid = " (monthly fee)"
		}
		since := str(x["since"])
		if x["state"] == "cancelled" {
			since += " → " + str(x["cancelled_at"])
		}
		rows[i] = []string{str(x["business"]), str(x["number"]), str(x["state"]), str(x["source"]), since, str(x["month_charged"]) + paid}
	}
	c.table("BUSINESS\tNUMBER\tSTATE\tSOURCE\tSINCE\tCHARGED THIS MONTH (YUAN)", rows)
	if res.Next != "" {
		c.say("… more: the API pages with after=%s", res.Next)
	}
	return nil
}

func (c *adminClient) subscriptionSet(ctx context.Context, business, number string, on bool) error {
	var res map[string]any
	var err error
	if on {
		err = c.call(ctx, "POST", "/api/v1/admin/subscriptions", map[string]any{"business": business, "number": number}, &res)
	} else {
		err = c.call(ctx, "DELETE", "/api/v1/admin/subscriptions/"+url.PathEscape(business)+"/"+url.PathEscape(number), nil, &res)
	}
	if err != nil {
		return err
	}
	what := map[bool]string{true: "subscribed to", false: "unsubscribed from"}[on]
	if res["changed"] == false {
		c.say("%s was %s %s already: nothing changed", str(res["number"]), what, business)
		return nil
	}
	c.say("%s %s %s", str(res["number"]), what, business)
	return nil
}

func (c *adminClient) subscriptionPush(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("subscription push", flag.ContinueOnError)
	after := fs.String("after", "", "resume after this subscriber number (a push that stopped part way says where)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return errors.New("usage: hongyan admin subscription push BUSINESS TEXT [--after NUMBER]")
	}
	body := map[string]any{"content": strings.Join(pos[1:], " ")}
	if *after != "" {
		body["after"] = *after
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/subscriptions/"+url.PathEscape(pos[0])+"/push", body, &res); err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return fmt.Errorf("%w; numbers up to the last one sent were pushed: resume with --after (see GET /api/v1/admin/subscriptions)", err)
		}
		return err
	}
	batches, _ := res["batch_ids"].([]any)
	c.say("pushed %s to %s subscriber(s) of %s in %d batch(es); %s refused (blacklisted or unsubscribed meanwhile)",
		pos[0], str(res["accepted"]), pos[0], len(batches), str(res["refused"]))
	return nil
}

func (c *adminClient) subServices(ctx context.Context) error {
	var res struct {
		Services []map[string]any `json:"services"`
	}
	if err := c.call(ctx, "GET", "/api/v1/admin/subscriptions/services", nil, &res); err != nil {
		return err
	}
	rows := make([][]string, len(res.Services))
	for i, v := range res.Services {
		rows[i] = []string{str(v["business"]), str(v["code"]), str(v["account"]), str(v["active"]), str(v["cancelled"])}
	}
	c.table("BUSINESS\tCODE\tPROVIDER\tACTIVE\tCANCELLED", rows)
	return nil
}

func (c *adminClient) subServiceSet(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("subscription service set", flag.ContinueOnError)
	code := fs.String("code", "", "what users send after DG / TD, e.g. 1001")
	account := fs.String("account", "", "the provider's account (name or id): pushes, and is charged")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *code == "" || *account == "" {
		return errors.New("usage: hongyan admin subscription service set BUSINESS --code CODE --account ACCOUNT")
	}
	body := map[string]any{"code": *code}
	if strings.Trim(*account, "0123456789") == "" {
		body["account_id"] = *account
	} else {
		body["account"] = *account
	}
	var res map[string]any
	if err := c.call(ctx, "PUT", "/api/v1/admin/subscriptions/services/"+url.PathEscape(pos[0]), body, &res); err != nil {
		return err
	}
	c.say("business type %s is a subscription service: users send DG%s to subscribe, TD%s to unsubscribe; provider %s",
		pos[0], str(res["code"]), str(res["code"]), str(res["account"]))
	return nil
}
