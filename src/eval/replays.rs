//! The replay store of `analyze --replays DIR`: every replay of a serverless option on the
//! plan's whole workload (the comparison's, each range case's and Monte Carlo run's, the
//! keep-alive trade-off's) kept as the partials of its partitions (`sim::partial`), in a folder
//! named by a digest of what the replay depends on: this faascost's version and source
//! fingerprint (`build.rs`), the traces' digests, the workload's functions and window, and every
//! simulation setting (`SimConfig`, written out in full in the folder's `key.txt`).
//!
//! Where all N partials of a replay are there, a run merges them instead of replaying
//! (`sim::simulate_merged`: exactly the whole replay, runs alone included). A run without
//! `--partition` replays what the store lacks as the one partition of one and merges that, so
//! the next run with the same traces and settings replays nothing. A partitioned run
//! (`--partition K/N`, on any machine that sees the folder) replays only its partition of each
//! replay the store lacks, writes that partial, and goes on with its own units' output in its
//! place; `app::analyze` gives such a run only the stages whose replays do not depend on
//! another's outcome, so one round of all N writes every partial the unpartitioned run then
//! merges into the same report as `analyze` alone. Where the account limit couples a replay's
//! units (it binds, or fluid-path units share it), partitions are not independent: the replay is
//! marked, not kept, and replayed whole by the unpartitioned run, with a note.

use anyhow::Context;
use sha2::{Digest as _, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::InputFile;
use crate::sim::partial::{PartialReader, PartialWriter, PartitionSpec};
use crate::sim::{
    simulate, simulate_merged_with_alone_runs, simulate_partition, simulate_with_alone_runs, AloneRuns, SimConfig,
    SimError, SimOutput,
};
use crate::trace::Workload;

/// A replay store in use by one run.
#[derive(Debug)]
pub struct ReplayStore {
    dir: PathBuf,
    partition: Option<PartitionSpec>,
    /// What every replay's key starts with: the version, the traces and the workload's shape.
    workload_id: String,
    /// The workload's [`shape`]: a replay of another workload bypasses the store.
    shape: (usize, u64, u64),
    merged: AtomicU64,
    written: AtomicU64,
    replayed: AtomicU64,
    notes: Mutex<Vec<String>>,
}

/// What a run did with its store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreCounts {
    /// Replays merged from every partition's partial.
    pub merged: u64,
    /// Partials this run wrote that were not there before.
    pub written: u64,
    /// Whole replays this run made itself (an unpartitioned run: not in the store whole), each
    /// kept as one partition where the account limit does not bind.
    pub replayed: u64,
}

impl ReplayStore {
    /// The store in `dir` (created when absent) for the workload read from `traces`; with
    /// `partition`, this run replays only that partition of what the store lacks.
    pub fn open(
        dir: &Path,
        partition: Option<PartitionSpec>,
        traces: &[InputFile],
        workload: &Workload,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating the replay store {}", dir.display()))?;
        let mut workload_id = format!(
            "faascost {} (source {}) replay\n",
            env!("CARGO_PKG_VERSION"),
            env!("FAASCOST_SOURCE_FINGERPRINT")
        );
        for t in traces {
            workload_id.push_str(&format!("trace {} sha256 {}\n", t.format, t.sha256));
        }
        let shape = shape(workload);
        workload_id.push_str(&format!(
            "workload {} functions, window {}..{} ms\n",
            shape.0, shape.1, shape.2
        ));
        Ok(ReplayStore {
            dir: dir.to_path_buf(),
            partition,
            workload_id,
            shape,
            merged: AtomicU64::new(0),
            written: AtomicU64::new(0),
            replayed: AtomicU64::new(0),
            notes: Mutex::new(Vec::new()),
        })
    }

    /// The partition this run replays, if any.
    pub fn partition(&self) -> Option<PartitionSpec> {
        self.partition
    }

    /// What this run did with the store so far.
    pub fn counts(&self) -> StoreCounts {
        StoreCounts {
            merged: self.merged.load(Ordering::Relaxed),
            written: self.written.load(Ordering::Relaxed),
            replayed: self.replayed.load(Ordering::Relaxed),
        }
    }

