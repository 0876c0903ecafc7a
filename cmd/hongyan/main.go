// Command hongyan is the whole platform in one binary: hongyan demo,
// serve, sim, bench and key. Run `hongyan help` for the list.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
)

var version = "dev"

const usage = `鸿雁 Hongyan — carrier-grade SMS platform

Usage:
  hongyan demo  [--http ADDR] [--data DIR]      the whole platform with built-in operator simulators
  hongyan serve -c hongyan.yaml                 run from a configuration file (docs/config.md)
  hongyan sim   --proto cmpp3|cmpp2|sgip|smgp3|smgp2|cngp2|cngp1|smpp34|smpp33 --listen ADDR
                                                a standalone operator gateway simulator
  hongyan bench [--duration D] [--mode single|batch] [--json]
                                                end-to-end throughput against in-process simulators
  hongyan bench --proto P|all [--latency D] [--window N] [--conns N]
                                                one protocol session's submits/s against its simulator
  hongyan key   [--password]                    make an API key (or password) and its stored hash
  hongyan admin [--server URL] [--token T] …    administration: blacklist, keyword, account, mo-route, refusals
  hongyan version

Run 'hongyan COMMAND -h' for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "demo":
		err = runDemo(ctx, args)
	case "serve":
		err = runServe(ctx, args)
	case "sim":
		err = runSim(ctx, args)
	case "bench":
		err = runBench(ctx, args)
	case "key":
		err = runKey(args)
	case "admin":
		err = runAdmin(ctx, args)
	case "version", "--version":
		fmt.Println("hongyan", version)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "hongyan: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "hongyan %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

// newLogger makes the process logger: text or JSON, at a level.
func newLogger(level, format string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func numCPU() int { return runtime.NumCPU() }
