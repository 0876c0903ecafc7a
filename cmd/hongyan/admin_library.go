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

// The number library, customer records and enterprise customers (A5, A6,
// A9) from the command line, as clients of /api/v1/admin/library,
// /customers and /enterprises (internal/api/library.go).

// libraryCommand runs `hongyan admin library|customer|enterprise VERB …`
// (the edits in admin_library_edit.go).
func (c *adminClient) libraryCommand(ctx context.Context, noun, verb string, args []string) error {
	switch noun + " " + verb {
	case "library list":
		return c.libraryList(ctx)
	case "library add":
		return c.libraryAdd(ctx, args)
	case "library remove":
		return c.simpleDelete(ctx, args, "library remove ID", "/api/v1/admin/library/categories/")
	case "library numbers":
		if len(args) > 0 && args[0] == "import" {
			return c.libraryNumbersImport(ctx, args[1:]) // admin_library_edit.go
		}
		return c.libraryNumbers(ctx, args)
	case "library number":
		return c.libraryNumberRemove(ctx, args)
	case "library rename":
		return c.libraryRename(ctx, args)
	case "library grant":
		return c.libraryGrant(ctx, args)
	case "library traffic":
		return c.libraryTraffic(ctx, args)
	case "customer show":
		return c.customerShow(ctx, args)
	case "customer edit":
		return c.customerEdit(ctx, args)
	case "customer import":
		return c.customerImport(ctx, args)
	case "customer stats":
		return c.customerStats(ctx)
	case "enterprise edit":
		return c.enterpriseEdit(ctx, args)
	case "enterprise report":
		return c.enterpriseReport(ctx, args)
	case "customer list":
		return c.customerList(ctx, args)
	case "customer add":
		return c.customerAdd(ctx, args)
	case "customer remove":
		return c.simpleDelete(ctx, args, "customer remove ID", "/api/v1/admin/customers/")
	case "enterprise list":
		return c.enterpriseList(ctx, args)
	case "enterprise add":
		return c.enterpriseAdd(ctx, args)
	case "enterprise remove":
		return c.simpleDelete(ctx, args, "enterprise remove ID", "/api/v1/admin/enterprises/")
	}
	return fmt.Errorf("unknown command %q (hongyan admin --help)", strings.TrimSpace(noun+" "+verb))
}

func (c *adminClient) libraryList(ctx context.Context) error {
	var res struct{ Categories []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/library/categories", nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, r := range res.Categories {
		rows = append(rows, []string{str(r["id"]), str(r["name"]), str(r["org"]), str(r["count"]), str(r["note"])})
	}
	c.table("ID\tNAME\tORG\tNUMBERS\tNOTE", rows)
	return nil
}

func (c *adminClient) libraryAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("library add", flag.ContinueOnError)
	note := fs.String("note", "", "what the category is for")
	rest, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: hongyan admin library add NAME [--note TEXT]")
	}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/library/categories", map[string]string{"name": rest[0], "note": *note}, &res); err != nil {
		return err
	}
	c.say("category %q added (id %s)", rest[0], str(res["id"]))
	return nil
}