    /// Why a replay the store holds could not be used (the run replayed it instead).
    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().expect("notes are only pushed").clone()
    }

    /// The replay of `workload` (the plan's whole workload) under `cfg`, with each function's
    /// run alone when `alone` (`sim::simulate_with_alone_runs`): merged from the store when it
    /// holds every partition's partial, else replayed here and kept, or in a partitioned run
    /// this partition replayed into the store and its units' own output returned in its place
    /// (no runs alone). A replay whose units the account limit couples is replayed whole by an
    /// unpartitioned run (a marker in its folder says so, so later runs do not try again) and
    /// stood in for by a partitioned one.
    pub fn replay(&self, workload: &Workload, cfg: &SimConfig, alone: bool) -> anyhow::Result<(SimOutput, AloneRuns)> {
        let whole = || -> anyhow::Result<(SimOutput, AloneRuns)> {
            Ok(if alone {
                simulate_with_alone_runs(workload, cfg)?
            } else {
                (simulate(workload, cfg)?, AloneRuns::new())
            })
        };
        if shape(workload) != self.shape {
            // Not the workload the store was opened for: nothing to keep or find.
            return whole();
        }
        let key = format!("{}settings {cfg:#?}\n", self.workload_id);
        let digest: String = Sha256::digest(key.as_bytes())[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let folder = self.dir.join(digest);
        let whole_only = folder.join(WHOLE_ONLY);
        if whole_only.is_file() {
            return match self.partition {
                None => {
                    self.replayed.fetch_add(1, Ordering::Relaxed);
                    whole()
                }
                Some(spec) => stand_in(workload, cfg, spec, &folder),
            };
        }
        if let Some(mut readers) = self.complete_set(&folder, &key) {
            match simulate_merged_with_alone_runs(workload, cfg, &mut readers, alone) {
                Ok(out) => {
                    self.merged.fetch_add(1, Ordering::Relaxed);
                    return Ok(out);
                }
                Err(e) => self.note(format!("{}: not merged ({e})", folder.display())),
            }
        }
        let spec = self.partition.unwrap_or(PartitionSpec { index: 1, count: 1 });
        write_new(&folder.join("key.txt"), &key)?;
        let path = folder.join(part_name(spec.index, spec.count));
        let existed = path.exists();
        let mut writer = PartialWriter::create(&path).with_context(|| format!("creating {}", path.display()))?;
        // Always with the units' own totals, so the merge gives the runs alone to any run.
        let (mut header, own) = match simulate_partition(workload, cfg, spec, &mut writer, true) {
            Ok(done) => done,
            Err(SimError::Partition(why)) => {
                drop(writer);
                self.note(format!(
                    "{}: replayed whole by the report run, not kept: its units are not independent ({why})",
                    folder.display()
                ));
                write_new(&whole_only, &why)?;
                return match self.partition {
                    None => {
                        self.replayed.fetch_add(1, Ordering::Relaxed);
                        whole()
                    }
                    Some(spec) => stand_in(workload, cfg, spec, &folder),
                };
            }
            Err(e) => return Err(e.into()),
        };
        header.context = serde_json::json!({ "replay_key": key });
        writer
            .finish(header)
            .with_context(|| format!("writing {}", path.display()))?;
        if !existed {
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        if self.partition.is_some() {
            return Ok((own, AloneRuns::new()));
        }
        // The one partition is the whole replay: merged from its partial, exactly as the next
        // run will (runs alone included).
        self.replayed.fetch_add(1, Ordering::Relaxed);
        let mut readers = vec![PartialReader::open(&path).map_err(anyhow::Error::msg)?];
        Ok(simulate_merged_with_alone_runs(workload, cfg, &mut readers, alone)?)
    }

    /// The readers of every partition's partial of the replay in `folder` (the fewest
    /// partitions that are all there: one, where an unpartitioned run kept it), when the store
    /// holds them all and each was made for `key`.
    fn complete_set(&self, folder: &Path, key: &str) -> Option<Vec<PartialReader>> {
        let mut counts: Vec<u32> = std::fs::read_dir(folder)
            .ok()?
            .filter_map(|e| parse_part_name(&e.ok()?.file_name().to_string_lossy()))
            .map(|(_, n)| n)
            .collect();
        counts.sort_unstable();
        counts.dedup();
        let n = counts
            .into_iter()
            .find(|&n| (1..=n).all(|k| folder.join(part_name(k, n)).is_file()))?;
        let mut readers = Vec::with_capacity(n as usize);
        for k in 1..=n {
            let path = folder.join(part_name(k, n));
            match PartialReader::open(&path) {
                Ok(r) if r.header.context.get("replay_key").and_then(|v| v.as_str()) == Some(key) => readers.push(r),
                Ok(_) => {
                    self.note(format!("{}: made for another replay", path.display()));
                    return None;
                }
                Err(e) => {
                    self.note(e);
                    return None;
                }
            }
        }
        Some(readers)
    }

    fn note(&self, what: String) {
        self.notes.lock().expect("notes are only pushed").push(what);
    }
}

/// A partitioned run's stand-in for a replay whose units are not independent: its partition's
/// units replayed with no account limit (so they are never refused), written nowhere (the
/// report run replays it whole); the round only needs an output to go on with.
fn stand_in(
    workload: &Workload,
    cfg: &SimConfig,
    spec: PartitionSpec,
    folder: &Path,
) -> anyhow::Result<(SimOutput, AloneRuns)> {
    let unlimited = SimConfig {
        concurrency_limit: Some(0),
        ..cfg.clone()
    };
    // Dropped unfinished: its temporary file is removed.
    let mut scratch = PartialWriter::create(&folder.join(part_name(spec.index, spec.count)))?;
    let (_, own) = simulate_partition(workload, &unlimited, spec, &mut scratch, false)?;
    Ok((own, AloneRuns::new()))
}

/// Writes `text` to `path` atomically unless it is there already.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut file = crate::atomic::temporary_beside(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    file.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// What identifies a workload cheaply: its functions and window.
fn shape(workload: &Workload) -> (usize, u64, u64) {
    (
        workload.functions.len(),
        workload.window_start_ms,
        workload.window_end_ms,
    )
}

/// The marker of a replay whose units are not independent (the account limit couples them):
/// it holds why.
const WHOLE_ONLY: &str = "whole-only.txt";

/// The file name of partition `k` of `n`'s partial.
fn part_name(k: u32, n: u32) -> String {
    format!("part-{k}-of-{n}.fcpart")
}

/// `(k, n)` of a partial's file name.
fn parse_part_name(name: &str) -> Option<(u32, u32)> {
    let (k, n) = name
        .strip_prefix("part-")?
        .strip_suffix(".fcpart")?
        .split_once("-of-")?;
    let (k, n) = (k.parse().ok()?, n.parse().ok()?);
    (1..=n).contains(&k).then_some((k, n))
}
