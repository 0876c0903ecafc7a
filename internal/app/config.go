// Package app assembles the platform from a configuration: store, routing
// table, gateway pool, core and HTTP interface, with orderly start and stop.
// cmd/hongyan, the demo, the benchmark and end-to-end tests all build the
// platform through it.
package app

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"hongyan/internal/biz/settle"
	"hongyan/internal/gateway"
	"hongyan/internal/store"
)

// Config is hongyan.yaml (documented in docs/config.md).
type Config struct {
	NodeID   int    `yaml:"node_id"`
	Database string `yaml:"database"` // "sqlite:PATH" or "postgres://…"
	// TimeZone is the platform's: business types' sending hours and the
	// days of daily quotas ["Asia/Shanghai"].
	TimeZone string `yaml:"time_zone"`
	// SQLiteSync is "full" (default: an accepted message survives power
	// loss) or "normal" (survives a process crash only; faster).
	SQLiteSync string `yaml:"sqlite_sync"`
	HTTP       struct {
		Listen string `yaml:"listen"`
	} `yaml:"http"`
	Log struct {
		Level  string `yaml:"level"`  // debug, info, warn, error
		Format string `yaml:"format"` // text, json
	} `yaml:"log"`
	Messages struct {
		MaxSegments     int           `yaml:"max_segments"`
		Validity        time.Duration `yaml:"validity"`
		DefaultBusiness string        `yaml:"default_business"`
		ReportWait      time.Duration `yaml:"report_wait"` // submitted without a report this long → unknown [48h]
		// Replies that unsubscribe (blacklist the user for the sending business type) [TD, 退订, T, N].
		UnsubscribeWords []string `yaml:"unsubscribe_words"`
		UnsubscribeReply string   `yaml:"unsubscribe_reply"` // %s = business type name; "-" = no confirmation
	} `yaml:"messages"`
	Segments struct {
		File      string            `yaml:"file"`      // CSV prefix,operator; empty = the shipped table
		Overrides map[string]string `yaml:"overrides"` // ported numbers: number → operator
	} `yaml:"segments"`
	Gateways      []gateway.Config     `yaml:"gateways"`
	BusinessTypes []BusinessTypeConfig `yaml:"business_types"`
	Accounts      []AccountConfig      `yaml:"accounts"`
	MORoutes      []MORouteConfig      `yaml:"mo_routes"`
	// Settlement: agreed operator costs and revenue shares (docs/config.md).
	Settlement settle.Config `yaml:"settlement"`
	// Subscriptions: subscribe words, answers, services (subscriptions.go).
	Subscriptions SubscriptionsConfig `yaml:"subscriptions"`
	// Console: sessions, login lockout, refresh of the browser console (console.go).
	Console ConsoleConfig `yaml:"console"`
}

// BusinessTypeConfig declares a business type at start (created or updated).
type BusinessTypeConfig struct {
	Code          string        `yaml:"code"`
	Name          string        `yaml:"name"`
	Priority      int           `yaml:"priority"` // 0 verification codes, 1 notices, 2 marketing
	MaxRetries    int           `yaml:"max_retries"`
	RetryInterval time.Duration `yaml:"retry_interval"`
	MaxSegments   int           `yaml:"max_segments"`
	AtLeastOnce   *bool         `yaml:"at_least_once"` // default true
	Validity      time.Duration `yaml:"validity"`
	Disabled      bool          `yaml:"disabled"`
	Fee           float64       `yaml:"fee"`       // yuan per segment; 0 = free
	ChargeOn      string        `yaml:"charge_on"` // delivered (default) or submitted
	// Business administration (app/business.go, docs/config.md).
	ChargeMode     string   `yaml:"charge_mode"`     // per_message (default), monthly, monthly_capped, free
	MonthlyFee     float64  `yaml:"monthly_fee"`     // yuan per subscriber and month (monthly)
	MonthlyCap     float64  `yaml:"monthly_cap"`     // yuan a subscriber pays at most a month (monthly_capped)
	ReportRequired *bool    `yaml:"report_required"` // default true
	ServiceCode    string   `yaml:"service_code"`    // the type's long number or extension
	MOKeywords     []string `yaml:"mo_keywords"`     // replies starting with one belong to this type
	SendHours      string   `yaml:"send_hours"`      // e.g. "08:00-21:00"; "" = any time
	// Frequency limit: at most freq_limit messages to one number within freq_window (0 = no limit).
	FreqLimit  int           `yaml:"freq_limit"`
	FreqWindow time.Duration `yaml:"freq_window"`
	// Signatures and templates (docs/config.md).
	TemplateRequired bool   `yaml:"template_required"` // free text refused: approved templates only
	Signature        string `yaml:"signature"`         // none (default), prefix or suffix: where the unit's signature goes
	UnsubscribeText  string `yaml:"unsubscribe_text"`  // appended to every message, e.g. 回T退订
}