func (c *adminClient) libraryNumbers(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("library numbers", flag.ContinueOnError)
	q := url.Values{}
	var category, province, city, tag, prefix string
	var limit int
	fs.StringVar(&category, "category", "", "category id")
	fs.StringVar(&province, "province", "", "province")
	fs.StringVar(&city, "city", "", "city")
	fs.StringVar(&tag, "tag", "", "tag")
	fs.StringVar(&prefix, "prefix", "", "number prefix")
	fs.IntVar(&limit, "limit", 200, "at most this many")
	if rest, err := parseMixed(fs, args); err != nil || len(rest) > 0 {
		return errors.New("usage: hongyan admin library numbers [--category ID] [--province P] [--city C] [--tag T] [--prefix 138] [--limit N]")
	}
	for k, v := range map[string]string{"category": category, "province": province, "city": city, "tag": tag, "prefix": prefix} {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("limit", strconv.Itoa(limit))
	var res struct{ Numbers []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/library/numbers?"+q.Encode(), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, r := range res.Numbers {
		var tags []string
		if ts, ok := r["tags"].([]any); ok {
			for _, t := range ts {
				tags = append(tags, str(t))
			}
		}
		rows = append(rows, []string{str(r["number"]), str(r["category_id"]), str(r["province"]), str(r["city"]), str(r["operator"]), strings.Join(tags, "|")})
	}
	c.table("NUMBER\tCATEGORY\tPROVINCE\tCITY\tOPERATOR\tTAGS", rows)
	return nil
}

func (c *adminClient) customerList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("customer list", flag.ContinueOnError)
	text := fs.String("q", "", "phone, name or occupation contains this")
	if rest, err := parseMixed(fs, args); err != nil || len(rest) > 0 {
		return errors.New("usage: hongyan admin customer list [--q TEXT]")
	}
	var res struct{ Customers []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/customers?q="+url.QueryEscape(*text), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, r := range res.Customers {
		rows = append(rows, []string{str(r["id"]), str(r["phone"]), str(r["name"]), str(r["occupation"]), str(r["age"]), str(r["income"]), str(r["org"])})
	}
	c.table("ID\tPHONE\tNAME\tOCCUPATION\tAGE\tINCOME\tORG", rows)
	return nil
}

func (c *adminClient) customerAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("customer add", flag.ContinueOnError)
	name := fs.String("name", "", "name")
	occupation := fs.String("occupation", "", "occupation")
	age := fs.Int("age", 0, "age (0 = not given)")
	income := fs.String("income", "", "income band, e.g. 5000-10000")
	rest, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: hongyan admin customer add PHONE [--name N] [--occupation O] [--age N] [--income BAND]")
	}
	body := map[string]any{"phone": rest[0], "name": *name, "occupation": *occupation, "age": *age, "income": *income}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/customers", body, &res); err != nil {
		return err
	}
	c.say("customer %s saved (id %s)", str(res["phone"]), str(res["id"]))
	return nil
}

func (c *adminClient) enterpriseList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enterprise list", flag.ContinueOnError)
	text := fs.String("q", "", "name, contact or phone contains this")
	if rest, err := parseMixed(fs, args); err != nil || len(rest) > 0 {
		return errors.New("usage: hongyan admin enterprise list [--q TEXT]")
	}
	var res struct{ Enterprises []map[string]any }
	if err := c.call(ctx, "GET", "/api/v1/admin/enterprises?q="+url.QueryEscape(*text), nil, &res); err != nil {
		return err
	}
	var rows [][]string
	for _, r := range res.Enterprises {
		var accts []string
		if as, ok := r["accounts"].([]any); ok {
			for _, a := range as {
				accts = append(accts, str(a))
			}
		}
		rows = append(rows, []string{str(r["id"]), str(r["name"]), str(r["contact"]), str(r["phone"]), str(r["org"]), strings.Join(accts, ",")})
	}
	c.table("ID\tNAME\tCONTACT\tPHONE\tORG\tACCOUNTS", rows)
	return nil
}

func (c *adminClient) enterpriseAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enterprise add", flag.ContinueOnError)
	contact := fs.String("contact", "", "contact person")
	phone := fs.String("phone", "", "contact phone")
	address := fs.String("address", "", "address")
	note := fs.String("note", "", "note")
	accounts := fs.String("accounts", "", "linked sending accounts, names or ids, comma separated")
	rest, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: hongyan admin enterprise add NAME [--contact C] [--phone P] [--address A] [--note N] [--accounts A,B]")
	}
	ids := []string{}
	for _, a := range strings.Split(*accounts, ",") {
		if a = strings.TrimSpace(a); a != "" {
			id, err := c.lookupAccount(ctx, a)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
	}
	body := map[string]any{"name": rest[0], "contact": *contact, "phone": *phone, "address": *address, "note": *note, "accounts": ids}
	var res map[string]any
	if err := c.call(ctx, "POST", "/api/v1/admin/enterprises", body, &res); err != nil {
		return err
	}
	c.say("enterprise %q added (id %s)", rest[0], str(res["id"]))
	return nil
}
