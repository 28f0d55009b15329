//! Peak memory of the simulator, measured by a counting global allocator: simulating millions
//! of invocations holds a bounded amount (never O(invocations)), a trace with one timestamp
//! in 1970 and one in 9999 costs nothing for the empty span between them (nor do per-minute
//! counts of days far apart when they are merged), and one Azure 2019
//! minute holding 4,294,967,295 invocations (the fluid path) takes seconds and a few MB.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use faascost::platform::ServerlessPlatform;
use faascost::pricing::{Catalog, ColdStartDist};
use faascost::sim::arrivals::per_minute_function;
use faascost::sim::platform::PlatformModel;
use faascost::sim::{simulate, SimConfig};
use faascost::trace::{
    read_workload, Arrivals, DurationInfo, FunctionId, FunctionTrace, Invocation, MinuteCounts, ReadOptions, Trigger,
    Workload,
};

/// The system allocator, counting the bytes live now and the most live since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measurement at a time: the counters are process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

/// Bytes allocated by `f` at its peak, above what was live when it started.
fn peak_bytes_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - before)
}

const MB: usize = 1 << 20;

fn lambda() -> SimConfig {
    let catalog = Catalog::embedded().unwrap();
    let mut cfg = SimConfig::new(PlatformModel::from_catalog(&catalog, ServerlessPlatform::AwsLambda).unwrap());
    cfg.keep_alive = "fixed:10m".parse().unwrap();
    cfg.cold_start = Some(ColdStartDist::Constant { ms: 100 });
    cfg
}

fn workload(functions: Vec<FunctionTrace>, window_start_ms: u64, window_end_ms: u64) -> Workload {
    Workload {
        functions,
        window_start_ms,
        window_end_ms,
        sources: Vec::new(),
        warnings: Vec::new(),
    }
}

#[test]
fn millions_of_invocations_in_bounded_memory() {
    let _serial = SERIAL.lock().unwrap();
    // One function, 2,000 calls a minute for a day: 2.88 M invocations. Expanding them up front
    // (16 bytes each, cloned, plus 32 bytes of in-flight changes) took over 150 MB.
    let f = per_minute_function("busy", vec![2_000; 1_440], DurationInfo::Unknown);
    let w = workload(vec![f], 0, 1_440 * 60_000);
    let mut cfg = lambda();
    cfg.fallback_duration_ms = Some(50);
    let (out, peak) = peak_bytes_of(|| simulate(&w, &cfg).unwrap());
    assert_eq!(out.stats.invocations, 2_880_000);
    assert!(peak < 8 * MB, "peak {} MB", peak / MB);
}

#[test]
fn processor_sharing_on_shared_instances_is_bounded_too() {
    let _serial = SERIAL.lock().unwrap();
    // Azure Flex (16 requests an instance, 1 vCPU at 2,048 MB, half of each request CPU-bound):
    // 2,000 calls a minute of 600 ms for a day, 2.88 M invocations, about 20 in flight, sharing
    // instances and slowed by each other (completion events rescheduled as requests come and go).
    let f = per_minute_function("busy", vec![2_000; 1_440], DurationInfo::Unknown);
    let w = workload(vec![f], 0, 1_440 * 60_000);
    let catalog = Catalog::embedded().unwrap();
    let mut cfg = SimConfig::new(PlatformModel::from_catalog(&catalog, ServerlessPlatform::AzureFlex).unwrap());
    cfg.cold_start = Some(ColdStartDist::Constant { ms: 100 });
    cfg.fallback_duration_ms = Some(600);
    let (out, peak) = peak_bytes_of(|| simulate(&w, &cfg).unwrap());
    assert_eq!(out.stats.invocations, 2_880_000);
    assert!(out.stats.overhead_ms.max > 0, "contention slowed some requests");
    assert!(peak < 8 * MB, "peak {} MB", peak / MB);
}

#[test]
fn the_shared_pass_of_a_binding_account_limit_is_bounded_too() {
    let _serial = SERIAL.lock().unwrap();
    // 100 functions at 60 calls a minute of 2 s each: about 200 in flight, limit 100 — every
    // unit replays in one shared event loop. 1.44 M invocations.
    let fs = (0..100)
        .map(|i| per_minute_function(&format!("f{i}"), vec![60; 240], DurationInfo::Unknown))
        .collect();
    let w = workload(fs, 0, 240 * 60_000);
    let mut cfg = lambda();
    cfg.fallback_duration_ms = Some(2_000);
    cfg.concurrency_limit = Some(100);
    let (out, peak) = peak_bytes_of(|| simulate(&w, &cfg).unwrap());
    assert_eq!(out.stats.invocations, 1_440_000);
    assert!(out.stats.throttles > 0);
    assert!(peak < 8 * MB, "peak {} MB", peak / MB);
}

#[test]
fn far_apart_timestamps_cost_nothing_for_the_span_between() {
    let _serial = SERIAL.lock().unwrap();
    // 1970-01-01 and 9999-12-31: 4.2 billion minutes apart. Per-minute arrays sized by the span
    // needed 16.9 GB.
    let late_ms = 253_402_214_400_000;
    let call = |start_ms| Invocation {
        start_ms,
        duration_us: 100_000,
        init_duration_us: None,
        billed_duration_ms: None,
        cold_start: None,
        response_bytes: None,
    };
    let f = FunctionTrace {
        id: FunctionId::standalone("rare"),
        trigger: Trigger::Unknown,
        arrivals: Arrivals::Timestamps(vec![call(0), call(late_ms)]),
        duration: DurationInfo::Samples,
        memory: Default::default(),
    };
    let w = workload(vec![f], 0, late_ms + 1_000);
    let (out, peak) = peak_bytes_of(|| simulate(&w, &lambda()).unwrap());
    assert_eq!(out.stats.invocations, 2);
    assert_eq!(out.stats.cold_starts, 2);
    assert!(peak < MB, "peak {} KB", peak / 1024);
}

