//! Properties of the cost engine, the simulator and the input parsers, checked on random
//! inputs with proptest through the library API: cost is monotone in requests, duration and
//! memory; a free tier never raises a bill; per-invocation rounding never bills less than the
//! unrounded memory-time; more keep-alive never means more cold starts for the same arrivals;
//! the simulator conserves invocations and respects the concurrency limit; and no byte string
//! makes a parser panic. Case counts keep the file to a few seconds in a debug build.

use std::sync::OnceLock;

use faascost::config::Scenario;
use faascost::cost::{billed_gb_seconds, price_usage, uniform_group, CostOptions};
use faascost::pricing::table::parse_table;
use faascost::pricing::{Catalog, ColdStartDist, PriceTable};
use faascost::report::model::Report;
use faascost::sim::arrivals::{Request, SimRng};
use faascost::sim::keepalive::FixedKeepAlive;
use faascost::sim::schedule::ProvisionedSchedule;
use faascost::sim::serverless::{run, EngineConfig, RequestStream, RetryPolicy, UnitResult, UnitSpec};
use faascost::trace::{detect_format, read_workload, ReadOptions, TraceFormat};
use faascost::units::{Usd, MS_PER_MONTH};
use faascost::usage::{Arch, Usage};
use proptest::prelude::*;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().expect("built-in tables are valid"))
}

/// A month of one uniform function group.
fn month(memory_mb: u32, requests: u64, duration_ms: u64) -> Usage {
    Usage {
        period_ms: MS_PER_MONTH,
        functions: vec![uniform_group(memory_mb, Arch::X86, requests, duration_ms)],
        instances: vec![],
    }
}

/// The built-in tables that price a function group (the serverless platforms).
fn function_tables() -> Vec<&'static PriceTable> {
    let tables: Vec<&PriceTable> = catalog()
        .tables
        .values()
        .filter(|t| price_usage(&month(512, 1_000, 100), t, &CostOptions::default()).is_ok())
        .collect();
    assert!(
        tables.len() >= 4,
        "expected the serverless tables, got {}",
        tables.len()
    );
    tables
}

/// The month's bill, or `None` when the table refuses the usage (e.g. a memory it does not offer).
fn bill(table: &PriceTable, usage: &Usage, free_tier: bool) -> Option<Usd> {
    let opts = CostOptions {
        free_tier,
        ..CostOptions::default()
    };
    price_usage(usage, table, &opts).ok().map(|b| b.total())
}

/// `cases` random cases per property, failures not written to files (the test tree is read-only in CI).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const MEMORY: [u32; 8] = [128, 256, 512, 1_024, 2_048, 4_096, 8_192, 10_240];

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn cost_is_monotone_in_requests_duration_and_memory(
        requests in 0u64..5_000_000_000,
        more_requests in 0u64..5_000_000_000,
        duration_ms in 1u64..900_000,
        more_ms in 0u64..100_000,
        memory in 0usize..MEMORY.len(),
        more_memory in 0usize..MEMORY.len(),
    ) {
        let (m1, m2) = (MEMORY[memory], MEMORY[memory.max(more_memory)]);
        for t in function_tables() {
            for free_tier in [false, true] {
                let base = bill(t, &month(m1, requests, duration_ms), free_tier);
                let Some(base) = base else { continue };
                let cases = [
                    ("requests", month(m1, requests + more_requests, duration_ms)),
                    ("duration", month(m1, requests, duration_ms + more_ms)),
                    ("memory", month(m2, requests, duration_ms)),
                ];
                for (what, usage) in cases {
                    if let Some(more) = bill(t, &usage, free_tier) {
                        prop_assert!(more >= base, "{}: more {what} costs less: {more} < {base}", t.id);
                    }
                }
            }
        }
    }

    #[test]
    fn a_free_tier_never_raises_a_bill(
        requests in 0u64..10_000_000_000,
        duration_ms in 1u64..900_000,
        memory in 0usize..MEMORY.len(),
    ) {
        let usage = month(MEMORY[memory], requests, duration_ms);
        for t in function_tables() {
            if let (Some(with), Some(without)) = (bill(t, &usage, true), bill(t, &usage, false)) {
                prop_assert!(with <= without, "{}: {with} with the free tier > {without} without", t.id);
            }
        }
    }

    #[test]
    fn per_invocation_rounding_never_bills_less_than_the_unrounded_time(
        requests in 1u64..1_000_000_000,
        duration_ms in 1u64..900_000,
        memory in 0usize..5,
    ) {
        // Sizes every one of these platforms offers (beyond them, each bills its own cap).
        let mb = [128, 256, 512, 1_024, 1_536][memory];
        let usage = month(mb, requests, duration_ms);
        for id in ["aws-lambda", "azure-functions-consumption", "azure-functions-flex", "gcp-functions-gen1"] {
            let t = &catalog().tables[id];
            let unrounded = requests as f64 * duration_ms as f64 / 1_000.0 * mb as f64 / 1_024.0;
            if let Ok(Some(billed)) = billed_gb_seconds(&usage, t) {
                prop_assert!(
                    billed.execution_gb_seconds >= unrounded * (1.0 - 1e-12),
                    "{id}: billed {} GB-s < unrounded {unrounded}",
                    billed.execution_gb_seconds
                );
            }
        }
    }
}

