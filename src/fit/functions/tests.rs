//! Per-function fits on generated traces with known answers: a 20-minute batch job is never
//! put on Lambda, a busy steady function goes to servers, a sparse one to serverless, and a
//! sparse one under a tight SLO to provisioned concurrency; each reason fires on its side.

use super::*;
use crate::config::Scenario;
use crate::fit::reasons::SERVER_UTILIZATION_BUSY;
use crate::pricing::Catalog;
use crate::trace::{Arrivals, DurationInfo, FunctionId, Invocation, MemoryInfo, MinuteCounts, Trigger};
use crate::units::{MS_PER_HOUR, MS_PER_MINUTE};

const SCENARIO: &str = r#"
schema_version = 1
seed = 7
latency_slo_ms = 1000
horizon_months = 12
growth_per_month = 0.0
cpu_bound_fraction = 0.5
front_door = "none"
log_bytes_per_invocation = 0
fallback_duration_ms = 1000

[[serverless]]
id = "lambda"
platform = "aws-lambda"
memory_mb = 1024
arch = "arm64"

[[provisioned]]
id = "ec2"
platform = "aws-ec2"
instance_type = "m7g.large"
strategy = "static-peak"
target_utilization = 0.6
min_instances = 1
spare_instances = 0
load_balancer = "none"
"#;

fn plan(scenario_text: &str, functions: Vec<FunctionTrace>, window_ms: u64) -> Plan {
    Plan {
        scenario: Scenario::parse("test.toml", scenario_text, std::path::Path::new(".")).unwrap(),
        scenario_label: "test.toml".into(),
        workload: Workload {
            functions,
            window_start_ms: 0,
            window_end_ms: window_ms,
            sources: vec![],
            warnings: vec![],
        }
        .into(),
        trace_files: vec![],
        catalog: Catalog::embedded().unwrap(),
        what_if: crate::eval::WhatIf::default(),
        replays: None,
    }
}

/// `n` invocations `every_ms` apart, each running `duration_ms`.
fn periodic(name: &str, trigger: Trigger, n: u64, every_ms: u64, duration_ms: u64) -> FunctionTrace {
    FunctionTrace {
        id: FunctionId::standalone(name),
        trigger,
        arrivals: Arrivals::Timestamps(
            (0..n)
                .map(|i| Invocation {
                    start_ms: i * every_ms,
                    duration_us: duration_ms * 1_000,
                    init_duration_us: None,
                    billed_duration_ms: None,
                    cold_start: None,
                    response_bytes: None,
                })
                .collect(),
        ),
        duration: DurationInfo::Samples,
        memory: MemoryInfo::default(),
    }
}

/// The embedded scenario over the bundled data.
fn bundled_plan() -> Plan {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::config::DEFAULT_SCENARIO_DIR);
    let (workload, _) = crate::trace::read_workload_files(&[dir], &crate::trace::ReadOptions::default()).unwrap();
    Plan {
        scenario: Scenario::default_scenario(),
        scenario_label: "embedded".into(),
        workload: workload.into(),
        trace_files: vec![],
        catalog: Catalog::embedded().unwrap(),
        what_if: crate::eval::WhatIf::default(),
        replays: None,
    }
}

/// Whether every serverless option of `p` can run `f` alone.
fn runs_everywhere(p: &Plan, f: &FunctionTrace) -> bool {
    let sub = alone(p, f);
    p.scenario
        .serverless
        .iter()
        .all(|o| crate::eval::serverless::limits(&sub, o).unwrap().is_empty())
}

fn reason<'a>(f: &'a FunctionFit, feature: &str) -> Option<&'a Reason> {
    f.reasons.iter().find(|r| r.feature == feature)
}

/// Once an hour for a day, 20 minutes each: beyond Lambda's 900 s timeout. The only option
/// that can run it is the server, and the first reason names the limit.
#[test]
fn a_twenty_minute_batch_job_is_never_put_on_lambda() {
    let job = periodic("nightly-batch", Trigger::Timer, 24, MS_PER_HOUR, 20 * MS_PER_MINUTE);
    let p = plan(SCENARIO, vec![job], 24 * MS_PER_HOUR);
    let fits = fit_functions(&p).unwrap();
    let f = &fits[0];
    assert_eq!(f.choice.verdict, FitVerdict::Servers, "{f:#?}");
    assert_eq!(f.choice.option.as_deref(), Some("ec2"));
    let limit = &f.reasons[0];
    assert_eq!(limit.feature, "timeout");
    assert_eq!((limit.value, limit.threshold), (1_200_000.0, 900_000.0));
    assert_eq!(limit.favours, Favours::Servers);
    assert!(
        limit.explanation.contains("never recommended for lambda"),
        "{}",
        limit.explanation
    );
    // Nothing else is viable: no cost ratio to compare, and the choice is held with confidence.
    assert!(reason(f, "cost_ratio").is_none());
    assert_eq!(f.choice.confidence, Confidence::High);
}

