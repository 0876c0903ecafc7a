#!/usr/bin/env bash
# Runs `hongyan bench` in both modes and appends the JSON results to
# docs/bench/results.jsonl (one line per run, with the machine's cores).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
go build -o /tmp/hongyan-bench ./cmd/hongyan
for mode in single batch; do
  /tmp/hongyan-bench bench --duration "$DURATION" --mode "$mode" --json | tail -n 1 | tee -a docs/bench/results.jsonl
done