/// Sorted requests from (gap, duration) pairs.
fn requests(pairs: &[(u64, u64)]) -> Vec<Request> {
    let mut t = 0;
    pairs
        .iter()
        .map(|&(gap, duration_ms)| {
            t += gap;
            Request {
                arrival_ms: t,
                duration_ms,
            }
        })
        .collect()
}

fn engine(limit: Option<u32>, retry: Option<RetryPolicy>, init_ms: u64) -> EngineConfig {
    EngineConfig {
        per_instance_concurrency: 1,
        cold_start: ColdStartDist::Constant { ms: init_ms },
        provisioned: ProvisionedSchedule::constant(0),
        concurrency_limit: limit,
        max_instances: None,
        retry,
        window_end_ms: 0,
        timeout_ms: None,
        init_limit_ms: None,
        activity_merge_ms: 0,
        shorter_windows_ms: Vec::new(),
    }
}

/// Each unit's result, and every change of the requests in flight as (time, ±1).
fn simulate(units: &[Vec<Request>], keep_alive_ms: u64, cfg: &EngineConfig) -> (Vec<UnitResult>, Vec<(u64, i32)>) {
    let specs = units
        .iter()
        .enumerate()
        .map(|(i, r)| UnitSpec {
            key: format!("f{i}"),
            memory_mb: 128,
            requests: RequestStream::of(r.clone().into_iter()),
            rng: SimRng::new(i as u64),
            policy: Box::new(FixedKeepAlive { keep_alive_ms }),
            contention: None,
            per_instance_concurrency: None,
            init_scale: 1.0,
        })
        .collect();
    let mut deltas = Vec::new();
    let results = run(specs, cfg, &mut |t, d| deltas.push((t, d)));
    (results, deltas)
}