/// 1,000 requests a minute for 4 hours, 1 s each (16.7 Erlangs): about $590 a month on
/// Lambda arm64 (43.8 M requests × ($0.20/10⁶ + 1 GB-s × $0.0000133334)) against 7 m7g.large
/// (≈ $417): servers, busy every minute, steady.
#[test]
fn a_busy_steady_function_fits_servers_and_says_why() {
    let steady = FunctionTrace {
        id: FunctionId::standalone("api"),
        trigger: Trigger::Http,
        arrivals: Arrivals::PerMinute(MinuteCounts::from_dense(0, vec![1_000; 240])),
        duration: DurationInfo::Unknown,
        memory: MemoryInfo::default(),
    };
    let p = plan(SCENARIO, vec![steady], 240 * MS_PER_MINUTE);
    let f = &fit_functions(&p).unwrap()[0];
    assert_eq!(f.choice.verdict, FitVerdict::Servers, "{f:#?}");
    assert_eq!(f.choice.runner_up.as_deref(), Some("lambda"));
    assert!(f.choice.monthly_saving_usd.unwrap() > Money::default());
    let ratio = reason(f, "cost_ratio").unwrap();
    assert!(ratio.value > 1.0 && ratio.favours == Favours::Servers, "{ratio:?}");
    assert_eq!(reason(f, "duty_cycle").unwrap().favours, Favours::Servers);
    assert_eq!(reason(f, "peak_to_mean").unwrap().favours, Favours::Servers);
    assert!(reason(f, "timeout").is_none());
    // The saving over the horizon is the month's × 12.
    assert_eq!(
        f.choice.horizon_saving_usd.unwrap().micro(),
        f.choice.monthly_saving_usd.unwrap().micro() * 12
    );
}

/// 24 requests a day, 100 ms each: pennies on Lambda against a server's month; idle almost
/// every minute.
#[test]
fn a_sparse_function_fits_serverless_and_says_why() {
    let sparse = periodic("webhook", Trigger::Http, 24, MS_PER_HOUR, 100);
    let p = plan(SCENARIO, vec![sparse], 24 * MS_PER_HOUR);
    let f = &fit_functions(&p).unwrap()[0];
    assert_eq!(f.choice.verdict, FitVerdict::Serverless, "{f:#?}");
    assert_eq!(f.choice.option.as_deref(), Some("lambda"));
    let ratio = reason(f, "cost_ratio").unwrap();
    assert!(ratio.value < 0.01 && ratio.favours == Favours::Serverless, "{ratio:?}");
    let duty = reason(f, "duty_cycle").unwrap();
    assert!(duty.value < 0.02 && duty.favours == Favours::Serverless, "{duty:?}");
    let util = reason(f, "server_utilization").unwrap();
    assert!(util.value < SERVER_UTILIZATION_BUSY && util.favours == Favours::Serverless);
    // Hourly: every request starts cold (the keep-alive is shorter than the gap).
    assert!(reason(f, "cold_start_share").unwrap().favours == Favours::Servers);
    assert_eq!(f.choice.confidence, Confidence::High);
}

