package core

import (
	"context"
	"net/http"

	"hongyan/internal/store"
)

// Composer is what accept makes of a template for account acc and
// business type bt, one recipient at a time, for the console's previews
// (a file import shows each row's text before anything is sent). ref names
// the template (id or code) as SendRequest.Template does; vars are its
// variables in order. compose fills the template with one recipient's
// values and adds the signature and unsubscribe text exactly as Accept
// does, or gives Accept's refusal (missing_variable, invalid_variable,
// no_signature, …). Nothing is stored or recorded.
func (c *Core) Composer(ctx context.Context, acc *store.Account, bt *store.BusinessType, ref string) (compose func(vars map[string]string) (string, error), vars []string, err error) {
	if ref == "" {
		return nil, nil, refuse(http.StatusBadRequest, "unknown_template", "no template named")
	}
	tpl, err := c.requestTemplate(ctx, acc, &SendRequest{Template: ref})
	if err != nil {
		return nil, nil, err
	}
	s := c.tpl.snap.Load()
	compose = func(v map[string]string) (string, error) {
		out, err := c.composeWith(s, acc, bt, tpl, &SendRequest{Template: ref, To: []string{""}, PerRecipient: []map[string]string{v}})
		if err != nil {
			return "", err
		}
		return out[0], nil
	}
	return compose, append([]string(nil), tpl.vars...), nil
}
