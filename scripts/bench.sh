#!/usr/bin/env bash
# Whole-process benchmarks of faascost, and SimFaaS on the same Poisson scenario in the same run.
#
# Builds the release binary, generates the inputs into target/bench/ (ignored), runs each command
# under /usr/bin/time -v and prints a Markdown table: wall time, CPU time, peak RSS and simulated
# invocations per second of wall time and per CPU-second. Then runs SimFaaS (PyPI `simfaas` in the
# virtualenv target/simfaas-venv, created on first use) and faascost on SimFaaS's README scenario
# (Poisson 0.9 req/s, exponential service of mean 1.991 s, cold start exponential of mean 0.253 s,
# expiration 600 s) over HORIZON_S simulated seconds, both as whole processes, and prints both
# throughputs and their ratio. The table is also written to target/bench/results.md.
#
# Usage: scripts/bench.sh
# Env:   FUNCTIONS=functions of the generated Azure-like day (default 1000)
#        HORIZON_S=simulated seconds of the SimFaaS scenario (default 1000000)
#        SKIP_SIMFAAS=1 to leave SimFaaS out
set -euo pipefail
cd "$(dirname "$0")/.."
FUNCTIONS="${FUNCTIONS:-1000}"
HORIZON_S="${HORIZON_S:-1000000}"
VENV="${VENV:-target/simfaas-venv}"
OUT=target/bench
BIN=target/release/faascost
command -v /usr/bin/time >/dev/null || { echo "error: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
mkdir -p "$OUT"

echo "building the release binary..." >&2
cargo build --release --quiet

# measure LABEL INVOCATIONS_FROM(json|none|N) CMD...: one table row from /usr/bin/time -v.
measure() {
  local label="$1" count="$2"; shift 2
  /usr/bin/time -v "$@" > "$OUT/stdout" 2> "$OUT/time"
  python3 - "$label" "$count" "$OUT/time" "$OUT/stdout" <<'PY'
import json, re, sys
label, count, time_file, stdout_file = sys.argv[1:]
t = open(time_file).read()
def field(name):
    return re.search(re.escape(name) + r":\s*(\S+)", t).group(1)
parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss_mb = int(field("Maximum resident set size (kbytes)")) / 1024
if count == "json":
    n = json.load(open(stdout_file))["invocations"]
elif count == "none":
    n = None
else:
    n = int(count)
if n is None:
    print(f"| {label} | — | {wall:.2f} | {cpu:.2f} | {rss_mb:.0f} | — | — |")
else:
    print(f"| {label} | {n:,} | {wall:.2f} | {cpu:.2f} | {rss_mb:.0f} | {n / wall / 1e6:.2f} M | {n / cpu / 1e6:.2f} M |")
PY
}

{
  echo "| command | invocations | wall s | CPU s | peak RSS MiB | invocations/s (wall) | invocations/s per CPU-second |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  measure "generate --like azure2019 --functions $FUNCTIONS --days 1 --format azure2019" none \
    "$BIN" generate --like azure2019 --functions "$FUNCTIONS" --days 1 --seed 1 --format azure2019 \
    --out "$OUT/azure-day" --force
  measure "inspect (the generated day)" none "$BIN" inspect "$OUT/azure-day"
  for threads in 1 2; do
    measure "simulate --platform aws-lambda --keep-alive fixed:10m --threads $threads" json \
      "$BIN" simulate "$OUT/azure-day" --platform aws-lambda --keep-alive fixed:10m --threads "$threads" --json
    measure "  same, --concurrency-limit 0 (no account limit) --threads $threads" json \
      "$BIN" simulate "$OUT/azure-day" --platform aws-lambda --keep-alive fixed:10m --concurrency-limit 0 \
      --threads "$threads" --json
  done
  measure "simulate, SimFaaS README scenario over $HORIZON_S s --threads 1" json \
    "$BIN" simulate --platform aws-lambda --synthetic-poisson "0.9:1991:$HORIZON_S" --cold-start-ms exp:253 \
    --keep-alive 600s --concurrency-limit 1000 --threads 1 --seed 1 --json
  cp "$OUT/time" "$OUT/faascost-poisson.time"
  cp "$OUT/stdout" "$OUT/faascost-poisson.json"
} | tee "$OUT/results.md"

if [[ -n "${SKIP_SIMFAAS:-}" ]]; then
  exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "creating virtualenv $VENV and installing simfaas from PyPI..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet simfaas
fi
/usr/bin/time -v "$VENV/bin/python" scripts/simfaas_driver.py "$HORIZON_S" 1 > "$OUT/simfaas.json" 2> "$OUT/simfaas.time"
python3 - "$OUT/simfaas.json" "$OUT/simfaas.time" "$OUT/faascost-poisson.json" "$OUT/faascost-poisson.time" <<'PY' | tee -a "$OUT/results.md"
import json, re, sys
def wall(path):
    t = open(path).read()
    parts = [float(p) for p in re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\):\s*(\S+)", t).group(1).split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
sf = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
fc = json.load(open(sys.argv[3]))
sf_wall, fc_wall = wall(sys.argv[2]), wall(sys.argv[4])
sf_n, fc_n = sf["reqs_total"], fc["invocations"]
print()
print("| SimFaaS README scenario, same run | requests | whole-process wall s | requests/s (whole process) | simulation loop only |")
print("|---|---:|---:|---:|---:|")
print(f"| SimFaaS 0.2.2 (Python) | {sf_n:,} | {sf_wall:.2f} | {sf_n / sf_wall:,.0f} | {sf['wall_s']:.2f} s, {sf_n / sf['wall_s']:,.0f}/s |")
print(f"| faascost (1 thread) | {fc_n:,} | {fc_wall:.2f} | {fc_n / fc_wall:,.0f} | — |")
print()
print(f"Throughput ratio faascost / SimFaaS (whole process, requests per second): "
      f"{(fc_n / fc_wall) / (sf_n / sf_wall):.0f}x; against SimFaaS's loop alone (imports excluded): "
      f"{(fc_n / fc_wall) / (sf_n / sf['wall_s']):.0f}x. "
      f"P(cold): SimFaaS {sf['prob_cold']:.5f}, faascost {fc['cold_start_rate']:.5f}.")
PY
