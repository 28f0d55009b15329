#!/usr/bin/env bash
# Keep-alive study in the manner of Shahrad et al., "Serverless in the Wild" (ATC'20, Fig. 15/16):
# replays TRACE... on Azure Functions (apps share instances; one idle-time histogram per app)
# under fixed keep-alive windows of 5, 10, 20, 30, 60 and 120 minutes and the hybrid histogram
# policy, and prints per policy: cold-start % over all invocations, the 75th percentile of the
# per-app cold-start %, idle (wasted) GB-s and idle memory-time normalized to fixed 10 min.
#
# Usage: scripts/keepalive-study.sh TRACE... [-- EXTRA simulate FLAGS]
# Env:   FAASCOST=path/to/binary (default target/release/faascost, else target/debug/faascost)
#        PLATFORM=platform id (default azure-functions-consumption)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FAASCOST:-}"
if [[ -z "$BIN" ]]; then
  if [[ -x target/release/faascost ]]; then BIN=target/release/faascost; else BIN=target/debug/faascost; fi
fi
[[ -x "$BIN" ]] || { echo "error: no faascost binary at $BIN; run 'cargo build' first" >&2; exit 2; }
PLATFORM="${PLATFORM:-azure-functions-consumption}"
TRACES=(); EXTRA=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--" ]]; then shift; EXTRA=("$@"); break; fi
  TRACES+=("$1"); shift
done
[[ ${#TRACES[@]} -gt 0 ]] || { echo "usage: $0 TRACE... [-- EXTRA simulate FLAGS]" >&2; exit 2; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
POLICIES=(fixed:5m fixed:10m fixed:20m fixed:30m fixed:60m fixed:120m hybrid)
for p in "${POLICIES[@]}"; do
  "$BIN" simulate "${TRACES[@]}" --platform "$PLATFORM" --keep-alive "$p" --json ${EXTRA[@]+"${EXTRA[@]}"} > "$TMP/$p.json"
done
python3 - "$TMP" "${POLICIES[@]}" <<'PY'
import json, os, sys
tmp, policies = sys.argv[1], sys.argv[2:]
rows = {p: json.load(open(os.path.join(tmp, p + ".json"))) for p in policies}
base = rows["fixed:10m"]["idle_gb_seconds"] or float("nan")
first = rows[policies[0]]
print(f"platform {first['platform']}, {first['units']} apps, {first['invocations']} invocations, "
      f"{first['period_ms'] / 3.6e6:.1f} h")
print(f"{'policy':<12}{'cold %':>9}{'p75 app cold %':>16}{'idle GB-s':>14}{'idle vs 10m':>13}")
for p in policies:
    v = rows[p]
    print(f"{p:<12}{100 * v['cold_start_rate']:>9.3f}{v['app_cold_start_pct_p75']:>16.2f}"
          f"{v['idle_gb_seconds']:>14.1f}{v['idle_gb_seconds'] / base:>13.3f}")
h, f = rows["hybrid"], rows["fixed:10m"]
better_cold = h["app_cold_start_pct_p75"] < f["app_cold_start_pct_p75"]
le_mem = h["idle_gb_seconds"] <= f["idle_gb_seconds"]
print(f"hybrid vs fixed 10 min: p75 app cold-start % {h['app_cold_start_pct_p75']:.2f} vs "
      f"{f['app_cold_start_pct_p75']:.2f} ({'lower' if better_cold else 'not lower'}), idle GB-s "
      f"{h['idle_gb_seconds']:.1f} vs {f['idle_gb_seconds']:.1f} ({'equal or lower' if le_mem else 'higher'})")
print("VERDICT:", "hybrid beats fixed 10 min at equal or lower wasted memory" if better_cold and le_mem
      else "hybrid does NOT beat fixed 10 min at equal or lower wasted memory on this trace")
PY