// MORouteConfig sends replies to a service code (and keyword) to an
// account's business, optionally at a URL of its own.
type MORouteConfig struct {
	ServiceCode string `yaml:"service_code"`
	Keyword     string `yaml:"keyword"`  // "" = any text
	Account     string `yaml:"account"`  // account name
	Business    string `yaml:"business"` // business type code, optional
	URL         string `yaml:"url"`      // "" = the account's callback_url
}

// AccountConfig declares a sending account at start (created if missing).
type AccountConfig struct {
	Name         string  `yaml:"name"`
	ServiceCode  string  `yaml:"service_code"`
	CallbackURL  string  `yaml:"callback_url"`
	Secret       string  `yaml:"secret"`         // push signing secret
	APIKeySHA256 string  `yaml:"api_key_sha256"` // hex SHA-256 of an API key (hongyan key prints one)
	PasswordHash string  `yaml:"password_hash"`  // argon2id, for /sms/send (hongyan key --password)
	BalanceYuan  float64 `yaml:"balance_yuan"`
	CreditYuan   float64 `yaml:"credit_limit_yuan"` // postpaid: how far below zero it may go
	// Business types it may use; absent = every type ("*"), applied when
	// the account is created; a list given is applied at every start.
	BusinessTypes []string `yaml:"business_types"`
	// Limits (applied at every start when any is given): source addresses
	// the API may be called from, messages per second, messages per day.
	IPAllow    []string `yaml:"ip_allow"`
	TPSLimit   int      `yaml:"tps_limit"`
	DailyQuota int64    `yaml:"daily_quota"`
}

// LoadConfig reads and checks a YAML file; unknown keys are errors so a
// typo never silently changes behaviour.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// Check fills defaults and validates.
func (c *Config) Check() error {
	if c.Database == "" {
		c.Database = "sqlite:./hongyan-data/hongyan.db"
	}
	if c.HTTP.Listen == "" {
		c.HTTP.Listen = "127.0.0.1:8080"
	}
	if c.NodeID < 0 || c.NodeID > 1023 {
		return fmt.Errorf("node_id %d: must be 0..1023", c.NodeID)
	}
	switch c.SQLiteSync {
	case "", "full", "normal":
	default:
		return fmt.Errorf("sqlite_sync %q: want full or normal", c.SQLiteSync)
	}
	seen := map[string]bool{}
	for i, g := range c.Gateways {
		if g.Name == "" {
			return fmt.Errorf("gateways[%d]: name is required", i)
		}
		if seen[g.Name] {
			return fmt.Errorf("gateways[%d]: name %q used twice", i, g.Name)
		}
		seen[g.Name] = true
		if !gateway.ValidOperator(g.Operator) {
			return fmt.Errorf("gateway %s: operator %q: want cmcc, cucc, ctcc, cbn or intl", g.Name, g.Operator)
		}
		if g.Addr == "" {
			return fmt.Errorf("gateway %s: addr is required", g.Name)
		}
	}
	for i, b := range c.BusinessTypes {
		if b.Code == "" {
			return fmt.Errorf("business_types[%d]: code is required", i)
		}
		if b.Priority < 0 || b.Priority > 2 {
			return fmt.Errorf("business type %s: priority %d: want 0, 1 or 2", b.Code, b.Priority)
		}
		if b.Fee < 0 {
			return fmt.Errorf("business type %s: fee %v: must not be negative", b.Code, b.Fee)
		}
		if b.ChargeOn != "" && b.ChargeOn != store.ChargeDelivered && b.ChargeOn != store.ChargeSubmitted {
			return fmt.Errorf("business type %s: charge_on %q: want delivered or submitted", b.Code, b.ChargeOn)
		}
	}
	for i, a := range c.Accounts {
		if a.Name == "" {
			return fmt.Errorf("accounts[%d]: name is required", i)
		}
		if a.APIKeySHA256 != "" && len(a.APIKeySHA256) != 64 {
			return fmt.Errorf("account %s: api_key_sha256 must be 64 hex characters", a.Name)
		}
	}
	if err := c.checkBusiness(); err != nil { // app/business.go
		return err
	}
	if err := c.Settlement.Check(gateway.ValidOperator); err != nil {
		return err
	}
	if err := c.checkSubscriptions(); err != nil { // app/subscriptions.go
		return err
	}
	if err := c.checkConsole(); err != nil { // app/console.go
		return err
	}
	for i, r := range c.MORoutes {
		if r.ServiceCode == "" || len(r.ServiceCode) > 21 || strings.Trim(r.ServiceCode, "0123456789") != "" {
			return fmt.Errorf("mo_routes[%d]: service_code must be 1 to 21 digits, got %q", i, r.ServiceCode)
		}
		if r.Account == "" {
			return fmt.Errorf("mo_routes[%d]: account is required", i)
		}
	}
	return nil
}
