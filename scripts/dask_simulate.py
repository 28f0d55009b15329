#!/usr/bin/env python3
"""Runs `faascost simulate` partitioned over a Dask cluster and merges the partials.

Each of the N partitions is one Dask task that runs
`faascost simulate ARGS --partition K/N --partial-out DIR/part-K-of-N.part` on a worker (every
worker reads the whole trace from the same path; the partials go to DIR, which every worker and
this driver must see: a shared filesystem on a real cluster). When all are done, this driver runs
`faascost merge` on them and passes its output through: the same bytes the unpartitioned
`faascost simulate ARGS` prints.

Why Dask: `pip install "dask[distributed]"` brings a scheduler, workers and a local cluster in pure
Python wheels; a task is a plain function that runs a subprocess; the same script runs on a laptop
(LocalCluster) or against an existing cluster (--scheduler tcp://host:8786, or dask-jobqueue /
dask-kubernetes started separately). Ray would do as well but is a much larger install for what is
here one map and one gather.

Usage:
  scripts/dask_simulate.py --partitions 4 --workers 2 --partial-dir DIR [--faascost BIN]
                           [--scheduler ADDRESS] [--out OUTDIR] -- SIMULATE_ARGS...
Exit codes: faascost's (2 for input errors such as a limit that couples partitions), 1 when a
task fails otherwise.
"""

import argparse
import os
import subprocess
import sys


def run_task(label, cmd, cwd, env):
    """One task on a worker: runs `cmd` in `cwd` with `env` added; returns its stdout, or raises
    with faascost's exit code and stderr."""
    done = subprocess.run(cmd, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{label} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def add_cluster_options(parser):
    """The options every runner takes: partitions, the cluster, the binary."""
    parser.add_argument("--partitions", type=int, required=True, help="N: partitions (tasks)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the local cluster (default 2)")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler instead of a local cluster")
    parser.add_argument("--faascost", default="faascost", help="the faascost binary on the workers (default: on PATH)")


def map_on_cluster(opts, name, tasks):
    """Runs `tasks` (label, command, env) as Dask tasks, from this folder; returns their stdouts,
    or an exit code when one failed (faascost's 2 for input errors, else 1)."""
    from dask.distributed import Client, LocalCluster

    cwd = os.getcwd()
    if opts.scheduler:
        client = Client(opts.scheduler)
        cluster = None
    else:
        cluster = LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [client.submit(run_task, label, cmd, cwd, env, pure=False) for label, cmd, env in tasks]
        try:
            outputs = client.gather(futures)
        except RuntimeError as e:
            print(f"{name}: {e}", file=sys.stderr)
            return 2 if "exited 2" in str(e) else 1
        workers = len(client.scheduler_info()["workers"])
        print(f"{name}: {len(tasks)} partition(s) on {workers} worker(s)", file=sys.stderr)
        return outputs
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def binary(opts):
    """The faascost binary as workers in other folders reach it."""
    return os.path.abspath(opts.faascost) if os.sep in opts.faascost else opts.faascost


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_cluster_options(parser)
    parser.add_argument("--partial-dir", required=True, help="folder for the partials, seen by every worker")
    parser.add_argument("--out", help="write the merged output into this folder (merge --out) instead of stdout")
    parser.add_argument("simulate_args", nargs=argparse.REMAINDER, help="-- then the arguments of faascost simulate")
    opts = parser.parse_args()
    args = opts.simulate_args[1:] if opts.simulate_args[:1] == ["--"] else opts.simulate_args
    if opts.partitions < 1 or not args:
        parser.error("give --partitions N (at least 1) and the simulate arguments after --")
    faascost = binary(opts)
    partial_dir = os.path.abspath(opts.partial_dir)
    os.makedirs(partial_dir, exist_ok=True)
    n = opts.partitions
    partials = [os.path.join(partial_dir, f"part-{k}-of-{n}.part") for k in range(1, n + 1)]
    tasks = [
        (
            f"partition {k}/{n}",
            [faascost, "simulate", *args, "--partition", f"{k}/{n}", "--partial-out", partials[k - 1], "--threads", "1"],
            {},
        )
        for k in range(1, n + 1)
    ]
    done = map_on_cluster(opts, "dask_simulate", tasks)
    if isinstance(done, int):
        return done
    merge = [faascost, "merge", *partials] + (["--out", opts.out] if opts.out else [])
    return subprocess.run(merge).returncode


if __name__ == "__main__":
    sys.exit(main())