/// The same sparse function under a 50 ms SLO with only Lambda: every request starts cold,
/// so on demand misses the SLO; one provisioned instance keeps it warm.
#[test]
fn a_tight_slo_on_sparse_traffic_calls_for_provisioned_concurrency() {
    let text = SCENARIO
        .replace("latency_slo_ms = 1000", "latency_slo_ms = 50")
        .split("[[provisioned]]")
        .next()
        .unwrap()
        .to_string();
    let sparse = periodic("webhook", Trigger::Http, 24, MS_PER_HOUR, 100);
    let p = plan(&text, vec![sparse], 24 * MS_PER_HOUR);
    let f = &fit_functions(&p).unwrap()[0];
    assert_eq!(f.choice.verdict, FitVerdict::ServerlessProvisioned, "{f:#?}");
    assert_eq!(f.choice.option.as_deref(), Some("lambda+pc1"));
    let p99 = reason(f, "p99_added_latency_ms").unwrap();
    assert!(p99.value > 50.0 && p99.favours == Favours::Servers, "{p99:?}");
    // In eu-west-1 only x86 provisioned concurrency has a rate: an arm64 option tries no level
    // (each would be "not priced", so not viable), an x86 one does and is recommended.
    let eu = text.replace("seed = 7", "seed = 7\nregion = \"eu-west-1\"");
    let x86 = eu.replace("arch = \"arm64\"", "arch = \"x86\"");
    let sells = |text: &str| {
        let p = plan(text, vec![], MS_PER_HOUR);
        sells_provisioned_concurrency(&p, &p.scenario.serverless[0])
    };
    assert!(sells(&text) && sells(&x86) && !sells(&eu));
    let sparse = periodic("webhook", Trigger::Http, 24, MS_PER_HOUR, 100);
    let f = &fit_functions(&plan(&x86, vec![sparse], 24 * MS_PER_HOUR)).unwrap()[0];
    assert_eq!(f.choice.option.as_deref(), Some("lambda+pc1"), "{f:#?}");
}

/// A function never invoked costs nothing on serverless; the whole workload's fit counts it.
#[test]
fn an_idle_function_is_serverless_at_no_cost() {
    let idle = FunctionTrace {
        id: FunctionId::standalone("unused"),
        trigger: Trigger::Queue,
        arrivals: Arrivals::PerMinute(MinuteCounts::from_dense(0, vec![0; 10])),
        duration: DurationInfo::Unknown,
        memory: MemoryInfo::default(),
    };
    let busy = periodic("webhook", Trigger::Http, 24, MS_PER_HOUR, 100);
    let p = plan(SCENARIO, vec![idle, busy], 24 * MS_PER_HOUR);
    let evals = evaluate_all(&p).unwrap();
    let decision = decide(&p, &evals);
    let rec = recommend(&p, &evals, &decision).unwrap();
    let f = &rec.functions[0];
    assert_eq!((f.choice.verdict, f.invocations), (FitVerdict::Serverless, 0));
    assert_eq!(f.choice.monthly_cost_usd, Some(Money::default()));
    assert_eq!(rec.overall.functions_by_verdict.get("serverless"), Some(&2));
    // The split deployment is the busy function's cost alone.
    assert_eq!(
        rec.overall.split_monthly_cost_usd,
        rec.functions[1].choice.monthly_cost_usd
    );
}

/// A verdict that flips inside the range is held with low confidence, whatever its margin,
/// and the reason quotes what flips it; one that holds keeps its confidence.
#[test]
fn a_verdict_that_does_not_hold_across_the_range_is_low_confidence() {
    let sparse = periodic("webhook", Trigger::Http, 24, MS_PER_HOUR, 100);
    let p = plan(SCENARIO, vec![sparse], 24 * MS_PER_HOUR);
    let evals = evaluate_all(&p).unwrap();
    let decision = decide(&p, &evals);
    let rec = recommend(&p, &evals, &decision).unwrap();
    assert_eq!(rec.overall.choice.confidence, Confidence::High);
    let ranges = |holds: bool| crate::fit::ranges::Ranges {
        winner: Some("lambda".into()),
        runner_up: Some("ec2".into()),
        holds,
        summary: "cpu_bound_fraction 0.9 makes ec2 the cheapest".into(),
        monte_carlo_runs: 0,
        monte_carlo_seeds: vec![],
        sensitivity: vec![],
        options: vec![],
    };
    let flipped = rec.clone().with_ranges(&ranges(false));
    assert_eq!(flipped.overall.choice.confidence, Confidence::Low);
    let last = flipped.overall.reasons.last().unwrap();
    assert_eq!((last.feature.as_str(), last.value), ("holds_across_range", 0.0));
    assert!(last.explanation.contains("makes ec2 the cheapest"));
    let held = rec.with_ranges(&ranges(true));
    assert_eq!(held.overall.choice.confidence, Confidence::High);
}

