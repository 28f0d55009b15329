#!/usr/bin/env bash
# Whole-process benchmarks of faascost, and SimFaaS on the same Poisson scenario in the same run.
#
# Builds the release binary, generates the inputs into target/bench/ (ignored), runs each command
# under /usr/bin/time -v and prints a Markdown table: wall time, CPU time, peak RSS and simulated
# invocations per second of wall time and per CPU-second. Then runs SimFaaS (PyPI `simfaas` in the
# virtualenv target/simfaas-venv, created on first use) and faascost on SimFaaS's README scenario
# (Poisson 0.9 req/s, exponential service of mean 1.991 s, cold start exponential of mean 0.253 s,
# expiration 600 s) over HORIZON_S simulated seconds, both as whole processes, RUNS times in
# turn, and prints each run's throughputs and their ratio by wall time and by CPU time (load on
# the machine slows the single-threaded Python more than faascost: the CPU-time ratio is the
# steadier one), with the medians and the load average before the runs. The table is also
# written to target/bench/results.md.
#
# Usage: scripts/bench.sh
# Env:   FUNCTIONS=functions of the generated Azure-like day (default 1000)
#        HORIZON_S=simulated seconds of the SimFaaS scenario (default 1000000)
#        SKIP_SIMFAAS=1 to leave SimFaaS out
#        RUNS=SimFaaS-scenario runs of each program, in turn (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
FUNCTIONS="${FUNCTIONS:-1000}"
HORIZON_S="${HORIZON_S:-1000000}"
RUNS="${RUNS:-1}"
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
} | tee "$OUT/results.md"

if [[ -n "${SKIP_SIMFAAS:-}" ]]; then
  exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "creating virtualenv $VENV and installing simfaas from PyPI..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet simfaas
fi
# Each program RUNS times in turn, timed by the parent (wall clock, and user + system CPU of the
# child from wait4, to the microsecond: /usr/bin/time's 10-ms steps are a tenth of faascost's run).
python3 - "$OUT" "$RUNS" "$HORIZON_S" "$VENV/bin/python" "$BIN" <<'PY' | tee -a "$OUT/results.md"
import json, os, statistics, subprocess, sys, time
out, runs, horizon, python, binary = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def timed(argv, stdout_path):
    with open(stdout_path, "w") as stdout:
        t0 = time.perf_counter()
        child = subprocess.Popen(argv, stdout=stdout)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{argv[0]} failed ({status})")
    return wall, usage.ru_utime + usage.ru_stime
load = open("/proc/loadavg").read().split()[:3]
rows = []
for run in range(1, runs + 1):
    sf_wall, sf_cpu = timed([python, "scripts/simfaas_driver.py", horizon, "1"], f"{out}/simfaas-{run}.json")
    fc_wall, fc_cpu = timed([binary, "simulate", "--platform", "aws-lambda", "--synthetic-poisson", f"0.9:1991:{horizon}",
                             "--cold-start-ms", "exp:253", "--keep-alive", "600s", "--concurrency-limit", "1000",
                             "--threads", "1", "--seed", "1", "--json"], f"{out}/faascost-poisson-{run}.json")
    sf = json.loads(open(f"{out}/simfaas-{run}.json").read().strip().splitlines()[-1])
    fc = json.load(open(f"{out}/faascost-poisson-{run}.json"))
    rows.append((sf, sf_wall, sf_cpu, fc, fc_wall, fc_cpu))
print()
print(f"SimFaaS README scenario, {runs} run(s) of each program in turn; load average before: {' '.join(load)}")
print()
print("| run | SimFaaS requests | SimFaaS wall s | SimFaaS CPU s | SimFaaS loop s | faascost requests | faascost wall s | faascost CPU s | ratio by wall | ratio by CPU |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
by_wall, by_cpu = [], []
for run, (sf, sf_wall, sf_cpu, fc, fc_wall, fc_cpu) in enumerate(rows, 1):
    sf_n, fc_n = sf["reqs_total"], fc["invocations"]
    # faascost's requests per second over SimFaaS's.
    by_wall.append((fc_n / fc_wall) / (sf_n / sf_wall))
    by_cpu.append((fc_n / fc_cpu) / (sf_n / sf_cpu))
    print(f"| {run} | {sf_n:,} | {sf_wall:.2f} | {sf_cpu:.2f} | {sf['wall_s']:.2f} | {fc_n:,} | {fc_wall:.3f} | {fc_cpu:.3f} "
          f"| {by_wall[-1]:.0f}x | {by_cpu[-1]:.0f}x |")
print()
print(f"Throughput ratio faascost / SimFaaS (whole processes, requests per second), median of {runs}: "
      f"{statistics.median(by_wall):.0f}x by wall time, {statistics.median(by_cpu):.0f}x by CPU time. "
      f"P(cold): SimFaaS {rows[-1][0]['prob_cold']:.5f}, faascost {rows[-1][3]['cold_start_rate']:.5f}.")
PY
