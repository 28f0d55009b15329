#!/usr/bin/env bash
# The fluid path from a lower threshold against the event replay, on one trace: `simulate
# --per-unit --json` with `--fluid-from off` (every unit replayed request by request) and with
# `--fluid-from N`, each timed under /usr/bin/time; then the totals of both, and for the units
# the fluid path took (the rows that differ: every other unit is the same replay in both runs)
# the spread of their cold starts, peak in flight and idle time against the replay's.
#
# Usage: scripts/fluid-accuracy.sh TRACE_DIR [N [simulate flags]]
#        (N, a count ≥ 1, default 5000; the flags replace the default --platform aws-lambda
#        --keep-alive fixed:10m --concurrency-limit 0 and must name a platform)
# Env:   BIN=the faascost binary (default target/release/faascost, built when missing)
# Example (BENCHMARKS.md): a full-size Azure-like day, `faascost generate --like azure2019
#        --functions 50000 --days 14 --seed 1 --format azure2019 --out full14`, its d01 files
#        in a folder of their own.
set -euo pipefail
usage() { echo "usage: scripts/fluid-accuracy.sh TRACE_DIR [N [simulate flags]]" >&2; exit 2; }
[ $# -ge 1 ] || usage
TRACE="$(realpath "$1")"; N="${2:-5000}"; shift $(( $# >= 2 ? 2 : 1 ))
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "error: N must be a count of invocations ≥ 1, not '$N'" >&2; usage; }
FLAGS=("$@")
[ ${#FLAGS[@]} -gt 0 ] || FLAGS=(--platform aws-lambda --keep-alive fixed:10m --concurrency-limit 0)
[ -z "${BIN:-}" ] || BIN="$(realpath "$BIN")"
cd "$(dirname "$0")/.."
BIN="${BIN:-target/release/faascost}"
command -v /usr/bin/time >/dev/null || { echo "error: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
[ -x "$BIN" ] || cargo build --release --locked --quiet
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for from in off "$N"; do
  /usr/bin/time -f "--fluid-from $from: %e s wall, %U user-s, %M KB peak RSS" \
    "$BIN" simulate "$TRACE" "${FLAGS[@]}" --per-unit --json --fluid-from "$from" > "$OUT/$from.json"
done
python3 - "$OUT/off.json" "$OUT/$N.json" <<'PY'
import json, sys
events, fluid = (json.load(open(p)) for p in sys.argv[1:])
print(f"{'':24} {'events':>16} {'fluid':>16} {'fluid/events':>12}")
for k in ["invocations", "served", "cold_starts", "peak_concurrency", "avg_concurrency", "avg_instances",
          "idle_instance_seconds", "billed_gb_seconds", "init_billed_gb_seconds"]:
    e, f = events[k], fluid[k]
    if e is None or f is None:  # e.g. GB-s on a platform that bills CPU time
        continue
    print(f"{k:24} {e:>16.1f} {f:>16.1f} {(f / e - 1) * 100 if e else 0:>+11.2f}%")
for p in ["p50", "p99", "p99_9"]:
    print(f"latency {p:16} {events['latency_ms'][p]:>16} {fluid['latency_ms'][p]:>16}")
said = [a for a in fluid["assumptions"] if a.startswith("fluid path: ")]
print("assumption:", said[0].split(" (")[0] if said else "none")
by_key = {u["key"]: u for u in events["units_detail"]}
taken = [(by_key[u["key"]], u) for u in fluid["units_detail"] if u != by_key[u["key"]]]
print(f"units that differ (the fluid path's): {len(taken)}")
for field in ["cold_starts", "peak_in_flight", "idle_ms"]:
    errors = sorted((f[field] / e[field] - 1) * 100 for e, f in taken if e[field] > 0)
    if errors:
        print(f"  {field:15} per unit: {errors[0]:+.1f} % to {errors[-1]:+.1f} %, median {errors[len(errors) // 2]:+.1f} %")
PY
