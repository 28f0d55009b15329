#!/usr/bin/env bash
# Runs the run-steps of .github/workflows/cost-report.yml locally, against a throwaway folder:
# analyze (with the workflow's gates) → job summary → diff against a baseline (a passing and a
# failing increase gate) → GITHUB_STEP_SUMMARY written and annotations printed. Needs only the
# repository, coreutils, sed and grep; under a second with a built binary (.ci/run passes the one
# `cargo test` built).
# Usage: scripts/test-workflow.sh                  (builds and uses the debug binary)
#        FAASCOST=path/to/faascost scripts/test-workflow.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${FAASCOST:-}" ]]; then
  cargo build --quiet
  FAASCOST=target/debug/faascost
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test-workflow: $*" >&2; exit 1; }

export GITHUB_STEP_SUMMARY="$work/summary.md" GITHUB_ACTIONS=true
# A small trace (one hour of a bursty function) stands in for the workflow's $TRACES.
"$FAASCOST" generate --pattern bursty --hours 1 --rate-per-s 0.2 --seed 1 --out "$work/trace.csv" 2>/dev/null

# Step "Analyze": a baseline run, then this week's run with the workflow's gates.
"$FAASCOST" analyze "$work/trace.csv" --out "$work/baseline" --seed 1 >/dev/null 2>&1
"$FAASCOST" analyze "$work/trace.csv" --out "$work/cost-report" --seed 1 \
  --max-monthly-usd 5000 --require-slo >/dev/null 2>"$work/analyze.err" || fail "analyze gates failed: $(cat "$work/analyze.err")"
for f in report.json report.md options.csv; do
  [[ -s "$work/cost-report/$f" ]] || fail "analyze did not write $f"
done
cat "$work/cost-report/report.md" >> "$GITHUB_STEP_SUMMARY"

# The same inputs and seed give the same bytes.
cmp -s "$work/baseline/report.json" "$work/cost-report/report.json" || fail "report.json is not deterministic"

# Step "Diff": unchanged cost passes the increase gate.
"$FAASCOST" diff "$work/baseline/report.json" "$work/cost-report/report.json" \
  --max-increase-pct 10 --format md >"$work/diff.md" 2>"$work/diff.err" || fail "diff of identical reports failed its gate"
grep -q "Gates: passed" "$work/diff.md" || fail "diff output lacks the gate result"

# A baseline that cost next to nothing: the same gate must fail with exit 1 and annotate.
sed -E 's/"monthly_cost_usd": "[0-9]+\.[0-9]+"/"monthly_cost_usd": "0.000001"/' \
  "$work/baseline/report.json" >"$work/cheaper.json"
set +e
"$FAASCOST" diff "$work/cheaper.json" "$work/cost-report/report.json" --max-increase-pct 10 \
  --format md >"$work/diff2.md" 2>"$work/diff2.err"
code=$?
set -e
[[ $code -eq 1 ]] || fail "an increase from $0.000001 should fail --max-increase-pct 10 with exit 1, got $code"
grep -q "^::error title=faascost gate failed::--max-increase-pct 10" "$work/diff2.err" || fail "no ::error:: annotation"

# A missing baseline is an input error (exit 2), as the workflow's guard expects.
set +e
"$FAASCOST" diff "$work/missing.json" "$work/cost-report/report.json" >/dev/null 2>&1
code=$?
set -e
[[ $code -eq 2 ]] || fail "a missing baseline should exit 2, got $code"

# The job summary holds the report and both diffs.
[[ $(grep -c "^## faascost cost diff" "$GITHUB_STEP_SUMMARY") -eq 2 ]] || fail "GITHUB_STEP_SUMMARY lacks the diffs"
grep -q "^# faascost report" "$GITHUB_STEP_SUMMARY" || fail "GITHUB_STEP_SUMMARY lacks the report"
echo "test-workflow: ok (analyze, gates, diff pass and fail, job summary $(wc -c <"$GITHUB_STEP_SUMMARY") bytes)"
