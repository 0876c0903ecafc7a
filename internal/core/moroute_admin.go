package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"hongyan/internal/store"
)

// AddMORoute validates r, stores it and makes it live at once. The keyword
// is stored normalised, so "td" and "ＴＤ" are the same route.
func (c *Core) AddMORoute(ctx context.Context, r *store.MORoute) error {
	r.ServiceCode = strings.TrimSpace(r.ServiceCode)
	r.Keyword = MOKeyword(r.Keyword)
	r.URL = strings.TrimSpace(r.URL)
	if err := c.checkMORoute(r); err != nil {
		return err
	}
	if err := c.st.CreateMORoute(ctx, r); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(http.StatusConflict, "duplicate", "service code %s already has a route for keyword %q", r.ServiceCode, r.Keyword)
		}
		return fmt.Errorf("core: add MO route: %w", err)
	}
	return c.caches.reload(ctx)
}

func (c *Core) checkMORoute(r *store.MORoute) error {
	if r.ServiceCode == "" || len(r.ServiceCode) > 21 || strings.Trim(r.ServiceCode, "0123456789") != "" {
		return refuse(http.StatusBadRequest, "invalid_route", "service_code must be 1 to 21 digits, got %q", r.ServiceCode)
	}
	if utf8.RuneCountInString(r.Keyword) > 20 {
		return refuse(http.StatusBadRequest, "invalid_route", "keyword is longer than 20 characters")
	}
	if c.caches.account(r.AccountID) == nil {
		return refuse(http.StatusBadRequest, "invalid_route", "no account with id %d", r.AccountID)
	}
	if r.Business != "" && c.caches.business(r.Business) == nil {
		return refuse(http.StatusBadRequest, "unknown_business", "no business type %q", r.Business)
	}
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return refuse(http.StatusBadRequest, "invalid_route", "url must be an http(s) URL, got %q", r.URL)
		}
	}
	return nil
}

// DeleteMORoute removes a route; its replies fall to the next match.
func (c *Core) DeleteMORoute(ctx context.Context, id int64) error {
	if err := c.st.DeleteMORoute(ctx, id); err != nil {
		return fmt.Errorf("core: delete MO route %d: %w", id, err)
	}
	return c.caches.reload(ctx)
}

// MORoutes lists the stored routes (not the implicit ones of accounts' service codes).
func (c *Core) MORoutes(ctx context.Context) ([]*store.MORoute, error) {
	return c.st.MORoutes(ctx)
}
