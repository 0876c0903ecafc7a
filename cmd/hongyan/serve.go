package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"time"

	"hongyan/internal/app"
	"hongyan/internal/core"
)

func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	path := fs.String("c", "hongyan.yaml", "configuration file (docs/config.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(*path)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log.Level, cfg.Log.Format)
	p, err := app.Build(ctx, cfg, app.Options{Logger: log})
	if err != nil {
		return err
	}
	if err := p.Start(ctx); err != nil {
		return err
	}
	log.Info("hongyan serving", "http", p.Addr(), "database", redactDSN(cfg.Database), "gateways", len(cfg.Gateways))
	<-ctx.Done()
	log.Info("shutting down: finishing submits in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.Stop(sctx)
}

// redactDSN hides a password in a PostgreSQL URL for logs.
func redactDSN(dsn string) string {
	if i, j := indexAfter(dsn, "://"), lastIndexByte(dsn, '@'); i > 0 && j > i {
		return dsn[:i] + "…" + dsn[j:]
	}
	return dsn
}

func indexAfter(s, sep string) int {
	for i := 0; i+len(sep) <= len(s); i++ {
		if s[i:i+len(sep)] == sep {
			return i + len(sep)
		}
	}
	return -1
}

func lastIndexByte(s string, b byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func runKey(args []string) error {
	fs := flag.NewFlagSet("key", flag.ContinueOnError)
	pw := fs.Bool("password", false, "make a password and its argon2id hash (for password_hash)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pw {
		p := core.NewSecret("", 12)
		h, err := core.HashPassword(p)
		if err != nil {
			return err
		}
		fmt.Printf("password:      %s\npassword_hash: %s\n", p, h)
		return nil
	}
	k := core.NewSecret("hy_", 24)
	sum := sha256.Sum256([]byte(k))
	fmt.Printf("api key:        %s\napi_key_sha256: %s\n", k, hex.EncodeToString(sum[:]))
	return nil
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