#[test]
fn merging_counts_far_apart_costs_nothing_for_the_minutes_between() {
    let _serial = SERIAL.lock().unwrap();
    // A busy day from minute 0 and a call 4 billion minutes later (16 GB as dense counts):
    // appended as a later day, then merged with an overlapping one. Both keep the busy minutes
    // only.
    let mut counts = MinuteCounts::from_dense(0, vec![3; 1_440]);
    let later = MinuteCounts::from_dense(4_000_000_000, vec![1]);
    let (merged, peak) = peak_bytes_of(|| counts.merge(&later));
    merged.unwrap();
    assert!(peak < MB, "peak {} KB", peak / 1024);
    let overlapping = MinuteCounts::Sparse {
        entries: [(5, 2), (4_000_000_000, 1), (4_100_000_000, 7)].into_iter().collect(),
    };
    let (merged, peak) = peak_bytes_of(|| counts.merge(&overlapping));
    merged.unwrap();
    assert!(peak < MB, "peak {} KB", peak / 1024);
    assert_eq!(counts.total(), 3 * 1_440 + 1 + 2 + 1 + 7);
    assert!(matches!(&counts, MinuteCounts::Sparse { entries } if entries.len() == 1_442));
}

/// An Azure 2019 day (invocations per minute and duration percentiles) of one function whose
/// minutes hold `counts` (the rest of the day empty), read back by the trace reader.
fn azure_day(counts: &[(usize, u32)]) -> (tempfile::TempDir, Workload) {
    let dir = tempfile::tempdir().unwrap();
    let header: Vec<String> = (1..=1440).map(|i| i.to_string()).collect();
    let mut row = vec!["0".to_string(); 1440];
    for &(minute, n) in counts {
        row[minute] = n.to_string();
    }
    std::fs::write(
        dir.path().join("invocations_per_function_md.anon.d01.csv"),
        format!(
            "HashOwner,HashApp,HashFunction,Trigger,{}\nown,app,fun,http,{}\n",
            header.join(","),
            row.join(",")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("function_durations_percentiles.anon.d01.csv"),
        "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,\
         percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,\
         percentile_Average_100\nown,app,fun,120,1000,5,900,10,20,60,100,150,500,900\n",
    )
    .unwrap();
    let w = read_workload(&[dir.path().to_path_buf()], &ReadOptions::default()).unwrap();
    (dir, w)
}

#[test]
fn a_minute_of_u32_max_invocations_takes_seconds_and_megabytes() {
    let _serial = SERIAL.lock().unwrap();
    // 4,294,967,295 calls in one minute: expanding them needed 64 GiB. The fluid path draws
    // none of them.
    let (_dir, w) = azure_day(&[(600, u32::MAX)]);
    assert_eq!(w.invocations(), u64::from(u32::MAX));
    let started = std::time::Instant::now();
    let (out, peak) = peak_bytes_of(|| simulate(&w, &lambda()).unwrap());
    let s = &out.stats;
    assert_eq!(s.invocations, u64::from(u32::MAX));
    assert_eq!(s.served + s.throttles, s.invocations);
    // The account limit (1,000) binds: ~7 M requests in flight offered.
    assert!(s.peak_concurrency <= 1_000 && s.throttles > s.served);
    assert_eq!(out.usage.functions[0].on_demand_duration_ms.count(), s.served);
    assert!(out.assumptions.iter().any(|a| a.starts_with("fluid path: 1 unit(s)")));
    // And with no account limit: every request served, ~7 M instances cold-started.
    let mut unlimited = lambda();
    unlimited.concurrency_limit = Some(0);
    let (out, peak_unlimited) = peak_bytes_of(|| simulate(&w, &unlimited).unwrap());
    assert_eq!(out.stats.served, u64::from(u32::MAX));
    assert!(out.stats.cold_starts > 7_000_000, "{}", out.stats.cold_starts);
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "u32::MAX minute: {secs:.2} s for both runs, peak {} KB and {} KB",
        peak / 1024,
        peak_unlimited / 1024
    );
    assert!(secs < 30.0, "{secs} s");
    assert!(
        peak.max(peak_unlimited) < 16 * MB,
        "peak {} MB",
        peak.max(peak_unlimited) / MB
    );
}

#[test]
fn a_day_of_two_million_a_minute_is_bounded_too() {
    let _serial = SERIAL.lock().unwrap();
    // 2,000,000 calls every minute for a day (2.88 billion): the event path aborted at 46 GB.
    let counts: Vec<(usize, u32)> = (0..1440).map(|m| (m, 2_000_000)).collect();
    let (_dir, w) = azure_day(&counts);
    let started = std::time::Instant::now();
    let (out, peak) = peak_bytes_of(|| simulate(&w, &lambda()).unwrap());
    eprintln!(
        "a day of 2,000,000 a minute: {:.2} s, peak {} KB",
        started.elapsed().as_secs_f64(),
        peak / 1024
    );
    assert_eq!(out.stats.invocations, 2_880_000_000);
    assert_eq!(out.stats.served + out.stats.throttles, out.stats.invocations);
    assert!(peak < 16 * MB, "peak {} MB", peak / MB);
}
