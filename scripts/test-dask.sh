#!/usr/bin/env bash
# Tests the Dask runners on a local 2-worker cluster: the merged output of a partitioned
# `faascost simulate` (scripts/dask_simulate.py) must equal the unpartitioned run byte for byte
# (Lambda's per-function units, Azure Consumption's apps), a limit that couples partitions must
# exit 2, and a partitioned `faascost analyze` (scripts/dask_analyze.py) must write the
# unpartitioned run's five report files byte for byte, replaying nothing itself.
# Installs dask[distributed] (pinned) into target/dask-venv on first use; prints a NOTICE and
# skips when Python's venv or the package index is not available.
# Usage: scripts/test-dask.sh                  (builds and uses the debug binary)
#        FAASCOST=path/to/faascost scripts/test-dask.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${FAASCOST:-}" ]]; then
  cargo build --quiet
  FAASCOST=target/debug/faascost
fi
VENV=target/dask-venv
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import dask.distributed" 2>/dev/null; then
  if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet "dask[distributed]==2026.8.0"; } >/dev/null 2>&1; then
    echo "NOTICE: test-dask: could not install dask[distributed] into $VENV (no python3-venv or no package index); skipped" >&2
    exit 0
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test-dask: $*" >&2; exit 1; }
for platform in aws-lambda azure-functions-consumption; do
  args=(datasets/default --platform "$platform" --json --per-unit --per-minute)
  "$FAASCOST" simulate "${args[@]}" > "$work/single.json"
  "$VENV/bin/python" scripts/dask_simulate.py --partitions 3 --workers 2 --partial-dir "$work/parts-$platform" \
    --faascost "$FAASCOST" -- "${args[@]}" > "$work/merged.json" 2>"$work/dask.err" \
    || fail "$platform: the runner failed: $(tail -5 "$work/dask.err")"
  grep -q "3 partition(s) on 2 worker(s)" "$work/dask.err" || fail "$platform: not run on 2 workers: $(cat "$work/dask.err")"
  cmp -s "$work/single.json" "$work/merged.json" || fail "$platform: the merged output differs from the single run"
done
set +e
"$VENV/bin/python" scripts/dask_simulate.py --partitions 2 --workers 2 --partial-dir "$work/parts-limit" \
  --faascost "$FAASCOST" -- datasets/default --platform aws-lambda --concurrency-limit 10 >/dev/null 2>"$work/limit.err"
code=$?
set -e
[[ $code == 2 ]] || fail "a limit binding within a partition: exit $code, expected 2"
grep -q "binds within this partition alone" "$work/limit.err" || fail "the refusal does not say why: $(tail -3 "$work/limit.err")"
"$FAASCOST" generate --like azure2019 --functions 30 --hours 6 --seed 5 --format azure2019 --out "$work/g30" 2>/dev/null
args=("$work/g30" --monte-carlo 2)
"$FAASCOST" analyze "${args[@]}" --out "$work/single" >/dev/null 2>&1
"$VENV/bin/python" scripts/dask_analyze.py --partitions 3 --workers 2 --replays "$work/replays" \
  --faascost "$FAASCOST" -- "${args[@]}" --out "$work/merged" >/dev/null 2>"$work/analyze.err" \
  || fail "analyze: the runner failed: $(tail -5 "$work/analyze.err")"
grep -q "3 partition(s) on 2 worker(s)" "$work/analyze.err" || fail "analyze: not run on 2 workers: $(cat "$work/analyze.err")"
grep -q "merged from their partials, 0 replayed here" "$work/analyze.err" \
  || fail "analyze: the final run replayed: $(grep 'replay store' "$work/analyze.err")"
for f in report.json report.md options.csv functions.csv report.html; do
  cmp -s "$work/single/$f" "$work/merged/$f" || fail "analyze: $f differs from the single run's"
done
echo "test-dask: partitioned runs on a 2-worker local Dask cluster merge to the single run's bytes (simulate and analyze)"
