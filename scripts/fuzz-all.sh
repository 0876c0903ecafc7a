#!/usr/bin/env bash
# Runs every fuzz target of the module briefly (FUZZTIME, default 3s each):
# the corpus in testdata/fuzz plus a short random search, so a decoder
# regression fails CI. Longer runs: FUZZTIME=5m ./scripts/fuzz-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-3s}
status=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)\(' "$dir"/*_test.go 2>/dev/null | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/' | sort -u || true)
  for t in $targets; do
    echo "fuzz $pkg $t ($FUZZTIME)"
    ok=0
    for attempt in 1 2; do
      if go test -run='^$' -fuzz="^${t}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime=100x "$pkg" >/tmp/fuzz-$$.log 2>&1; then
        ok=1; break
      fi
      # Go's fuzz coordinator sometimes ends a short run with a bare
      # "context deadline exceeded" on a loaded machine, with no failing
      # input: that is the toolchain, not our decoder, so try once more.
      if grep -q 'Failing input\|panic:\|testdata/fuzz' /tmp/fuzz-$$.log || ! grep -q 'context deadline exceeded' /tmp/fuzz-$$.log; then
        break
      fi
      echo "  (toolchain timeout without a failing input; running again)"
    done
    if [ $ok = 0 ]; then
      cat /tmp/fuzz-$$.log; status=1
    fi
  done
done
rm -f /tmp/fuzz-$$.log
exit $status
