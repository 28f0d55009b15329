#!/usr/bin/env bash
# Throughput of the serverless engine: simulated invocations per second of wall time, end to end
# (trace read + arrival expansion + simulation + JSON), on one worker thread and on all cores.
#
# Usage: scripts/bench-sim.sh [TRACE...]   (default: ../shared/datasets/real/azure2019-sampled/
#        when present, plus a synthetic single-function Poisson trace of ~1M invocations)
# Env:   FAASCOST=path/to/binary (default target/release/faascost, else target/debug/faascost)
#        RUNS=repetitions, best taken (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FAASCOST:-}"
if [[ -z "$BIN" ]]; then
  if [[ -x target/release/faascost ]]; then BIN=target/release/faascost; else BIN=target/debug/faascost; fi
fi
[[ -x "$BIN" ]] || { echo "error: no faascost binary at $BIN; run 'cargo build' first" >&2; exit 2; }
RUNS="${RUNS:-3}"
CORES="$(nproc)"
TRACES=("$@")
if [[ ${#TRACES[@]} -eq 0 && -d ../shared/datasets/real/azure2019-sampled ]]; then
  TRACES=(../shared/datasets/real/azure2019-sampled/)
fi

# best_of CMD...: prints "invocations best_wall_s"
best_of() {
  local best="" inv=""
  for _ in $(seq 1 "$RUNS"); do
    local s e
    s=$(date +%s.%N)
    inv=$("$@" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["invocations"])')
    e=$(date +%s.%N)
    best=$(python3 -c "b='$best'; w=$e-$s; print(w if not b else min(float(b), w))")
  done
  echo "$inv $best"
}

report() {
  local label="$1" threads="$2"; shift 2
  read -r inv wall < <(best_of "$@" --threads "$threads")
  python3 -c "print(f'{\"$label\":<44}{\"$threads\":>8}{$inv:>12}{$wall:>10.3f}{$inv / $wall:>16,.0f}')"
}

echo "binary $BIN, $CORES cores, best of $RUNS runs"
printf '%-44s%8s%12s%10s%16s\n' workload threads invocations wall_s invocations/s
if [[ ${#TRACES[@]} -gt 0 ]]; then
  for t in 1 "$CORES"; do
    report "trace (azure-functions-consumption, hybrid)" "$t" "$BIN" simulate "${TRACES[@]}" --platform azure-functions-consumption --keep-alive hybrid
    report "trace (aws-lambda, provider keep-alive)" "$t" "$BIN" simulate "${TRACES[@]}" --platform aws-lambda
  done
fi
report "synthetic Poisson 10/s x 100,000 s (1 function)" 1 "$BIN" simulate --platform aws-lambda \
  --synthetic-poisson 10:200:100000
