package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
)

// hongyan admin segment … and hongyan admin ported …: edits of the number
// segment table (号段) and ported numbers (携号转网) on top of the loaded
// data file, a client of /api/v1/admin/segments. Routing follows a change
// at once, on every node.

const segmentUsage = `usage: hongyan admin segment COMMAND
  list [--all]                 the prefixes edited (--all: the whole table in force)
  set PREFIX OPERATOR          route numbers starting with PREFIX (3 to 8 digits) to OPERATOR (cmcc, cucc, ctcc, cbn, intl)
  remove PREFIX                take PREFIX out of the table (its numbers fall to a shorter prefix)`

const portedUsage = `usage: hongyan admin ported COMMAND
  list [--all]                 the ported numbers edited (--all: with those of the config)
  set NUMBER OPERATOR          a number that moved to another operator (携号转网)
  remove NUMBER                route it by its prefix again`

// segmentCommand runs noun "segment" (prefixes) or "ported" (numbers).
func (c *adminClient) segmentCommand(ctx context.Context, noun, verb string, args []string) error {
	path, field, usage := "prefixes", "prefix", segmentUsage
	if noun == "ported" {
		path, field, usage = "ported", "number", portedUsage
	}
	base := "/api/v1/admin/segments/" + path + "/"
	switch verb {
	case "list":
		return c.segmentList(ctx, path, field, args)
	case "set":
		if len(args) != 2 {
			return errors.New(usage)
		}
		var res map[string]any
		if err := c.call(ctx, "PUT", base+url.PathEscape(args[0]), map[string]any{"operator": args[1]}, &res); err != nil {
			return err
		}
		if res["changed"] == false {
			c.say("%s goes to %s already: nothing changed", str(res[field]), str(res["operator"]))
			return nil
		}
		c.say("%s now goes to %s (the file says %q)", str(res[field]), str(res["operator"]), str(res["file_operator"]))
		return nil
	case "remove":
		return c.simpleDelete(ctx, args, noun+" remove "+field, base)
	}
	return errors.New(usage)
}

func (c *adminClient) segmentList(ctx context.Context, path, field string, args []string) error {
	fs := flag.NewFlagSet(path+" list", flag.ContinueOnError)
	all := fs.Bool("all", false, "the whole table in force, not only the edits")
	if pos, err := parseMixed(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return fmt.Errorf("usage: hongyan admin %s list [--all]", map[string]string{"prefixes": "segment", "ported": "ported"}[path])
	}
	q := ""
	if *all {
		q = "?all=1"
	}
	var res map[string][]map[string]any
	if err := c.call(ctx, "GET", "/api/v1/admin/segments/"+path+q, nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, x := range res[path] {
		op := str(x["operator"])
		if op == "" {
			op = "(removed)"
		}
		edited := ""
		if x["edited"] == true {
			edited = "edited"
			if b := str(x["updated_by"]); b != "" {
				edited += " by " + b + " " + str(x["updated_at"])
			}
		}
		rows = append(rows, []string{str(x[field]), op, str(x["file_operator"]), edited})
	}
	c.table(map[string]string{"prefix": "PREFIX", "number": "NUMBER"}[field]+"\tOPERATOR\tFILE\tEDIT", rows)
	return nil
}
