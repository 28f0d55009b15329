//! The serverless event engine's hot loop on fixed in-memory workloads (divan): one busy unit
//! replayed in one event loop, and many units swept a minute at a time in step as the
//! simulator's independent pass does. `cargo bench --bench engine`; `cargo test` does not run it.

use faascost::pricing::ColdStartDist;
use faascost::sim::arrivals::{Request, SimRng};
use faascost::sim::keepalive::KeepAliveSpec;
use faascost::sim::schedule::ProvisionedSchedule;
use faascost::sim::serverless::{run, Engine, EngineConfig, RequestStream, UnitSpec};

fn main() {
    divan::main();
}

/// Poisson arrivals at `rate_per_s` for `count` requests, exponential durations of mean
/// `mean_ms` (whole ms, at least 1), from a fixed seed.
fn poisson(seed: u64, rate_per_s: f64, mean_ms: f64, count: usize) -> Vec<Request> {
    let mut rng = SimRng::new(seed);
    let mut t = 0.0;
    (0..count)
        .map(|_| {
            t += rng.exponential(1_000.0 / rate_per_s);
            Request {
                arrival_ms: t as u64,
                duration_ms: (rng.exponential(mean_ms).ceil() as u64).max(1),
            }
        })
        .collect()
}

fn unit(key: usize, requests: &[Request]) -> UnitSpec<'_> {
    UnitSpec {
        key: format!("f{key}"),
        memory_mb: 1024,
        requests: RequestStream::of(requests.iter().copied()),
        rng: SimRng::new(key as u64),
        policy: KeepAliveSpec::Fixed { keep_alive_ms: 600_000 }.build(600_000),
        contention: None,
        per_instance_concurrency: None,
        init_scale: 1.0,
    }
}

fn config(window_end_ms: u64) -> EngineConfig {
    EngineConfig {
        per_instance_concurrency: 1,
        cold_start: ColdStartDist::Exponential { mean_ms: 253.0 },
        provisioned: ProvisionedSchedule::constant(0),
        concurrency_limit: None,
        max_instances: None,
        retry: None,
        window_end_ms,
        timeout_ms: Some(900_000),
        init_limit_ms: None,
        activity_merge_ms: 0,
        shorter_windows_ms: Vec::new(),
    }
}

/// One unit of 200,000 requests at 70/s with 10-s mean durations (~700 in flight, like the
/// busiest function of a generated Azure-like day).
#[divan::bench(sample_count = 10)]
fn one_busy_unit(bencher: divan::Bencher) {
    let requests = poisson(1, 70.0, 10_000.0, 200_000);
    let cfg = config(requests.last().map_or(0, |r| r.arrival_ms));
    bencher
        .counter(divan::counter::ItemsCount::new(requests.len()))
        .bench_local(|| run(vec![unit(0, &requests)], &cfg, &mut |_, _| {}));
}

/// 200 units of 1,000 requests each (1/s, 200-ms mean durations), each in its own engine,
/// advanced a minute at a time in step.
#[divan::bench(sample_count = 10)]
fn many_units_in_step(bencher: divan::Bencher) {
    let units: Vec<Vec<Request>> = (0..200).map(|k| poisson(k + 2, 1.0, 200.0, 1_000)).collect();
    let end = units
        .iter()
        .filter_map(|r| r.last())
        .map(|r| r.arrival_ms)
        .max()
        .unwrap_or(0);
    let cfg = config(end);
    bencher
        .counter(divan::counter::ItemsCount::new(
            units.iter().map(Vec::len).sum::<usize>(),
        ))
        .bench_local(|| {
            let mut engines: Vec<Engine> = units
                .iter()
                .enumerate()
                .map(|(k, r)| Engine::new(vec![unit(k, r)], &cfg))
                .collect();
            let mut changes = 0u64;
            while let Some(t0) = engines.iter().filter_map(Engine::next_time_ms).min() {
                let until = (t0 / 60_000 + 1) * 60_000;
                for e in &mut engines {
                    e.advance(until, &mut |_, _| changes += 1);
                }
            }
            (changes, engines.into_iter().map(Engine::finish).collect::<Vec<_>>())
        });
}
