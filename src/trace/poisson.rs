//! A synthetic Poisson process of invocations (`simulate --synthetic-poisson`, SimFaaS's README
//! scenario: pacslab/simfaas): described by its rate, mean duration, horizon and generator
//! seed, and drawn on demand — the same invocations in the same order on every draw — so a
//! replay pulls them one at a time instead of holding them all.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use super::workload::{Arrivals, Invocation};
use crate::units::US_PER_MS;

/// Poisson arrivals from time 0 with exponential execution durations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoissonProcess {
    /// Arrivals per second.
    pub rate_per_s: f64,
    /// Mean execution duration.
    pub mean_duration_ms: f64,
    /// Arrivals start before this time.
    pub horizon_ms: u64,
    /// Seed of the process's xoshiro256++ generator (`sim/arrivals` derives it from the run's
    /// seed, as it does every function's).
    pub generator_seed: u64,
}

impl PoissonProcess {
    /// The process's invocations in start order (equal starts in draw order).
    pub fn draws(&self) -> PoissonDraws {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.generator_seed);
        let mean_gap_ms = 1_000.0 / self.rate_per_s;
        let next_start_ms = exponential(&mut rng, mean_gap_ms);
        PoissonDraws {
            rng,
            mean_gap_ms,
            mean_duration_ms: self.mean_duration_ms,
            horizon_ms: self.horizon_ms,
            next_start_ms,
        }
    }

    /// How many invocations the process has (drawn to count them: O(invocations) time).
    pub fn invocations(&self) -> u64 {
        self.draws().count() as u64
    }

    /// The process's invocations as timestamp records.
    pub fn to_timestamps(&self) -> Arrivals {
        Arrivals::Timestamps(self.draws().collect())
    }
}

/// Exponential with the given mean (as `sim/arrivals`'s `SimRng::exponential` draws it).
fn exponential(rng: &mut Xoshiro256PlusPlus, mean: f64) -> f64 {
    // 1 - U is in (0, 1], so the log is finite.
    -mean * (1.0 - rng.random::<f64>()).ln()
}

/// The invocations of a [`PoissonProcess`], drawn one at a time: each draws its duration, then
/// the gap to the next arrival.
#[derive(Debug, Clone)]
pub struct PoissonDraws {
    rng: Xoshiro256PlusPlus,
    mean_gap_ms: f64,
    mean_duration_ms: f64,
    horizon_ms: u64,
    next_start_ms: f64,
}

impl PoissonDraws {
    /// The next invocation's start and its duration in ms as drawn (before the rounding to
    /// the µs of its `Invocation`).
    pub fn next_draw(&mut self) -> Option<(u64, f64)> {
        let start_ms = self.next_start_ms as u64;
        if start_ms >= self.horizon_ms {
            return None;
        }
        let duration_ms = exponential(&mut self.rng, self.mean_duration_ms);
        self.next_start_ms += exponential(&mut self.rng, self.mean_gap_ms);
        Some((start_ms, duration_ms))
    }
}

impl Iterator for PoissonDraws {
    type Item = Invocation;

    fn next(&mut self) -> Option<Invocation> {
        let (start_ms, duration_ms) = self.next_draw()?;
        Some(Invocation {
            start_ms,
            duration_us: (duration_ms * US_PER_MS as f64).round() as u64,
            init_duration_us: None,
            billed_duration_ms: None,
            cold_start: None,
            response_bytes: None,
        })
    }
}
