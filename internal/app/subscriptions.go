package app

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// SubscriptionsConfig is the subscriptions: section (M8): the words that
// subscribe, the platform's answers, and subscription services applied at
// every start (docs/config.md).
type SubscriptionsConfig struct {
	SubscribeWords []string `yaml:"subscribe_words"` // before a code: subscribe [DG, 订购, 订阅]
	Replies        struct {
		Subscribed    string `yaml:"subscribed"`
		Already       string `yaml:"already"`
		Unsubscribed  string `yaml:"unsubscribed"`
		NotSubscribed string `yaml:"not_subscribed"`
		UnknownCode   string `yaml:"unknown_code"`
	} `yaml:"replies"` // {name}, {code}, {fee}; "-" = no answer
	Services []SubServiceConfig `yaml:"services"`
}

// SubServiceConfig makes a business type a subscription service.
type SubServiceConfig struct {
	Business string `yaml:"business"`
	Code     string `yaml:"code"`    // users send DG + code, TD + code
	Account  string `yaml:"account"` // the provider: pushes, is charged
}

func (s SubscriptionsConfig) replies() core.SubscriptionReplies {
	r := s.Replies
	return core.SubscriptionReplies{Subscribed: r.Subscribed, Already: r.Already, Unsubscribed: r.Unsubscribed,
		NotSubscribed: r.NotSubscribed, UnknownCode: r.UnknownCode}
}

// checkSubscriptions validates the section.
func (c *Config) checkSubscriptions() error {
	codes := map[string]string{}
	for i, v := range c.Subscriptions.Services {
		n := core.NormalizeSubCode(v.Code)
		switch {
		case v.Business == "":
			return fmt.Errorf("subscriptions.services[%d]: business is required", i)
		case n == "":
			return fmt.Errorf("subscriptions.services[%d]: code %q: want 1 to 20 letters and digits, e.g. \"1001\"", i, v.Code)
		case v.Account == "":
			return fmt.Errorf("subscriptions.services[%d]: account is required", i)
		case codes[n] != "" && codes[n] != v.Business:
			return fmt.Errorf("subscriptions.services[%d]: code %s is %s's already", i, n, codes[n])
		}
		codes[n] = v.Business
	}
	return nil
}

// seedSubscriptions applies the configured services.
func (p *Platform) seedSubscriptions(ctx context.Context) error {
	st := p.Store
	if len(p.Config.Subscriptions.Services) == 0 {
		return nil
	}
	types, err := st.BusinessTypes(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, t := range types {
		known[t.Code] = true
	}
	for i, v := range p.Config.Subscriptions.Services {
		if !known[v.Business] {
			return fmt.Errorf("subscriptions.services[%d]: no business type %q", i, v.Business)
		}
		acc, err := st.AccountByName(ctx, v.Account)
		if err != nil {
			return fmt.Errorf("subscriptions.services[%d]: account %q: %w", i, v.Account, err)
		}
		svc := &store.SubService{Business: v.Business, Code: core.NormalizeSubCode(v.Code), AccountID: acc.ID, CreatedAt: time.Now()}
		if err := st.PutSubService(ctx, svc); err != nil {
			return fmt.Errorf("subscriptions.services[%d]: %w", i, err)
		}
	}
	return nil
}