/// The bundled data (200 functions) without the functions beyond Lambda's or Azure's timeout
/// (with them only Cloud Run can run the whole workload), on the embedded scenario: Lambda x86
/// and arm64 with instances per function, Azure Consumption with instances per app, Cloud Run
/// at 80 requests per instance; a hybrid; four fleets. Every run alone that the whole runs hold
/// equals a fresh replay of that function alone, field by field (usage, stats with the
/// per-minute series, units, assumptions, warnings); and the per-function fits that take them
/// equal the fits that replay every function alone.
#[test]
fn fits_from_the_whole_runs_equal_replaying_each_function_alone() {
    let mut p = bundled_plan();
    let functions = std::mem::take(&mut Arc::make_mut(&mut p.workload).functions);
    let total = functions.len();
    Arc::make_mut(&mut p.workload).functions = functions.into_iter().filter(|f| runs_everywhere(&p, f)).collect();
    assert!((190..total).contains(&p.workload.functions.len()));
    let (evals, runs) = crate::eval::evaluate_all_with_progress(&p, &mut |_| {}).unwrap();
    assert!(evals.iter().all(|e| e.feasible()));
    let invoked: Vec<&FunctionTrace> = p
        .workload
        .functions
        .iter()
        .filter(|f| f.arrivals.invocations() > 0)
        .collect();
    let mut per_app: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &p.workload.functions {
        let (o, a) = f.id.app_key();
        *per_app.entry((o.to_string(), a.to_string())).or_default() += 1;
    }
    let alone_in_app = invoked
        .iter()
        .filter(|f| {
            let (o, a) = f.id.app_key();
            per_app[&(o.to_string(), a.to_string())] == 1
        })
        .count();
    let held = |id: &str| runs.alone.get(id).map_or(0, |r| r.len());
    // Instances per function, no limit reached: every invoked function; per app: only the
    // apps of one function (the others share instances, so their functions are replayed).
    assert_eq!(held("lambda-x86"), invoked.len());
    assert_eq!(held("lambda-arm64"), invoked.len());
    assert_eq!(held("cloud-run"), invoked.len());
    assert!(alone_in_app > 0 && alone_in_app < invoked.len());
    assert_eq!(held("azure-consumption"), alone_in_app);
    for (id, by_function) in &runs.alone {
        let opt = p.scenario.serverless.iter().find(|o| &o.id == id).unwrap();
        for f in &invoked {
            let Some(reused) = by_function.get(&function_key(&f.id)) else {
                continue;
            };
            let sub = alone(&p, f);
            let mut fresh = crate::eval::serverless::run(&sub, opt, &sub.workload).unwrap();
            let reused = crate::eval::serverless::as_option(opt, reused.clone());
            // A run held alone keeps no per-minute series (`sim::AloneRuns`); nothing else differs.
            assert!(reused.stats.concurrency_by_minute.is_empty());
            assert!(!fresh.stats.concurrency_by_minute.is_empty());
            fresh.stats.concurrency_by_minute.clear();
            assert_eq!(reused, fresh, "option {id}, function {}", f.id.function);
        }
    }
    assert_eq!(
        fit_functions_reusing(&p, &runs.alone).unwrap(),
        fit_functions(&p).unwrap()
    );
}

/// The fits run the busiest function first, each function a task of its own, and a
/// function's options side by side (its serverless replays, its fleets, its hybrid's base
/// sizes): the fits, and each one-function evaluation, are the same on one thread as on three.
#[test]
fn fits_and_evaluations_do_not_depend_on_the_thread_count() {
    let mut p = bundled_plan();
    // Twelve invoked functions every serverless option can run, so the hybrid is searched.
    let functions = std::mem::take(&mut Arc::make_mut(&mut p.workload).functions);
    Arc::make_mut(&mut p.workload).functions = functions
        .into_iter()
        .filter(|f| f.arrivals.invocations() > 0 && runs_everywhere(&p, f))
        .take(12)
        .collect();
    assert_eq!(p.workload.functions.len(), 12);
    assert!(!p.scenario.hybrid.is_empty() && p.scenario.provisioned.len() > 1);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let fits = fit_functions(&p).unwrap();
            let busiest = p
                .workload
                .functions
                .iter()
                .max_by_key(|f| f.arrivals.invocations())
                .unwrap();
            (fits, crate::eval::evaluate_all(&alone(&p, busiest)).unwrap())
        })
    };
    let (one, three) = (on(1), on(3));
    let names: Vec<String> = p.workload.functions.iter().map(display_name).collect();
    assert_eq!(
        one.0.iter().map(|f| f.function.clone()).collect::<Vec<_>>(),
        names,
        "the workload's order"
    );
    assert!(one.1.iter().any(|e| e.kind == OptionKind::Hybrid && e.feasible()));
    assert_eq!(one, three);
}
