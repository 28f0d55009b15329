//! Seeded arrivals: turns a `Workload` function into a time-ordered stream of requests
//! (arrival ms, execution duration ms), generated a minute at a time — the only home of
//! randomness in the simulator.
//!
//! Per-minute counts (Azure 2019) are spread inside their minute `uniform`ly (default; the
//! dslab-faas "BucketUniform" expansion), as a `poisson` process at the minute's rate (dslab
//! "PoissonFit": the count per minute then varies), `even`ly, or `periodic`ally (evenly at a
//! phase fixed per function: the default for timer-triggered functions, which keeps a timer's
//! period across minutes). Exact timestamps are used as
//! they are. Durations come from the per-invocation samples, else from the Azure percentiles by
//! piecewise-linear inverse CDF (dslab "Piecewise") whose top segment is calibrated so the mean
//! is the function's published `Average`, else from a `--duration-ms` fallback.
//! Every function gets its own generator seeded from the global seed and its id, so results do
//! not depend on thread count or function order. Generator: xoshiro256++ (rand 0.10, portable).
//! A synthetic Poisson process (`--synthetic-poisson`) is drawn by its own
//! (`trace::PoissonProcess`) as it is replayed, never held whole.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use std::str::FromStr;

use super::SimError;
use crate::pricing::ColdStartDist;
use crate::trace::{
    Arrivals, DenseIter, DurationInfo, DurationPercentiles, FunctionId, FunctionTrace, Invocation, MemoryInfo,
    MinuteCounts, PoissonDraws, PoissonProcess, SourceFile, SparseIter, Trigger, Workload,
};
use crate::units::{MS_PER_MINUTE, US_PER_MS};
use statrs::distribution::{ContinuousCDF, LogNormal};

/// How per-minute counts are placed inside their minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SpreadMode {
    /// Each of the minute's `k` invocations at an independent uniform time in the minute.
    #[default]
    Uniform,
    /// A Poisson process at rate `k` per minute (the minute's count becomes random).
    Poisson,
    /// `k` invocations evenly spaced, at the middle of `k` equal slots.
    Even,
    /// `k` invocations evenly spaced at a phase drawn once per function: a timer firing every
    /// `60 s / k` (or every few minutes, one a minute) keeps its exact period across minutes.
    Periodic,
}

impl SpreadMode {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            SpreadMode::Uniform => "uniform",
            SpreadMode::Poisson => "poisson",
            SpreadMode::Even => "even",
            SpreadMode::Periodic => "periodic",
        }
    }
}

impl FromStr for SpreadMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "uniform" => Ok(SpreadMode::Uniform),
            "poisson" => Ok(SpreadMode::Poisson),
            "even" => Ok(SpreadMode::Even),
            "periodic" => Ok(SpreadMode::Periodic),
            _ => Err(format!(
                "unknown spread '{s}'; expected uniform, poisson, even or periodic"
            )),
        }
    }
}

/// How durations are drawn for a function that has only Azure-style percentiles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DurationModel {
    /// Piecewise-linear inverse CDF through the published percentiles (0, 1, 25, 50, 75, 99,
    /// 100) with the top segment moved so the mean is the function's `Average`
    /// ([`mean_matched_points`]).
    #[default]
    Piecewise,
    /// A log-normal fitted to the median and the 99th percentile: μ = ln p50,
    /// σ = (ln p99 − ln p50) / z₀.₉₉ (z₀.₉₉ = 2.3263), capped at the function's maximum;
    /// smoother between the percentiles than the piecewise line.
    Lognormal,
}

impl DurationModel {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DurationModel::Piecewise => "piecewise",
            DurationModel::Lognormal => "lognormal",
        }
    }
}

impl FromStr for DurationModel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "piecewise" => Ok(DurationModel::Piecewise),
            "lognormal" => Ok(DurationModel::Lognormal),
            _ => Err(format!("unknown duration model '{s}'; expected piecewise or lognormal")),
        }
    }
}

/// z of the 99th percentile of the standard normal distribution.
const Z_99: f64 = 2.326_347_874_040_841;

/// The log-normal fitted to a function's median and 99th percentile, when both are positive
/// and ordered (else `None`: the piecewise line is used).
pub fn fitted_lognormal(p: &DurationPercentiles) -> Option<LogNormal> {
    if !(p.p50_ms > 0.0 && p.p99_ms >= p.p50_ms) {
        return None;
    }
    let mu = p.p50_ms.ln();
    let sigma = ((p.p99_ms.ln() - mu) / Z_99).max(1e-9);
    LogNormal::new(mu, sigma).ok()
}

/// One request to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Request {
    /// Arrival time on the trace's clock.
    pub arrival_ms: u64,
    /// Execution duration (excluding any cold start), whole ms rounded up, at least 1 ms.
    pub duration_ms: u64,
}

/// The simulator's random source: one per function (or app), seeded deterministically.
#[derive(Debug, Clone)]
pub struct SimRng(Xoshiro256PlusPlus);

impl SimRng {
    /// A generator for `key` (a function or app id) under the run's `global_seed`.
    pub fn for_key(global_seed: u64, key: &str) -> Self {
        SimRng::new(unit_seed(global_seed, key))
    }