fn arrivals_strategy() -> impl Strategy<Value = Vec<(u64, u64)>> {
    prop::collection::vec((0u64..2_000, 1u64..3_000), 0..120)
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn more_keep_alive_never_adds_cold_starts(
        pairs in arrivals_strategy(),
        keep_alive_ms in 0u64..10_000,
        more in 0u64..60_000,
        init_ms in 0u64..500,
    ) {
        let r = [requests(&pairs)];
        let cfg = engine(None, None, init_ms);
        let short = simulate(&r, keep_alive_ms, &cfg).0[0].cold_starts;
        let long = simulate(&r, keep_alive_ms + more, &cfg).0[0].cold_starts;
        prop_assert!(long <= short, "keep-alive {keep_alive_ms}+{more} ms: {long} cold starts > {short}");
    }

    #[test]
    fn the_simulator_conserves_invocations_and_respects_the_limit(
        units in prop::collection::vec(arrivals_strategy(), 1..4),
        limit in 1u32..8,
        retries in prop::option::of((0u32..4, 0u64..1_000)),
        init_ms in 0u64..500,
    ) {
        let units: Vec<Vec<Request>> = units.iter().map(|p| requests(p)).collect();
        let retry = retries.map(|(max_retries, delay_ms)| RetryPolicy { max_retries, delay_ms });
        let (results, mut deltas) = simulate(&units, 5_000, &engine(Some(limit), retry, init_ms));
        for (res, unit) in results.iter().zip(&units) {
            prop_assert_eq!(res.arrivals, unit.len() as u64);
            prop_assert_eq!(res.served + res.throttles, res.arrivals, "{}: served + throttled ≠ arrivals", res.key);
        }
        // Every served request enters and leaves once (a vacuous check would pass on no deltas).
        let served: u64 = results.iter().map(|r| r.served).sum();
        prop_assert_eq!(deltas.len() as u64, 2 * served);
        // Completions at an instant free their slots before arrivals at that instant take them.
        deltas.sort();
        let mut in_flight = 0i64;
        for (t, d) in deltas {
            in_flight += i64::from(d);
            prop_assert!(in_flight <= i64::from(limit), "{in_flight} in flight at {t} ms > limit {limit}");
        }
    }

    #[test]
    fn an_instance_cap_conserves_invocations_and_bounds_each_units_requests_in_flight(
        units in prop::collection::vec(arrivals_strategy(), 1..4),
        extra in 0u32..4,
        per_instance in 1u32..4,
        retries in prop::option::of((0u32..4, 0u64..1_000)),
        init_ms in 0u64..500,
        // Provisioned instances: `first` until `until_ms`, then `drop` fewer (those above drain).
        // (A level that rises while on-demand instances run may pass the cap until they leave:
        // the cap is checked when an instance would start.)
        (first, until_ms, drop) in (0u32..3, 0u64..3_000, 0u32..3),
    ) {
        let units: Vec<Vec<Request>> = units.iter().map(|p| requests(p)).collect();
        let retry = retries.map(|(max_retries, delay_ms)| RetryPolicy { max_retries, delay_ms });
        let then = first.saturating_sub(drop);
        let cap = first.max(1) + extra;
        let cfg = EngineConfig {
            per_instance_concurrency: per_instance,
            max_instances: Some(cap),
            provisioned: ProvisionedSchedule { ranges: vec![(0, until_ms, first)], otherwise: then },
            ..engine(None, retry, init_ms)
        };
        let (results, mut deltas) = simulate(&units, 5_000, &cfg);
        for (res, unit) in results.iter().zip(&units) {
            prop_assert_eq!(res.served + res.throttles, res.arrivals, "{}: served + throttled ≠ arrivals", res.key);
            prop_assert_eq!(res.arrivals, unit.len() as u64);
            let most = u64::from(cap * per_instance);
            prop_assert!(res.peak_inflight <= most, "{}: peak {} > {most}", res.key, res.peak_inflight);
        }
        // One unit: its recorded peak is the most requests in flight the replay reported.
        if let [only] = results.as_slice() {
            deltas.sort();
            let mut in_flight = 0i64;
            let mut most = 0i64;
            for (_, d) in deltas {
                in_flight += i64::from(d);
                most = most.max(in_flight);
            }
            prop_assert_eq!(only.peak_inflight, most as u64);
        }
    }
}

/// A scratch file holding `bytes`.
fn scratch(bytes: &[u8], name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    (dir, p)
}

/// Bytes that look like the start of each format, then anything: the readers get past their
/// header checks often enough to parse rows.
fn trace_bytes() -> impl Strategy<Value = Vec<u8>> {
    let heads = prop::sample::select(vec![
        &b""[..],
        b"HashOwner,HashApp,HashFunction,Trigger,1,2,3\n",
        b"app,func,end_timestamp,duration\n",
        b"timestamp,function,duration_ms,memory_mb\n",
        b"REPORT RequestId: a\tDuration: ",
        b"PAR1",
    ]);
    let tails = prop::collection::vec(
        prop::sample::select(vec![
            &b"o,a,f,http,1,2,3\n"[..],
            b"1.5,",
            b"NaN,",
            b"-1,",
            b"1e300,",
            b"\n",
            b"\r\n",
            b"\"",
            b",",
            b"\xff\xfe",
            b"\0",
            b"\xef\xbb\xbf",
            b"99999999999999999999,",
            b"ms\tMemory Size: 128 MB\n",
        ]),
        0..24,
    );
    (heads, tails, prop::collection::vec(any::<u8>(), 0..64)).prop_map(|(h, t, noise)| {
        let mut out = h.to_vec();
        for piece in t {
            out.extend_from_slice(piece);
        }
        out.extend(noise);
        out
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn no_byte_string_makes_a_reader_panic(bytes in trace_bytes()) {
        let _ = detect_format(std::path::Path::new("x"), &bytes);
        let (_dir, path) = scratch(&bytes, "trace.csv");
        for format in [None, Some(TraceFormat::Azure2019), Some(TraceFormat::Azure2021), Some(TraceFormat::LambdaLogs), Some(TraceFormat::Csv)] {
            for skip_bad_rows in [false, true] {
                let _ = read_workload(std::slice::from_ref(&path), &ReadOptions { format, skip_bad_rows });
            }
        }
    }

    #[test]
    fn no_text_makes_the_toml_and_json_parsers_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_table("t.toml", &text);
        let _ = Scenario::parse("faascost.toml", &text, std::path::Path::new("."));
        let _ = Report::from_json(&text, "report.json");
    }
}
