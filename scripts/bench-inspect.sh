#!/usr/bin/env bash
# Times `faascost inspect` on a full-size synthetic Azure 2019 day and prints throughput.
#
#   scripts/bench-inspect.sh [FUNCTIONS]        default 50000 functions × 1,440 minutes, release build
#   DAYS=14 scripts/bench-inspect.sh            the same functions over 14 days (the full dataset's span)
#   CARGO_PROFILE=debug scripts/bench-inspect.sh 500    quick check of the script itself (debug build)
#   RUNS=10 scripts/bench-inspect.sh                    more timed runs (default 5)
#   DAY=/path/to/day scripts/bench-inspect.sh 50000     time an existing directory instead (DAYS=N: its days)
#   CARGO_PROFILE_RELEASE_LTO=false scripts/bench-inspect.sh   quicker release build (no LTO)
#
# The trace is generated (seed 1, `generate --like azure2019`) into a temporary directory that
# is removed on exit. Timing uses hyperfine when installed, else /usr/bin/time (else bash's
# `time`). Prints MB/s (bytes of the day files: three a day) and functions/s, both per wall second and
# per CPU second (user + system, all threads), with nproc, the CPU model and the load average
# (on a shared machine the CPU seconds are the steadier figure).
set -euo pipefail
cd "$(dirname "$0")/.."
FUNCTIONS="${1:-50000}"
DAYS="${DAYS:-1}"
PROFILE="${CARGO_PROFILE:-release}"
RUNS="${RUNS:-5}"
case "$PROFILE" in
  release) cargo build --release --quiet; BIN=target/release/faascost ;;
  debug|dev) cargo build --quiet; BIN=target/debug/faascost ;;
  *) echo "CARGO_PROFILE must be release or debug, not '$PROFILE'" >&2; exit 2 ;;
esac
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
if [[ -n "${DAY:-}" ]]; then
  [[ -d "$DAY" ]] || { echo "DAY=$DAY is not a directory" >&2; exit 2; }
else
  DAY="$TMP/day"
  "$BIN" generate --like azure2019 --functions "$FUNCTIONS" --days "$DAYS" --seed 1 --format azure2019 --out "$DAY"
fi
BYTES="$(cat "$DAY"/*.csv | wc -c)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$TMP/h.json" "$BIN inspect $DAY > /dev/null"
  SECONDS_MEAN="$(sed -n 's/.*"mean": *\([0-9.eE+-]*\).*/\1/p' "$TMP/h.json" | head -1)"
  USER_MEAN="$(sed -n 's/.*"user": *\([0-9.eE+-]*\).*/\1/p' "$TMP/h.json" | head -1)"
  SYSTEM_MEAN="$(sed -n 's/.*"system": *\([0-9.eE+-]*\).*/\1/p' "$TMP/h.json" | head -1)"
  CPU_MEAN="$(awk -v u="$USER_MEAN" -v s="$SYSTEM_MEAN" 'BEGIN { print u + s }')"
  TIMER=hyperfine
else
  TOTAL=0
  CPU_TOTAL=0
  for _ in $(seq "$RUNS"); do
    if [[ -x /usr/bin/time ]]; then
      /usr/bin/time -f '%e %U %S' -o "$TMP/t" "$BIN" inspect "$DAY" > /dev/null
      read -r T U S < <(tail -1 "$TMP/t")
      TIMER=/usr/bin/time
    else
      TIMEFORMAT='%R %U %S'
      { time "$BIN" inspect "$DAY" > /dev/null; } 2> "$TMP/t"
      read -r T U S < <(tail -1 "$TMP/t")
      TIMER="bash time"
    fi
    TOTAL="$(awk -v a="$TOTAL" -v b="$T" 'BEGIN { print a + b }')"
    CPU_TOTAL="$(awk -v a="$CPU_TOTAL" -v u="$U" -v s="$S" 'BEGIN { print a + u + s }')"
  done
  SECONDS_MEAN="$(awk -v t="$TOTAL" -v n="$RUNS" 'BEGIN { print t / n }')"
  CPU_MEAN="$(awk -v t="$CPU_TOTAL" -v n="$RUNS" 'BEGIN { print t / n }')"
fi

# Baseline in the same run: Python's csv module parsing the same files and summing every
# count (what a quick script would do), timed once.
BASE_START="$(date +%s.%N)"
python3 - "$DAY" <<'PY'
import csv, glob, sys
total = 0
for path in sorted(glob.glob(sys.argv[1] + "/*.csv")):
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        if "Trigger" in header:
            for row in rows:
                total += sum(int(c) for c in row[4:])
        else:
            for row in rows:
                pass
print(f"baseline (python3 csv): {total} invocations", file=sys.stderr)
PY
BASE_END="$(date +%s.%N)"
BASELINE="$(awk -v s="$BASE_START" -v e="$BASE_END" 'BEGIN { print e - s }')"

CPU="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
awk -v s="$SECONDS_MEAN" -v c="$CPU_MEAN" -v b="$BYTES" -v f="$FUNCTIONS" -v days="$DAYS" -v p="$PROFILE" -v timer="$TIMER" \
    -v cpus="$(nproc)" -v cpu="${CPU:-unknown}" -v base="$BASELINE" -v l0="$LOAD_BEFORE" -v l1="$LOAD_AFTER" 'BEGIN {
  if (s <= 0) s = 0.001;  # below the timer resolution
  if (c <= 0) c = 0.001;
  printf "inspect on %d functions × %d minutes (%.1f MB), %s build, timed with %s\n", f, 1440 * days, b / 1e6, p, timer
  printf "mean %.3f s wall  |  %.1f MB/s  |  %.0f functions/s\n", s, b / 1e6 / s, f / s
  printf "mean %.3f CPU-s (user + sys)  |  %.1f MB per CPU-second\n", c, b / 1e6 / c
  printf "baseline: python3 csv module on the same files %.3f s (faascost inspect is %.1f× faster)\n", base, base / s
  printf "nproc %d  |  CPU %s  |  load average %s before, %s after\n", cpus, cpu, l0, l1
}'