    /// A generator from a raw seed.
    pub fn new(seed: u64) -> Self {
        SimRng(Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    /// Uniform in [0, 1).
    pub fn uniform01(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        // 1 - U is in (0, 1], so the log is finite.
        -mean * (1.0 - self.uniform01()).ln()
    }

    /// Standard normal (Box–Muller).
    pub fn standard_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform01();
        let u2 = self.uniform01();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// An init (cold start) duration in whole ms drawn from `dist`.
    pub fn cold_start_ms(&mut self, dist: &ColdStartDist) -> u64 {
        let ms = match *dist {
            ColdStartDist::Constant { ms } => return ms,
            ColdStartDist::Exponential { mean_ms } => self.exponential(mean_ms),
            ColdStartDist::Lognormal { median_ms, sigma } => median_ms * (sigma * self.standard_normal()).exp(),
            ColdStartDist::Uniform { min_ms, max_ms } => min_ms + (max_ms - min_ms) * self.uniform01(),
        };
        ms.round().max(0.0) as u64
    }
}

/// The seed of one function or app: FNV-1a of its key mixed with the global seed (splitmix64).
pub fn unit_seed(global_seed: u64, key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    splitmix64(h ^ splitmix64(global_seed))
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The key naming a function in seeds and reports: `owner/app/function` (owner omitted when empty).
pub fn function_key(id: &FunctionId) -> String {
    if id.owner.is_empty() {
        format!("{}/{}", id.app, id.function)
    } else {
        format!("{}/{}/{}", id.owner, id.app, id.function)
    }
}

/// How to expand one function.
#[derive(Debug, Clone, Copy)]
pub struct ExpandOptions {
    /// Placement of per-minute counts.
    pub spread: SpreadMode,
    /// Duration used when the trace has none for a function.
    pub fallback_duration_ms: Option<u64>,
    /// Multiplier applied to every execution duration (memory scaling; 1 = as traced).
    pub duration_scale: f64,
    /// How durations are drawn from percentiles.
    pub duration_model: DurationModel,
}

/// Piecewise-linear inverse CDF through the published percentiles: `u` in [0, 1) → ms.
pub fn percentile_inverse_cdf(p: &DurationPercentiles, u: f64) -> f64 {
    points_inverse_cdf(&p.points(), u)
}

/// The mean of the piecewise-linear distribution through `pts` (trapezoids between points).
fn points_mean(pts: &[(f64, f64); 7]) -> f64 {
    pts.windows(2)
        .map(|w| (w[1].0 - w[0].0) / 100.0 * (w[0].1 + w[1].1) / 2.0)
        .sum()
}

/// The percentile points of the default duration model: the published percentiles, with the
/// top segment (p99 → p100) moved so that the distribution's mean is the function's
/// `Average` — the published p100 is one extreme 30-second average and alone pulls the
/// piecewise mean far above the measured one (+51 % on the real 250-function sample). The top
/// may move anywhere from p99 to the function's `Maximum`; when even a flat top leaves the mean
/// above `Average`, every point is scaled by Average / mean (percentiles then shrink by that
/// factor). With no positive `Average`, the published points are used as they are.
pub fn mean_matched_points(p: &DurationPercentiles) -> [(f64, f64); 7] {
    let mut pts = p.points();
    let target = p.average_ms;
    if !(target.is_finite() && target > 0.0) {
        return pts;
    }
    let body: f64 = pts[..6]
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) / 100.0 * (w[0].1 + w[1].1) / 2.0)
        .sum();
    let v99 = pts[5].1;
    let highest = p.maximum_ms.unwrap_or(p.p100_ms).max(p.p100_ms).max(v99);
    // The top segment holds 1 % of the mass: its mean (v99 + top) / 2 closes the gap.
    let top = 2.0 * (target - body) / 0.01 - v99;
    pts[6].1 = top.clamp(v99, highest);
    let mean = points_mean(&pts);
    if mean > target {
        let k = target / mean;
        for pt in &mut pts {
            pt.1 *= k;
        }
    }
    pts
}

/// Piecewise-linear inverse CDF through `pts` (percentile, ms; the percentiles nondecreasing,
/// the last 100): `u` in [0, 1) → ms. The segment is the first whose upper percentile is at
/// least `u`'s, found without branches: the number of inner percentiles below it (a draw's
/// segment is random, so a search by branches mispredicts about once or twice a draw).
fn points_inverse_cdf(pts: &[(f64, f64); 7], u: f64) -> f64 {
    let q = (u * 100.0).clamp(0.0, 100.0);
    let i: usize = pts[1..6].iter().map(|p| usize::from(p.0 < q)).sum();
    let ((q0, v0), (q1, v1)) = (pts[i], pts[i + 1]);
    let span = q1 - q0;
    let frac = if span > 0.0 { (q - q0) / span } else { 0.0 };
    v0 + frac * (v1 - v0)
}

/// A float duration in ms, scaled, to whole ms rounded up (at least 1 ms: every platform
/// bills at least 1 ms, and a 0-ms event would not occupy an instance at all).
fn to_whole_ms(duration_ms: f64, scale: f64) -> u64 {
    let us = round_to_u64(duration_ms * scale * US_PER_MS as f64);
    us.div_ceil(US_PER_MS).max(1)
}

/// [`to_whole_ms`] of a duration in whole µs (`us / 1,000` ms): unscaled, the µs are exact
/// (below 2^51 µs, 71 years, `us / 1,000 × 1,000` is within 2^-52 × us < 0.5 of `us`) and
/// rounded up to the ms with integers.
fn us_to_whole_ms(us: u64, scale: f64) -> u64 {
    if scale == 1.0 && us < 1 << 51 {
        us.div_ceil(US_PER_MS).max(1)
    } else {
        to_whole_ms(us as f64 / US_PER_MS as f64, scale)
    }
}

/// `x.round().max(0.0) as u64` (half away from zero; NaN and negatives give 0) without the
/// libm call `round` is on x86-64 without SSE4.1: below 2^52 the fraction x − trunc(x) is
/// exact, above it every double is whole. Branch-free: the fraction is random in a replay.
fn round_to_u64(x: f64) -> u64 {
    let whole = x as u64;
    whole + u64::from((x < (1u64 << 52) as f64) & (x - whole as f64 >= 0.5))
}

/// How durations are drawn for a per-minute function.
#[derive(Debug, Clone, Copy)]
enum DurationDraw {
    /// A log-normal capped at the longest traced duration.
    Lognormal { dist: LogNormal, cap_ms: f64 },
    /// The mean-matched piecewise-linear inverse CDF.
    Points([(f64, f64); 7]),
    /// A fixed fallback duration.
    Constant(f64),
}

impl DurationDraw {
    fn of(f: &FunctionTrace, opts: &ExpandOptions) -> Result<Self, SimError> {
        match (&f.duration, opts.fallback_duration_ms) {
            (DurationInfo::Percentiles(p), _) => Ok(match (opts.duration_model, fitted_lognormal(p)) {
                // Capped at the longest duration the trace saw: an unbounded tail would draw
                // runs past every platform's timeout.
                (DurationModel::Lognormal, Some(dist)) => DurationDraw::Lognormal {
                    dist,
                    cap_ms: p.maximum_ms.unwrap_or(p.p100_ms).max(p.p100_ms),
                },
                _ => DurationDraw::Points(mean_matched_points(p)),
            }),
            (_, Some(ms)) => Ok(DurationDraw::Constant(ms as f64)),
            (_, None) => Err(SimError::UnknownDuration {
                function: function_key(&f.id),
            }),
        }
    }

