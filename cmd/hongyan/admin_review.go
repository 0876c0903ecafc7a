package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// hongyan admin review: the review queue of held requests, as a client of
// /api/v1/admin/review (docs/api.md).

const reviewUsage = `usage: hongyan admin review list [--decided] [--account ACCOUNT] [--limit N]
       hongyan admin review show ID
       hongyan admin review approve ID
       hongyan admin review reject ID --reason TEXT`

func (c *adminClient) reviewQueue(ctx context.Context, verb string, args []string) error {
	switch verb {
	case "list":
		return c.reviewList(ctx, args)
	case "show":
		return c.reviewShow(ctx, args)
	case "approve":
		return c.reviewDecide(ctx, args, "approve")
	case "reject":
		return c.reviewDecide(ctx, args, "reject")
	}
	return errors.New(reviewUsage)
}

// reviewClip shortens a text for a table cell.
func reviewClip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func reviewWords(h map[string]any) string {
	var ws []string
	if l, ok := h["words"].([]any); ok {
		for _, w := range l {
			ws = append(ws, str(w))
		}
	}
	return strings.Join(ws, ",")
}

func (c *adminClient) reviewList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("review list", flag.ContinueOnError)
	decided := fs.Bool("decided", false, "the decided requests, newest first (default: those waiting, oldest first)")
	acct := fs.String("account", "", "only this account's (name or id)")
	limit := fs.Int("limit", 100, "at most this many")
	if _, err := parseMixed(fs, args); err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *decided {
		q.Set("state", "decided")
	}
	if *acct != "" {
		id, err := c.accountID(ctx, *acct)
		if err != nil {
			return err
		}
		q.Set("account_id", id)
	}
	var res struct{ Holds []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/review?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	if len(res.Holds) == 0 && !*decided {
		c.say("no request is waiting for review")
		return nil
	}
	var rows [][]string
	for _, h := range res.Holds {
		row := []string{str(h["batch_id"]), str(h["account"]), str(h["business"]), str(h["src"]), str(h["numbers"]),
			reviewWords(h), str(h["held_at"]), reviewClip(str(h["content"]), 40)}
		if *decided {
			row = append(row, str(h["state"]), str(h["decided_by"]), str(h["decided_at"]), str(h["reason"]))
		}
		rows = append(rows, row)
	}
	header := "ID\tACCOUNT\tBUSINESS\tSENDER\tNUMBERS\tWORDS\tHELD AT\tTEXT"
	if *decided {
		header += "\tDECISION\tBY\tAT\tREASON"
	}
	c.table(header, rows)
	return nil
}

func (c *adminClient) reviewShow(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New(reviewUsage)
	}
	var h map[string]any
	if err := c.call(ctx, "GET", "/api/v1/admin/review/"+url.PathEscape(args[0]), nil, &h); err != nil {
		return err
	}
	c.say("request %s of account %s (%s), business type %s, from %s, held %s", str(h["batch_id"]), str(h["account"]),
		str(h["account_id"]), str(h["business"]), str(h["src"]), str(h["held_at"]))
	c.say("words: %s", reviewWords(h))
	c.say("text: %s", str(h["content"]))
	if st := str(h["state"]); st != "waiting" {
		c.say("%s by %s at %s %s", st, str(h["decided_by"]), str(h["decided_at"]), str(h["reason"]))
	} else {
		c.say("waiting for a decision")
	}
	var rows [][]string
	if l, ok := h["messages"].([]any); ok {
		for _, x := range l {
			m, _ := x.(map[string]any)
			rows = append(rows, []string{str(m["id"]), str(m["to"]), str(m["operator"]), str(m["segments"]), str(m["state"]), str(m["operator_code"])})
		}
	}
	c.table("MESSAGE\tTO\tOPERATOR\tSEGMENTS\tSTATE\tCODE", rows)
	return nil
}

func (c *adminClient) reviewDecide(ctx context.Context, args []string, verb string) error {
	fs := flag.NewFlagSet("review "+verb, flag.ContinueOnError)
	reason := fs.String("reason", "", "why (required to reject: the sender is told)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || verb == "reject" && strings.TrimSpace(*reason) == "" {
		return errors.New(reviewUsage)
	}
	var body map[string]any
	if verb == "reject" {
		body = map[string]any{"reason": *reason}
	}
	var h map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/review/"+url.PathEscape(pos[0])+"/"+verb, body, &h); err != nil {
		return err
	}
	n := str(h["messages"])
	if verb == "approve" {
		c.say("request %s approved: %s message(s) released for sending", pos[0], n)
	} else {
		c.say("request %s rejected: %s message(s) filtered (REVIEW_REJECTED), their fees released", pos[0], n)
	}
	return nil
}

// reviewAction is the keyword add --action help.
var reviewAction = fmt.Sprintf("%q refuses a text with the word, %q holds it for an auditor (hongyan admin review)", "reject", "review")
