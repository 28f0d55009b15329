#!/usr/bin/env bash
# Compares faascost's serverless engine with SimFaaS (pacslab/simfaas, PyPI) on SimFaaS's README
# scenario: Poisson 0.9 req/s, warm service exponential mean 1.991 s, cold service exponential
# mean 2.244 s, expiration 600 s, 100,000 s simulated. faascost models a cold request as init +
# warm service, so the init time is exponential with mean 2.244 - 1.991 = 0.253 s (equal means).
#
# Usage: scripts/compare-simfaas.sh [REPLICATIONS]   (default 5; seeds 1..N for both simulators)
# Env:   FAASCOST=path/to/binary (default target/release/faascost, else target/debug/faascost)
#        VENV=dir for the SimFaaS virtualenv (default target/simfaas-venv)
#        HORIZON_S=simulated seconds (default 100000)
# Prints both simulators' cold-start probability and average instance counts (mean ± standard
# error over the replications), whether they agree within the stated tolerance, and the speed ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-5}"
HORIZON_S="${HORIZON_S:-100000}"
VENV="${VENV:-target/simfaas-venv}"
BIN="${FAASCOST:-}"
if [[ -z "$BIN" ]]; then
  if [[ -x target/release/faascost ]]; then BIN=target/release/faascost; else BIN=target/debug/faascost; fi
fi
[[ -x "$BIN" ]] || { echo "error: no faascost binary at $BIN; run 'cargo build' (or --release) first" >&2; exit 2; }
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "creating virtualenv $VENV and installing simfaas from PyPI..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet simfaas
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

for seed in $(seq 1 "$REPS"); do
  "$VENV/bin/python" scripts/simfaas_driver.py "$HORIZON_S" "$seed" >> "$TMP/simfaas.jsonl"
  start=$(date +%s.%N)
  "$BIN" simulate --platform aws-lambda --synthetic-poisson "0.9:1991:$HORIZON_S" \
    --cold-start-ms exp:253 --keep-alive 600s --concurrency-limit 1000 --threads 1 \
    --seed "$seed" --json > "$TMP/faascost-$seed.json"
  end=$(date +%s.%N)
  python3 - "$TMP/faascost-$seed.json" "$start" "$end" >> "$TMP/faascost.jsonl" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
print(json.dumps({"prob_cold": v["cold_start_rate"], "reqs_total": v["invocations"],
                  "inst_count_avg": v["avg_instances"], "inst_running_count_avg": v["avg_busy_instances"],
                  "inst_idle_count_avg": v["avg_idle_instances"], "wall_s": float(sys.argv[3]) - float(sys.argv[2])}))
PY
done

python3 - "$TMP/simfaas.jsonl" "$TMP/faascost.jsonl" "$BIN" <<'PY'
import json, math, sys
def load(p):
    return [json.loads(l) for l in open(p)]
sf, fc = load(sys.argv[1]), load(sys.argv[2])
def ms(rows, k):
    xs = [r[k] for r in rows]
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else float("nan")
    return m, sd / math.sqrt(len(xs))
print(f"SimFaaS README scenario, {len(sf)} replications each (faascost binary: {sys.argv[3]})")
print(f"{'metric':<28}{'SimFaaS':>22}{'faascost':>22}{'diff %':>9}")
ok = True
# Tolerances: cold-start probability within 3 combined standard errors or 15 %; instance
# counts within 3 %.
for key, label, rel_tol in [("prob_cold", "P(cold start)", 0.15), ("inst_count_avg", "avg instances", 0.03),
                            ("inst_running_count_avg", "avg running instances", 0.03),
                            ("inst_idle_count_avg", "avg idle instances", 0.03)]:
    (a, ea), (b, eb) = ms(sf, key), ms(fc, key)
    diff = (b - a) / a
    se = math.sqrt(ea ** 2 + eb ** 2)
    agree = abs(b - a) <= max(3 * se, rel_tol * abs(a)) if not math.isnan(se) else abs(diff) <= rel_tol
    ok &= agree
    fmt = ".5f" if key == "prob_cold" else ".4f"
    print(f"{label:<28}{a:>14{fmt}} ±{ea:<6.4f}{b:>14{fmt}} ±{eb:<6.4f}{100 * diff:>8.2f}  {'agree' if agree else 'DIFFER'}")
wsf = sum(r["wall_s"] for r in sf) / len(sf)
wfc = sum(r["wall_s"] for r in fc) / len(fc)
print(f"{'wall time per run (s)':<28}{wsf:>22.3f}{wfc:>22.3f}")
print(f"speed ratio (SimFaaS / faascost wall time, faascost incl. process start): {wsf / wfc:.1f}x")
print("RESULT:", "agree within tolerance" if ok else "DISAGREE")
sys.exit(0 if ok else 1)
PY
