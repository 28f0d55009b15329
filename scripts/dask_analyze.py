#!/usr/bin/env python3
"""Runs `faascost analyze` partitioned over a Dask cluster through a replay store, then the report.

Each of the N partitions is one Dask task that runs
`faascost analyze ARGS --replays DIR --partition K/N` on a worker (one rayon thread: the cluster
gives the parallelism): it replays its share of every whole-workload replay of the serverless
options and writes the partials into DIR, which every worker and this driver must see (a shared
filesystem on a real cluster). One round writes every partial the report needs. This driver then
runs `faascost analyze ARGS --replays DIR` itself, which merges them (exactly the replays) and
runs the rest (servers, hybrids, per-function fits): the same reports, stdout and exit code as
`faascost analyze ARGS` alone (its stderr also says what it merged). Why Dask: see
scripts/dask_simulate.py.

Usage:
  scripts/dask_analyze.py --partitions 4 --workers 2 --replays DIR [--faascost BIN]
                          [--scheduler ADDRESS] -- ANALYZE_ARGS...
Exit codes: the final analyze's (1 for a failed gate, 2 for input errors), or a task's 2 for an
input error, 1 when a task fails otherwise.
"""

import argparse
import json
import os
import subprocess
import sys

import cloudpickle

import dask_simulate
from dask_simulate import add_cluster_options, binary, map_on_cluster

# The tasks' function travels to the workers by value: they need not have this folder.
cloudpickle.register_pickle_by_value(dask_simulate)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_cluster_options(parser)
    parser.add_argument("--replays", required=True, help="the replay store, seen by every worker")
    parser.add_argument("analyze_args", nargs=argparse.REMAINDER, help="-- then the arguments of faascost analyze")
    opts = parser.parse_args()
    args = opts.analyze_args[1:] if opts.analyze_args[:1] == ["--"] else opts.analyze_args
    if opts.partitions < 1:
        parser.error("give --partitions N (at least 1) and the analyze arguments after --")
    faascost = binary(opts)
    store = os.path.abspath(opts.replays)
    n = opts.partitions
    tasks = [
        (
            f"partition {k}/{n}",
            [faascost, "analyze", *args, "--replays", store, "--partition", f"{k}/{n}"],
            {"RAYON_NUM_THREADS": "1"},
        )
        for k in range(1, n + 1)
    ]
    done = map_on_cluster(opts, "dask_analyze", tasks)
    if isinstance(done, int):
        return done
    written = sum(int(json.loads(line)["partials_written"]) for line in done)
    print(f"dask_analyze: {written} partial(s) written into {store}", file=sys.stderr)
    return subprocess.run([faascost, "analyze", *args, "--replays", store]).returncode


if __name__ == "__main__":
    sys.exit(main())