    /// Appends to `out` a request at `base_ms` + each of `offsets` with a duration drawn in
    /// turn, scaled by `scale` (the model matched once a minute, not once a request).
    fn draw_minute(&self, base_ms: u64, offsets: &[u64], scale: f64, rng: &mut SimRng, out: &mut Vec<Request>) {
        let minute = (base_ms, offsets, scale);
        match self {
            DurationDraw::Lognormal { dist, cap_ms } => fill_minute(minute, rng, out, |rng| {
                dist.inverse_cdf(rng.uniform01().clamp(1e-12, 1.0 - 1e-12)).min(*cap_ms)
            }),
            DurationDraw::Points(pts) => fill_minute(minute, rng, out, |rng| points_inverse_cdf(pts, rng.uniform01())),
            DurationDraw::Constant(ms) => fill_minute(minute, rng, out, |_| *ms),
        }
    }
}

/// [`DurationDraw::draw_minute`] for one model: `(base_ms, offsets, scale)` and `draw`.
fn fill_minute(
    (base_ms, offsets, scale): (u64, &[u64], f64),
    rng: &mut SimRng,
    out: &mut Vec<Request>,
    mut draw: impl FnMut(&mut SimRng) -> f64,
) {
    out.extend(offsets.iter().map(|&off| Request {
        arrival_ms: base_ms + off,
        duration_ms: to_whole_ms(draw(rng), scale),
    }));
}

/// The exact distribution of the whole-ms durations a per-minute function's requests get
/// (what [`FunctionArrivals`] would draw, after scaling and [`to_whole_ms`]'s rounding), as
/// `(ms, probability)` in increasing ms, zero-probability values left out: the fluid path's
/// duration histogram and mean. `K ≤ k` exactly when the drawn `d` has `d·scale < k + 0.0005`
/// ms (rounded to the µs, then up to the ms, at least 1 ms).
pub fn whole_ms_distribution(f: &FunctionTrace, opts: &ExpandOptions) -> Result<Vec<(u64, f64)>, SimError> {
    let draw = DurationDraw::of(f, opts)?;
    let scale = opts.duration_scale;
    let (cdf_below, top_ms): (Box<dyn Fn(f64) -> f64>, f64) = match draw {
        DurationDraw::Constant(ms) => return Ok(vec![(to_whole_ms(ms, scale), 1.0)]),
        DurationDraw::Lognormal { dist, cap_ms } => (
            Box::new(move |v: f64| if v > cap_ms { 1.0 } else { dist.cdf(v) }),
            cap_ms,
        ),
        DurationDraw::Points(pts) => (Box::new(move |v: f64| points_cdf_below(&pts, v)), pts[6].1),
    };
    let last = to_whole_ms(top_ms, scale);
    let mut out = Vec::new();
    let mut below = 0.0;
    for k in 1..=last {
        let upto = if k == last {
            1.0
        } else {
            cdf_below((k as f64 + 0.0005) / scale).clamp(below, 1.0)
        };
        if upto > below {
            out.push((k, upto - below));
        }
        below = upto;
    }
    Ok(out)
}

/// P(X < v) for the piecewise-linear distribution through `pts` (flat segments are atoms).
fn points_cdf_below(pts: &[(f64, f64); 7], v: f64) -> f64 {
    let mut q = 0.0;
    for w in pts.windows(2) {
        let ((q0, v0), (q1, v1)) = (w[0], w[1]);
        if v1 < v {
            q = q1;
        } else {
            if v0 < v && v1 > v0 {
                q = q0 + (v - v0) / (v1 - v0) * (q1 - q0);
            }
            break;
        }
    }
    q / 100.0
}

/// The minutes of a count vector that hold invocations, as `(minute, count)`.
enum NonzeroMinutes<'a> {
    Dense {
        first_minute: u32,
        counts: std::iter::Enumerate<DenseIter<'a>>,
    },
    Sparse(SparseIter<'a>),
}

impl<'a> NonzeroMinutes<'a> {
    fn of(counts: &'a MinuteCounts) -> Self {
        match counts {
            MinuteCounts::Dense { first_minute, counts } => NonzeroMinutes::Dense {
                first_minute: *first_minute,
                counts: counts.iter().enumerate(),
            },
            MinuteCounts::Sparse { entries } => NonzeroMinutes::Sparse(entries.iter()),
        }
    }
}

impl Iterator for NonzeroMinutes<'_> {
    type Item = (u32, u32);

    fn next(&mut self) -> Option<(u32, u32)> {
        match self {
            NonzeroMinutes::Dense { first_minute, counts } => {
                counts.find(|&(_, c)| c > 0).map(|(i, c)| (*first_minute + i as u32, c))
            }
            NonzeroMinutes::Sparse(entries) => entries.find(|e| e.1 > 0),
        }
    }
}

/// One function's requests in arrival order, generated a minute at a time (a Poisson process:
/// 256 requests at a time): memory is one minute's requests, never the function's whole
/// history. Per-minute counts draw offsets then durations minute by minute with the function's
/// own generator, so the sequence is the same however it is consumed.
pub struct FunctionArrivals<'a> {
    source: Source<'a>,
    /// The current minute's requests, sorted, and the next one to yield.
    buffer: Vec<Request>,
    next: usize,
}

