package core

import (
	"context"
	"crypto/sha256"
	"sync"

	"hongyan/internal/store"
)

// caches keeps the rarely-changing rows the hot path reads on every request
// (accounts by API key, business types, service codes) in memory.
type caches struct {
	st          store.Store
	mu          sync.RWMutex
	keys        map[[32]byte]int64
	accounts    map[int64]*store.Account
	moRoutes    moRouteTable
	biz         map[string]*store.BusinessType
	anyCallback bool
}

func newCaches(st store.Store) *caches { return &caches{st: st} }

func (c *caches) reload(ctx context.Context) error {
	accs, err := c.st.Accounts(ctx)
	if err != nil {
		return err
	}
	keys, err := c.st.APIKeys(ctx)
	if err != nil {
		return err
	}
	bts, err := c.st.BusinessTypes(ctx)
	if err != nil {
		return err
	}
	routes, err := c.st.MORoutes(ctx)
	if err != nil {
		return err
	}
	k := map[[32]byte]int64{}
	for _, key := range keys {
		if key.Revoked || len(key.Hash) != 32 {
			continue
		}
		k[[32]byte(key.Hash)] = key.AccountID
	}
	a := map[int64]*store.Account{}
	anyCB := false
	for _, acc := range accs {
		a[acc.ID] = acc
		anyCB = anyCB || acc.CallbackURL != ""
	}
	b := map[string]*store.BusinessType{}
	for _, bt := range bts {
		b[bt.Code] = bt
	}
	c.mu.Lock()
	c.keys, c.accounts, c.moRoutes, c.biz, c.anyCallback = k, a, newMORouteTable(routes, a), b, anyCB
	c.mu.Unlock()
	return nil
}

// HashKey is how API keys are stored: SHA-256 (keys are long random
// strings, so a fast hash is safe and keeps auth off the hot path's budget).
func HashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

func (c *caches) accountByKey(key string) *store.Account {
	h := sha256.Sum256([]byte(key))
	c.mu.RLock()
	defer c.mu.RUnlock()
	id, ok := c.keys[h]
	if !ok {
		return nil
	}
	return c.accounts[id]
}

func (c *caches) account(id int64) *store.Account {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.accounts[id]
}

func (c *caches) accountByName(name string) *store.Account {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, a := range c.accounts {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// moRoute finds the route of an MO to `to` with text (nil: nobody's).
func (c *caches) moRoute(to, text string) *store.MORoute {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.moRoutes.match(to, text)
}

func (c *caches) business(code string) *store.BusinessType {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.biz[code]
}

func (c *caches) hasCallbacks() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.anyCallback
}

// AccountByKey authenticates an API key (nil if unknown or revoked).
func (c *Core) AccountByKey(key string) *store.Account { return c.caches.accountByKey(key) }

// AccountByName finds an account by its login name (legacy interface).
func (c *Core) AccountByName(name string) *store.Account { return c.caches.accountByName(name) }

// Account returns a cached account.
func (c *Core) Account(id int64) *store.Account { return c.caches.account(id) }

// Reload refreshes the cached accounts, keys and business types, and the
// grants and account limits (business.go), after a change.
func (c *Core) Reload(ctx context.Context) error {
	if err := c.caches.reload(ctx); err != nil {
		return err
	}
	if _, err := c.loadSubServices(ctx); err != nil { // subscribe.go
		return err
	}
	return c.loadBusiness(ctx)
}
