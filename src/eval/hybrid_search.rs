//! Hybrid options: a fixed, committed server fleet carries the base load (up to its target
//! utilization each minute) and serverless functions take the excess. The base size is
//! searched from no servers to the all-server fleet: a grid of candidates is simulated —
//! servers by the fleet model, the overflow by the serverless event engine — then the grid
//! narrows around the best until neighbouring sizes are tried; the cheapest size that meets
//! the latency SLO wins (cost is near-convex in the base size: servers grow linearly, the
//! overflow shrinks).
//!
//! The overflow of each minute is the share of its load above the base capacity; which
//! invocations overflow is chosen deterministically by error diffusion (per function for
//! per-minute counts, in time order for timestamps), so totals are preserved and no
//! randomness enters here.

use crate::sim::load::LoadProfile;
use crate::trace::{Arrivals, MinuteCounts, Workload};
use crate::units::MS_PER_MINUTE;

use std::collections::BTreeMap;

/// Candidates per round of the grid search.
pub const GRID_POINTS: u32 = 7;

/// Up to `GRID_POINTS` evenly spread sizes from `lo` to `hi` (both included).
pub fn grid(lo: u32, hi: u32) -> Vec<u32> {
    if hi - lo < GRID_POINTS {
        return (lo..=hi).collect();
    }
    let mut v: Vec<u32> = (0..GRID_POINTS)
        .map(|i| lo + (i as f64 * (hi - lo) as f64 / (GRID_POINTS - 1) as f64).round() as u32)
        .collect();
    v.dedup();
    v
}

/// Finds the best base size in `0..=all_server` by grid refinement. `eval` returns
/// (meets the SLO, monthly cost) of each size it is given, in their order (a round's sizes
/// not evaluated yet, at once: they are independent, so the caller may evaluate them in
/// parallel); a size that meets the SLO beats one that does not, then the lower cost wins.
/// Each size is evaluated at most once; returns every evaluated size.
pub fn search<E>(
    all_server: u32,
    mut eval: impl FnMut(&[u32]) -> Result<Vec<(bool, f64)>, E>,
) -> Result<BTreeMap<u32, (bool, f64)>, E> {
    let mut seen: BTreeMap<u32, (bool, f64)> = BTreeMap::new();
    let (mut lo, mut hi) = (0, all_server);
    loop {
        let points = grid(lo, hi);
        let new: Vec<u32> = points.iter().copied().filter(|n| !seen.contains_key(n)).collect();
        let scores = eval(&new)?;
        assert_eq!(scores.len(), new.len(), "one score per size");
        seen.extend(new.into_iter().zip(scores));
        let best = best_of(&seen);
        let i = points.iter().position(|&n| n == best).unwrap_or(0);
        let (new_lo, new_hi) = (points[i.saturating_sub(1)], points[(i + 1).min(points.len() - 1)]);
        if hi - lo < GRID_POINTS || (new_lo, new_hi) == (lo, hi) || !points.contains(&best) {
            return Ok(seen);
        }
        (lo, hi) = (new_lo, new_hi);
    }
}

/// The best evaluated size: meets the SLO first, then cheapest, then smallest.
pub fn best_of(seen: &BTreeMap<u32, (bool, f64)>) -> u32 {
    seen.iter()
        .min_by(|a, b| (!a.1 .0).cmp(&!b.1 .0).then(a.1 .1.total_cmp(&b.1 .1)))
        .map(|(&n, _)| n)
        .unwrap_or(0)
}

/// Share of each minute's offered load above `capacity_erlangs`.
pub fn overflow_fractions(load: &LoadProfile, capacity_erlangs: f64) -> Vec<f64> {
    load.minutes
        .iter()
        .map(|m| {
            let a = m.erlangs();
            if a > capacity_erlangs && a > 0.0 {
                (a - capacity_erlangs) / a
            } else {
                0.0
            }
        })
        .collect()
}

/// The load left to the servers: each minute scaled by (1 − overflow share).
pub fn base_load(load: &LoadProfile, fractions: &[f64]) -> LoadProfile {
    let mut base = load.clone();
    for (m, &f) in base.minutes.iter_mut().zip(fractions) {
        let keep = 1.0 - f;
        m.arrivals *= keep;
        m.work_ms *= keep;
        m.busy_ms *= keep;
        m.carried *= keep;
        m.work_sq_ms2 *= keep;
    }
    base
}