enum Source<'a> {
    /// Exact timestamps sorted by start: requests of equal start are sorted by duration.
    Timestamps {
        invs: std::slice::Iter<'a, Invocation>,
        peeked: Option<&'a Invocation>,
        scale: f64,
    },
    /// A Poisson process, drawn a chunk at a time as it is pulled: equal starts are sorted by
    /// duration.
    Poisson {
        draws: PoissonDraws,
        /// The first request of the next chunk, drawn ahead to see where a start ends.
        peeked: Option<Request>,
        scale: f64,
    },
    /// Per-minute counts.
    PerMinute {
        minutes: NonzeroMinutes<'a>,
        spread: SpreadMode,
        draw: DurationDraw,
        scale: f64,
        rng: SimRng,
        offsets: Vec<u64>,
        /// Where in its slot a periodic function fires, as a share of the slot.
        phase: f64,
    },
}

impl<'a> FunctionArrivals<'a> {
    /// The arrivals of `f`, drawn with `rng`.
    pub fn new(f: &'a FunctionTrace, opts: &ExpandOptions, rng: SimRng) -> Result<Self, SimError> {
        let scale = opts.duration_scale;
        let source = match &f.arrivals {
            Arrivals::Untimed(_) => {
                return Err(SimError::Untimed {
                    function: function_key(&f.id),
                })
            }
            Arrivals::Timestamps(invs) if invs.is_sorted_by_key(|i| i.start_ms) => Source::Timestamps {
                invs: invs.iter(),
                peeked: None,
                scale,
            },
            Arrivals::Timestamps(invs) => {
                // Out of order (a reader's promise broken): sort this function's requests.
                let mut buffer: Vec<Request> = invs.iter().map(|i| timestamp_request(i, scale)).collect();
                buffer.sort_unstable();
                return Ok(FunctionArrivals {
                    source: Source::Timestamps {
                        invs: [].iter(),
                        peeked: None,
                        scale,
                    },
                    buffer,
                    next: 0,
                });
            }
            // Its own generator: the run's `rng` for this function is not drawn from.
            Arrivals::Poisson(p) => Source::Poisson {
                draws: p.draws(),
                peeked: None,
                scale,
            },
            Arrivals::PerMinute(counts) => {
                let mut rng = rng;
                let phase = match opts.spread {
                    SpreadMode::Periodic => rng.uniform01(),
                    _ => 0.0,
                };
                Source::PerMinute {
                    draw: if counts.nonzero().next().is_some() {
                        DurationDraw::of(f, opts)?
                    } else {
                        DurationDraw::Constant(0.0)
                    },
                    minutes: NonzeroMinutes::of(counts),
                    spread: opts.spread,
                    scale,
                    rng,
                    offsets: Vec::new(),
                    phase,
                }
            }
        };
        Ok(FunctionArrivals {
            source,
            buffer: Vec::new(),
            next: 0,
        })
    }

    /// Refills the buffer until it holds a request; false when the stream is done. Out of
    /// line: once a minute (or timestamp) where [`next`](Iterator::next) is once a request.
    #[inline(never)]
    fn refill_nonempty(&mut self) -> bool {
        while self.next == self.buffer.len() {
            if !self.refill() {
                return false;
            }
        }
        true
    }

    /// Refills the buffer with the next minute's (or timestamp's) requests; false when done.
    fn refill(&mut self) -> bool {
        self.buffer.clear();
        self.next = 0;
        match &mut self.source {
            Source::Timestamps { invs, peeked, scale } => {
                let Some(first) = peeked.take().or_else(|| invs.next()) else {
                    return false;
                };
                self.buffer.push(timestamp_request(first, *scale));
                for i in invs.by_ref() {
                    if i.start_ms != first.start_ms {
                        *peeked = Some(i);
                        break;
                    }
                    self.buffer.push(timestamp_request(i, *scale));
                }
                if self.buffer.len() > 1 {
                    self.buffer.sort_unstable();
                }
                true
            }
            Source::Poisson { draws, peeked, scale } => {
                // Drawn a chunk at a time: the draws of different requests overlap in the CPU.
                self.buffer.extend(peeked.take());
                while self.buffer.len() < POISSON_CHUNK {
                    match poisson_request(draws, *scale) {
                        Some(r) => self.buffer.push(r),
                        None => break,
                    }
                }
                let Some(&last) = self.buffer.last() else {
                    return false;
                };
                // The chunk ends with every request of its last start.
                *peeked = loop {
                    match poisson_request(draws, *scale) {
                        Some(r) if r.arrival_ms == last.arrival_ms => self.buffer.push(r),
                        after => break after,
                    }
                };
                sort_shared_starts(&mut self.buffer);
                true
            }
            Source::PerMinute {
                minutes,
                spread,
                draw,
                scale,
                rng,
                offsets,
                phase,
            } => {
                let Some((minute, k)) = minutes.next() else {
                    return false;
                };
                let base = minute as u64 * MS_PER_MINUTE;
                spread_minute(*spread, k, *phase, rng, offsets);
                draw.draw_minute(base, offsets, *scale, rng, &mut self.buffer);
                // Already in arrival order (the offsets are).
                sort_shared_starts(&mut self.buffer);
                true
            }
        }
    }
}

impl Iterator for FunctionArrivals<'_> {
    type Item = Request;

    #[inline]
    fn next(&mut self) -> Option<Request> {
        if self.next == self.buffer.len() && !self.refill_nonempty() {
            return None;
        }
        let r = self.buffer[self.next];
        self.next += 1;
        Some(r)
    }
}

/// Requests of a Poisson source drawn at a time (4 KiB).
const POISSON_CHUNK: usize = 256;

/// Orders by duration the requests sharing an arrival time in `requests`, which are in
/// arrival order.
fn sort_shared_starts(requests: &mut [Request]) {
    for run in requests.chunk_by_mut(|a, b| a.arrival_ms == b.arrival_ms) {
        if run.len() > 1 {
            run.sort_unstable();
        }
    }
}

