#!/usr/bin/env bash
# Runs `hongyan bench` in both modes, then `hongyan bench --proto all` (each
# protocol's client session against its simulator: zero latency, and 20 ms
# with window 16 on one connection), and appends the JSON results to
# docs/bench/results.jsonl (one line per run or protocol, with the
# machine's cores).
#
#   ./scripts/bench.sh          # everything
#   ./scripts/bench.sh e2e      # the end-to-end modes only
#   ./scripts/bench.sh proto    # the protocol sessions only
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
PROTO_DURATION=${PROTO_DURATION:-10s}
WHAT=${1:-all}
case "$WHAT" in all|e2e|proto) ;; *) echo "usage: $0 [all|e2e|proto]" >&2; exit 2 ;; esac
go build -o /tmp/hongyan-bench ./cmd/hongyan
if [ "$WHAT" != proto ]; then
  for mode in single batch; do
    /tmp/hongyan-bench bench --duration "$DURATION" --mode "$mode" --json | tail -n 1 | tee -a docs/bench/results.jsonl
  done
fi
if [ "$WHAT" != e2e ]; then
  /tmp/hongyan-bench bench --proto all --duration "$PROTO_DURATION" --json | tee -a docs/bench/results.jsonl
  /tmp/hongyan-bench bench --proto all --latency 20ms --window 16 --conns 1 --duration "$PROTO_DURATION" --json | tee -a docs/bench/results.jsonl
fi