/// The invocations that overflow to serverless, chosen by error diffusion.
pub fn overflow_workload(w: &Workload, fractions: &[f64]) -> Workload {
    let first_minute = w.window_start_ms / MS_PER_MINUTE;
    let share = |minute: u64| -> f64 {
        let idx = minute.saturating_sub(first_minute) as usize;
        fractions.get(idx).copied().unwrap_or(0.0)
    };
    let mut out = w.clone();
    for f in &mut out.functions {
        f.arrivals = match &f.arrivals {
            // Thinned as the timestamps it draws.
            Arrivals::Poisson(_) => return overflow_workload(&w.drawn(), fractions),
            Arrivals::PerMinute(counts) => {
                let mut carry = 0.0;
                let mut entries = Vec::new();
                for (m, c) in counts.nonzero() {
                    let want = c as f64 * share(m as u64) + carry;
                    let take = want.floor();
                    carry = want - take;
                    if take >= 1.0 {
                        entries.push((m, take as u32));
                    }
                }
                Arrivals::PerMinute(MinuteCounts::from_entries(entries))
            }
            Arrivals::Timestamps(records) => {
                let mut acc = 0.0;
                let kept = records
                    .iter()
                    .filter(|r| {
                        acc += share(r.start_ms / MS_PER_MINUTE);
                        if acc >= 1.0 - 1e-9 {
                            acc -= 1.0;
                            true
                        } else {
                            false
                        }
                    })
                    .copied()
                    .collect();
                Arrivals::Timestamps(kept)
            }
            Arrivals::Untimed(records) => Arrivals::Untimed(records.clone()),
        };
    }
    out.functions.retain(|f| f.arrivals.invocations() > 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::load::MinuteLoad;
    use crate::trace::{DurationInfo, FunctionId, FunctionTrace, Invocation, MemoryInfo, Trigger};

    #[test]
    fn grid_search_finds_the_minimum_with_few_evaluations() {
        assert_eq!(grid(0, 3), vec![0, 1, 2, 3]);
        assert_eq!(grid(0, 600), vec![0, 100, 200, 300, 400, 500, 600]);
        // A convex cost with its minimum at 137 over 0..=600; sizes below 20 miss the SLO.
        let mut calls = 0;
        let mut rounds = 0;
        let seen = search(600, |sizes| {
            calls += sizes.len();
            rounds += 1;
            Ok::<_, ()>(sizes.iter().map(|&n| (n >= 20, (n as f64 - 137.0).powi(2))).collect())
        })
        .unwrap();
        assert_eq!(best_of(&seen), 137);
        assert_eq!(calls, seen.len(), "each size evaluated once");
        assert!(calls < 40, "{calls} evaluations");
        assert!(rounds < 8, "{rounds} rounds");
        // The SLO dominates cost: the minimum of cost alone (0) misses it.
        let seen = search(10, |sizes| {
            Ok::<_, ()>(sizes.iter().map(|&n| (n >= 4, n as f64)).collect())
        })
        .unwrap();
        assert_eq!(best_of(&seen), 4);
    }

    #[test]
    fn overflow_shares_and_base() {
        let minute = |a: f64| MinuteLoad {
            arrivals: a * 60.0,
            work_ms: a * 60_000.0,
            busy_ms: a * 60_000.0,
            carried: 0.0,
            work_sq_ms2: a * 60_000.0 * 1_000.0,
        };
        let load = LoadProfile {
            minutes: vec![minute(2.0), minute(8.0)],
            service_quantiles_ms: vec![1_000.0; 100],
        };
        let f = overflow_fractions(&load, 4.0);
        assert_eq!(f, vec![0.0, 0.5]);
        let base = base_load(&load, &f);
        assert!((base.minutes[1].erlangs() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn error_diffusion_preserves_totals() {
        let f = |arrivals| FunctionTrace {
            id: FunctionId::standalone("f"),
            trigger: Trigger::Http,
            arrivals,
            duration: DurationInfo::Samples,
            memory: MemoryInfo::default(),
        };
        let per_minute = f(Arrivals::PerMinute(MinuteCounts::from_dense(0, vec![10, 3, 3, 3])));
        let stamps: Vec<Invocation> = (0..40)
            .map(|i| Invocation {
                start_ms: i * 6_000,
                duration_us: 1_000,
                init_duration_us: None,
                billed_duration_ms: None,
                cold_start: None,
                response_bytes: None,
            })
            .collect();
        let mut timed = f(Arrivals::Timestamps(stamps));
        timed.id = FunctionId::standalone("g");
        let w = Workload {
            functions: vec![per_minute, timed],
            window_start_ms: 0,
            window_end_ms: 4 * 60_000,
            sources: vec![],
            warnings: vec![],
        };
        // Half of minute 0, a third of minutes 1–3.
        let o = overflow_workload(&w, &[0.5, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]);
        // Per-minute: 5 + (1 + 1 + 1) = 8 (the thirds of 3 accumulate to whole invocations).
        assert_eq!(o.functions[0].arrivals.invocations(), 8);
        // Timestamps, 10 per minute: 5 + 3.33 × 3 = 15 (the fractional remainder is dropped).
        assert_eq!(o.functions[1].arrivals.invocations(), 15);
    }
}