/// The next request of a Poisson process: its `Invocation` (duration rounded to the µs, as
/// `PoissonDraws` rounds it; `round_to_u64` is `f64::round` there) replayed as a timestamp.
fn poisson_request(draws: &mut PoissonDraws, scale: f64) -> Option<Request> {
    let (start_ms, duration_ms) = draws.next_draw()?;
    let duration_us = round_to_u64(duration_ms * US_PER_MS as f64);
    Some(Request {
        arrival_ms: start_ms,
        duration_ms: us_to_whole_ms(duration_us, scale),
    })
}

fn timestamp_request(i: &Invocation, scale: f64) -> Request {
    Request {
        arrival_ms: i.start_ms,
        duration_ms: us_to_whole_ms(i.duration_us, scale),
    }
}

/// The requests of a unit's functions merged in `(arrival, duration)` order: the order a sort
/// of all of them would give. A unit of one function reads its stream directly; several are
/// merged through a heap of each one's next request.
pub struct UnitArrivals<'a> {
    streams: Vec<FunctionArrivals<'a>>,
    /// Next request of each stream that has one, with the stream's index (several streams only).
    heads: std::collections::BinaryHeap<std::cmp::Reverse<(Request, usize)>>,
}

impl<'a> UnitArrivals<'a> {
    /// Merges `streams` (each sorted).
    pub fn merge(mut streams: Vec<FunctionArrivals<'a>>) -> Self {
        let heads = if streams.len() > 1 {
            streams
                .iter_mut()
                .enumerate()
                .filter_map(|(i, s)| s.next().map(|r| std::cmp::Reverse((r, i))))
                .collect()
        } else {
            std::collections::BinaryHeap::new()
        };
        UnitArrivals { streams, heads }
    }
}

impl Iterator for UnitArrivals<'_> {
    type Item = Request;

    #[inline]
    fn next(&mut self) -> Option<Request> {
        match self.streams.as_mut_slice() {
            [one] => one.next(),
            _ => self.next_merged(),
        }
    }
}

impl UnitArrivals<'_> {
    /// The next request of several streams merged.
    #[inline(never)]
    fn next_merged(&mut self) -> Option<Request> {
        let mut top = self.heads.peek_mut()?;
        let (r, i) = top.0;
        match self.streams[i].next() {
            Some(n) => top.0 = (n, i),
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
        Some(r)
    }
}

/// Offsets (ms, in [0, 60,000)) of the arrivals of one minute holding `k` invocations
/// (`phase`, in [0, 1), places a periodic function's calls in their slots).
fn spread_minute(mode: SpreadMode, k: u32, phase: f64, rng: &mut SimRng, out: &mut Vec<u64>) {
    out.clear();
    let minute = MS_PER_MINUTE as f64;
    match mode {
        SpreadMode::Uniform => {
            for _ in 0..k {
                // Through u32 (the offset is below 60,000): x86-64 has no unsigned 64-bit
                // conversion, which takes several instructions.
                out.push(u64::from(
                    ((rng.uniform01() * minute) as u32).min(MS_PER_MINUTE as u32 - 1),
                ));
            }
            sort_offsets(out);
        }
        SpreadMode::Even => {
            for i in 0..k {
                out.push(((i as f64 + 0.5) * minute / k as f64) as u64);
            }
        }
        SpreadMode::Periodic => {
            for i in 0..k {
                out.push((((i as f64 + phase) * minute / k as f64) as u64).min(MS_PER_MINUTE - 1));
            }
        }
        SpreadMode::Poisson => {
            let mean_gap = minute / k as f64;
            let mut t = rng.exponential(mean_gap);
            while t < minute {
                out.push(t as u64);
                t += rng.exponential(mean_gap);
            }
        }
    }
}

/// Sorts offsets below 2^16 ms: a two-pass radix sort (8 bits a pass) for a busy minute, the
/// standard sort for a few.
fn sort_offsets(offsets: &mut Vec<u64>) {
    const RADIX_MIN: usize = 256;
    debug_assert!(offsets.iter().all(|&o| o < 1 << 16), "offsets are within a minute");
    if offsets.len() < RADIX_MIN {
        offsets.sort_unstable();
        return;
    }
    let mut scratch = vec![0u64; offsets.len()];
    for shift in [0, 8] {
        let mut starts = [0usize; 256];
        for &o in offsets.iter() {
            starts[(o >> shift) as usize & 0xff] += 1;
        }
        let mut next = 0;
        for start in starts.iter_mut() {
            let count = *start;
            *start = next;
            next += count;
        }
        for &o in offsets.iter() {
            let digit = (o >> shift) as usize & 0xff;
            scratch[starts[digit]] = o;
            starts[digit] += 1;
        }
        std::mem::swap(offsets, &mut scratch);
    }
}

/// A synthetic one-function workload: Poisson arrivals at `rate_per_s` over `horizon_ms`,
/// exponential durations of mean `mean_duration_ms` (SimFaaS's README scenario), drawn from the
/// function's own generator as the replay pulls them.
pub fn poisson_workload(rate_per_s: f64, mean_duration_ms: f64, horizon_ms: u64, seed: u64) -> Workload {
    let process = PoissonProcess {
        rate_per_s,
        mean_duration_ms,
        horizon_ms,
        generator_seed: unit_seed(seed, "synthetic-poisson"),
    };
    Workload {
        functions: vec![FunctionTrace {
            id: FunctionId::standalone("synthetic-poisson"),
            trigger: Trigger::Unknown,
            arrivals: Arrivals::Poisson(process),
            duration: DurationInfo::Samples,
            memory: MemoryInfo::default(),
        }],
        window_start_ms: 0,
        window_end_ms: horizon_ms,
        sources: vec![SourceFile {
            path: format!("synthetic:poisson:{rate_per_s}:{mean_duration_ms}:{horizon_ms}"),
            format: "synthetic".into(),
            rows: 0,
        }],
        warnings: Vec::new(),
    }
}

