#!/usr/bin/env bash
# Regenerates the bundled sample traces in datasets/ (see datasets/README.md).
# Deterministic: the same faascost version writes byte-identical files.
# Usage: scripts/make-datasets.sh            (builds and uses the debug binary)
#        FAASCOST=path/to/faascost scripts/make-datasets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${FAASCOST:-}" ]]; then
  cargo build --quiet
  FAASCOST=target/debug/faascost
fi
gen() { "$FAASCOST" generate --force "$@"; }

# The default input of `faascost analyze`: one Azure-2019-like day of 200 functions (seed 2: a
# mid-size workload — 0.42 M invocations, 10 Erlangs on average; seed 1 draws a 7.6 M-invocation
# day dominated by one heavy function).
gen --like azure2019 --functions 200 --days 1 --seed 2 --format azure2019 --out datasets/default

# One small CSV trace per pattern (rates scaled down to keep each file near 100 KB).
mkdir -p datasets/patterns
gen --pattern poisson     --functions 2 --hours 6 --rate-per-min 3   --duration-ms lognormal:120,900 --memory-mb 256  --seed 1 --out datasets/patterns/poisson.csv
gen --pattern diurnal     --functions 1 --days 1  --rate-per-min 1.5 --duration-ms lognormal:80,600  --memory-mb 512  --seed 1 --timestamps rfc3339 --out datasets/patterns/diurnal.csv
gen --pattern bursty      --functions 1 --days 1  --rate-per-min 1.5 --duration-ms exp:200          --memory-mb 1024 --seed 1 --timestamps rfc3339 --out datasets/patterns/bursty.csv
gen --pattern periodic    --functions 3 --days 1  --rate-per-min 0.5 --duration-ms const:1500       --memory-mb 128  --seed 1 --out datasets/patterns/periodic.csv
gen --pattern steady-high --functions 1 --hours 1 --rate-per-s 1     --duration-ms lognormal:40,150  --memory-mb 1769 --seed 1 --out datasets/patterns/steady-high.csv
du -sh datasets