/// Per-minute counts of a function, for tests and generators.
pub fn per_minute_function(name: &str, counts: Vec<u32>, duration: DurationInfo) -> FunctionTrace {
    FunctionTrace {
        id: FunctionId::standalone(name),
        trigger: Trigger::Http,
        arrivals: Arrivals::PerMinute(MinuteCounts::from_dense(0, counts)),
        duration,
        memory: MemoryInfo::default(),
    }
}

#[cfg(test)]
mod lognormal_tests {
    use super::*;

    #[test]
    fn a_function_with_no_invocations_needs_no_duration() {
        let f = per_minute_function("idle", vec![0; 60], DurationInfo::Unknown);
        let opts = ExpandOptions {
            spread: SpreadMode::Uniform,
            fallback_duration_ms: None,
            duration_scale: 1.0,
            duration_model: DurationModel::Piecewise,
        };
        assert!(FunctionArrivals::new(&f, &opts, SimRng::new(1))
            .unwrap()
            .collect::<Vec<_>>()
            .is_empty());
    }

    #[test]
    fn fitted_lognormal_matches_median_and_p99() {
        let p = DurationPercentiles {
            average_ms: 0.0,
            count: 0,
            minimum_ms: None,
            maximum_ms: None,
            p0_ms: 1.0,
            p1_ms: 5.0,
            p25_ms: 50.0,
            p50_ms: 100.0,
            p75_ms: 200.0,
            p99_ms: 1_000.0,
            p100_ms: 5_000.0,
        };
        let d = fitted_lognormal(&p).unwrap();
        assert!((d.inverse_cdf(0.5) - 100.0).abs() < 1e-6);
        assert!((d.inverse_cdf(0.99) - 1_000.0).abs() < 1e-3);
        // Degenerate percentiles fall back to the piecewise line.
        assert!(fitted_lognormal(&DurationPercentiles { p50_ms: 0.0, ..p }).is_none());
        assert!("lognormal".parse::<DurationModel>().unwrap() == DurationModel::Lognormal);
        assert!("gamma".parse::<DurationModel>().is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_the_standard_round() {
        let cases = [
            0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            1234.4999,
            1234.5,
            -0.7,
            f64::NAN,
            4_503_599_627_370_495.5,
            9_007_199_254_740_993.0,
            1e300,
        ];
        for x in cases {
            assert_eq!(round_to_u64(x), x.round().max(0.0) as u64, "{x}");
        }
        let mut rng = SimRng::new(3);
        for _ in 0..10_000 {
            let x = rng.exponential(1e6);
            assert_eq!(round_to_u64(x), x.round().max(0.0) as u64, "{x}");
        }
    }

    #[test]
    fn whole_ms_of_whole_us_match_the_float_rounding() {
        let mut rng = SimRng::new(9);
        let drawn = (0..100_000).map(|_| rng.exponential(2e6) as u64);
        let edges = [
            0,
            1,
            999,
            1_000,
            1_001,
            1_499,
            1_500,
            123_456_789,
            (1 << 51) - 1,
            1 << 51,
            u64::MAX,
        ];
        for us in drawn.chain(edges) {
            for scale in [1.0, 0.75] {
                assert_eq!(
                    us_to_whole_ms(us, scale),
                    to_whole_ms(us as f64 / US_PER_MS as f64, scale),
                    "{us} µs × {scale}"
                );
            }
        }
    }

    #[test]
    fn offsets_sort_like_the_standard_sort() {
        let mut rng = SimRng::new(7);
        for k in [0, 3, 255, 256, 5_000] {
            let mut offsets: Vec<u64> = (0..k).map(|_| (rng.uniform01() * 60_000.0) as u64).collect();
            let mut expected = offsets.clone();
            expected.sort_unstable();
            sort_offsets(&mut offsets);
            assert_eq!(offsets, expected, "{k} offsets");
        }
    }

    fn pct() -> DurationPercentiles {
        DurationPercentiles {
            average_ms: 100.0,
            count: 10,
            minimum_ms: None,
            maximum_ms: None,
            p0_ms: 10.0,
            p1_ms: 20.0,
            p25_ms: 50.0,
            p50_ms: 100.0,
            p75_ms: 150.0,
            p99_ms: 400.0,
            p100_ms: 1000.0,
        }
    }

    #[test]
    fn the_default_model_matches_the_published_average() {
        // pct(): the segments below p99 contribute 0.15 + 8.4 + 18.75 + 31.25 + 66 = 124.55 ms.
        // Average 130: the top segment (1 % of the mass) must average 545 ms, so the top
        // moves from 1,000 to 2 × 545 − 400 = 690 ms; every other percentile stays.
        let p = DurationPercentiles {
            average_ms: 130.0,
            ..pct()
        };
        let pts = mean_matched_points(&p);
        assert!((pts[6].1 - 690.0).abs() < 1e-9, "{pts:?}");
        assert_eq!(&pts[..6], &p.points()[..6]);
        assert!((points_mean(&pts) - 130.0).abs() < 1e-9);
        // Average 100: even a flat top (400 ms) leaves 128.55 ms, so every point × 100 / 128.55.
        let pts = mean_matched_points(&pct());
        assert!((pts[6].1 - 400.0 * 100.0 / 128.55).abs() < 1e-9, "{pts:?}");
        assert!((pts[3].1 - 100.0 * 100.0 / 128.55).abs() < 1e-9);
        assert!((points_mean(&pts) - 100.0).abs() < 1e-9);
        // Average 200 is beyond reach (top capped at the 1,000 ms maximum): the published curve.
        let p = DurationPercentiles {
            average_ms: 200.0,
            ..pct()
        };
        assert_eq!(mean_matched_points(&p), p.points());
        // No Average (0: a logging error in the dataset): the published curve.
        let p = DurationPercentiles {
            average_ms: 0.0,
            ..pct()
        };
        assert_eq!(mean_matched_points(&p), p.points());
        // Sampled durations average to the Average (100,000 draws, ±1 %).
        let mut rng = SimRng::new(7);
        let pts = mean_matched_points(&pct());
        let n = 100_000;
        let mean = (0..n).map(|_| points_inverse_cdf(&pts, rng.uniform01())).sum::<f64>() / n as f64;
        assert!((mean - 100.0).abs() < 1.0, "{mean}");
    }

    #[test]
    fn the_inverse_cdf_takes_the_first_segment_reaching_the_percentile() {
        // Percentiles 0, 1, 25, 50, 75, 99, 100 at 1, 2, 10, 10, 40, 100, 1,000 ms (a flat
        // segment 25 → 50). By hand: u = 0 → 1 ms; u = 0.005 → 1.5 ms (half of 0 → 1);
        // u = 0.25 → 10 ms (the end of 1 → 25, not the flat segment); u = 0.375 → 10 ms;
        // u = 0.625 → 25 ms (half of 10 → 40); u = 0.99 → 100 ms; u = 0.995 → 550 ms;
        // u = 1 → 1,000 ms.
        let pts = [
            (0.0, 1.0),
            (1.0, 2.0),
            (25.0, 10.0),
            (50.0, 10.0),
            (75.0, 40.0),
            (99.0, 100.0),
            (100.0, 1_000.0),
        ];
        for (u, ms) in [
            (0.0, 1.0),
            (0.005, 1.5),
            (0.25, 10.0),
            (0.375, 10.0),
            (0.625, 25.0),
            (0.99, 100.0),
            (0.995, 550.0),
            (1.0, 1_000.0),
        ] {
            let got = points_inverse_cdf(&pts, u);
            assert!((got - ms).abs() < 1e-9, "u = {u}: {got} ms, not {ms}");
        }
        // The same value, bit for bit, as the first segment found by searching in order (the
        // draw every replay was pinned with), for uniform draws and each percentile exactly.
        let searched = |u: f64| {
            let q = (u * 100.0).clamp(0.0, 100.0);
            let w = pts.windows(2).find(|w| q <= w[1].0).expect("q is at most 100");
            let ((q0, v0), (q1, v1)) = (w[0], w[1]);
            let frac = if q1 > q0 { (q - q0) / (q1 - q0) } else { 0.0 };
            v0 + frac * (v1 - v0)
        };
        let mut rng = SimRng::new(11);
        let us = (0..10_000)
            .map(|_| rng.uniform01())
            .chain(pts.iter().map(|p| p.0 / 100.0));
        for u in us {
            assert_eq!(points_inverse_cdf(&pts, u).to_bits(), searched(u).to_bits(), "u = {u}");
        }
    }

    /// On the real Azure 2019 sample, simulated busy time matches Σ invocations × Average
    /// within 2 % (the uncalibrated piecewise curve was +51 %).
    #[test]
    fn real_sample_busy_time_matches_the_published_averages() {
        let Some(dir) = crate::trace::real_sample("azure2019-sampled", "") else {
            return;
        };
        let w = crate::trace::read_workload(&[dir], &crate::trace::ReadOptions::default()).unwrap();
        let opts = ExpandOptions {
            spread: SpreadMode::Uniform,
            fallback_duration_ms: None,
            duration_scale: 1.0,
            duration_model: DurationModel::Piecewise,
        };
        let (mut simulated_ms, mut published_ms) = (0.0, 0.0);
        for f in &w.functions {
            let DurationInfo::Percentiles(p) = f.duration else {
                continue;
            };
            if p.average_ms <= 0.0 {
                continue;
            }
            let rng = SimRng::for_key(42, &function_key(&f.id));
            let reqs = FunctionArrivals::new(f, &opts, rng).unwrap().collect::<Vec<_>>();
            simulated_ms += reqs.iter().map(|r| r.duration_ms as f64).sum::<f64>();
            published_ms += f.arrivals.invocations() as f64 * p.average_ms;
        }
        let ratio = simulated_ms / published_ms;
        println!("real sample: simulated / published busy time = {ratio:.4}");
        assert!(
            (ratio - 1.0).abs() < 0.02,
            "simulated / published busy time = {ratio:.4}"
        );
    }

    #[test]
    fn inverse_cdf_interpolates_between_percentiles() {
        let p = pct();
        assert_eq!(percentile_inverse_cdf(&p, 0.0), 10.0);
        assert_eq!(percentile_inverse_cdf(&p, 0.5), 100.0);
        // Halfway between p50 (100) and p75 (150).
        assert!((percentile_inverse_cdf(&p, 0.625) - 125.0).abs() < 1e-9);
        // Between p99 (400) and p100 (1000): 99.5 → 700.
        assert!((percentile_inverse_cdf(&p, 0.995) - 700.0).abs() < 1e-9);
    }

    #[test]
    fn spreading_keeps_counts_and_minutes() {
        let f = per_minute_function("f", vec![3, 0, 5], DurationInfo::Percentiles(pct()));
        let opts = ExpandOptions {
            spread: SpreadMode::Uniform,
            fallback_duration_ms: None,
            duration_scale: 1.0,
            duration_model: DurationModel::Piecewise,
        };
        let reqs = FunctionArrivals::new(&f, &opts, SimRng::new(1))
            .unwrap()
            .collect::<Vec<_>>();
        assert_eq!(reqs.len(), 8);
        assert_eq!(reqs.iter().filter(|r| r.arrival_ms < 60_000).count(), 3);
        assert!(reqs
            .iter()
            .all(|r| r.arrival_ms < 180_000 && !(60_000..120_000).contains(&r.arrival_ms)));
        assert!(reqs.windows(2).all(|w| w[0].arrival_ms <= w[1].arrival_ms));
        assert!(reqs.iter().all(|r| (10..=1000).contains(&r.duration_ms)));
        let even = ExpandOptions {
            spread: SpreadMode::Even,
            ..opts
        };
        let reqs = FunctionArrivals::new(&f, &even, SimRng::new(1))
            .unwrap()
            .collect::<Vec<_>>();
        let first: Vec<u64> = reqs.iter().take(3).map(|r| r.arrival_ms).collect();
        assert_eq!(first, vec![10_000, 30_000, 50_000]);
    }

    #[test]
    fn periodic_spread_keeps_a_timer_period_across_minutes() {
        // Two calls a minute in minutes 0–2, none in 3–4, two in 5: a 30-s timer. Every call is
        // 30,000 ms after the previous one (across minute boundaries too), at the one phase of
        // the function, and the 3-minute pause is 4 × 30 s + 30 s later, exactly.
        let f = per_minute_function("t", vec![2, 2, 2, 0, 0, 2], DurationInfo::Unknown);
        let opts = ExpandOptions {
            spread: SpreadMode::Periodic,
            fallback_duration_ms: Some(100),
            duration_scale: 1.0,
            duration_model: DurationModel::Piecewise,
        };
        let at: Vec<u64> = FunctionArrivals::new(&f, &opts, SimRng::new(3))
            .unwrap()
            .map(|r| r.arrival_ms)
            .collect();
        assert_eq!(at.len(), 8);
        let phase = at[0];
        assert!(phase < 30_000);
        let expected: Vec<u64> = [0, 1, 2, 3, 4, 5, 10, 11].iter().map(|j| phase + j * 30_000).collect();
        // Each offset is truncated to the ms separately: within 1 ms of the exact period.
        assert!(
            at.iter().zip(&expected).all(|(a, e)| a.abs_diff(*e) <= 1),
            "{at:?} vs {expected:?}"
        );
        // A timer once every 5 minutes fires at the same second of its minute each time.
        let f = per_minute_function(
            "t5",
            (0..60).map(|m| u32::from(m % 5 == 0)).collect(),
            DurationInfo::Unknown,
        );
        let at: Vec<u64> = FunctionArrivals::new(&f, &opts, SimRng::new(4))
            .unwrap()
            .map(|r| r.arrival_ms)
            .collect();
        assert!(at.windows(2).all(|w| w[1] - w[0] == 300_000), "{at:?}");
    }

    #[test]
    fn poisson_spread_has_the_minute_rate_on_average() {
        // 600 minutes of 10/min: total ≈ 6,000 ± 4σ (σ = √6000 ≈ 77).
        let f = per_minute_function("f", vec![10; 600], DurationInfo::Unknown);
        let opts = ExpandOptions {
            spread: SpreadMode::Poisson,
            fallback_duration_ms: Some(5),
            duration_scale: 1.0,
            duration_model: DurationModel::Piecewise,
        };
        let n = FunctionArrivals::new(&f, &opts, SimRng::new(7))
            .unwrap()
            .collect::<Vec<_>>()
            .len() as f64;
        assert!((n - 6000.0).abs() < 4.0 * 6000f64.sqrt(), "{n}");
    }

    #[test]
    fn unknown_duration_is_an_error_naming_the_function() {
        let f = per_minute_function("lonely", vec![1], DurationInfo::Unknown);
        let opts = ExpandOptions {
            spread: SpreadMode::Uniform,
            fallback_duration_ms: None,
            duration_scale: 1.0,
            duration_model: DurationModel::Piecewise,
        };
        let err = FunctionArrivals::new(&f, &opts, SimRng::new(1))
            .err()
            .expect("an error")
            .to_string();
        assert!(err.contains("lonely") && err.contains("--duration-ms"), "{err}");
    }

    #[test]
    fn seeds_differ_by_key_and_are_stable() {
        assert_eq!(unit_seed(1, "a/b"), unit_seed(1, "a/b"));
        assert_ne!(unit_seed(1, "a/b"), unit_seed(2, "a/b"));
        assert_ne!(unit_seed(1, "a/b"), unit_seed(1, "a/c"));
    }

    #[test]
    fn samplers_match_their_means() {
        // Mean of 200,000 exponential(250) draws: σ/√n = 250/447 = 0.56 → within 1%.
        let mut r = SimRng::new(3);
        let n = 200_000;
        let m: f64 = (0..n).map(|_| r.exponential(250.0)).sum::<f64>() / n as f64;
        assert!((m - 250.0).abs() < 2.5, "{m}");
        let ln = ColdStartDist::Lognormal {
            median_ms: 200.0,
            sigma: 0.5,
        };
        let m: f64 = (0..n).map(|_| r.cold_start_ms(&ln) as f64).sum::<f64>() / n as f64;
        assert!((m - ln.mean_ms()).abs() / ln.mean_ms() < 0.01, "{m}");
    }

    #[test]
    fn a_poisson_process_replays_as_the_timestamps_it_draws() {
        // Drawn as pulled, it gives exactly the requests of its invocations held as timestamps
        // (the trace path), shared starts ordered by duration: at 3,000/s about 3 requests
        // share each ms.
        for (rate, scale) in [(0.9, 1.0), (3_000.0, 1.0), (3_000.0, 0.75)] {
            let w = poisson_workload(rate, 40.0, 20_000, 5);
            let opts = ExpandOptions {
                spread: SpreadMode::Uniform,
                fallback_duration_ms: None,
                duration_scale: scale,
                duration_model: DurationModel::Piecewise,
            };
            let drawn = FunctionArrivals::new(&w.functions[0], &opts, SimRng::new(1))
                .unwrap()
                .collect::<Vec<_>>();
            let held = w.drawn();
            assert!(matches!(held.functions[0].arrivals, Arrivals::Timestamps(_)));
            let replayed = FunctionArrivals::new(&held.functions[0], &opts, SimRng::new(1))
                .unwrap()
                .collect::<Vec<_>>();
            assert_eq!(drawn, replayed, "rate {rate}, scale {scale}");
            assert_eq!(drawn.len() as u64, w.invocations());
            let shared = drawn.windows(2).filter(|p| p[0].arrival_ms == p[1].arrival_ms).count();
            assert_eq!(shared > 1_000, rate > 1.0, "{shared} shared starts");
        }
    }

    #[test]
    fn synthetic_poisson_rate() {
        // 0.9/s over 10,000 s: 9,000 ± 4σ (σ ≈ 95).
        let w = poisson_workload(0.9, 1991.0, 10_000_000, 1);
        let n = w.invocations() as f64;
        assert!((n - 9000.0).abs() < 380.0, "{n}");
    }
}
