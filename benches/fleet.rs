//! The fleet model's Erlang C (divan): a day of minutes' queues answered one at a time and
//! side by side (`sim::erlang`), the same bits either way. `cargo bench --bench fleet`;
//! `cargo test` does not run it.

use faascost::sim::erlang::{erlang_c, erlang_c_each};

fn main() {
    divan::main();
}

/// 1,440 minutes of a daily cycle between 300 and 900 Erlangs, each on the slots that hold
/// it at 80 % utilization (like the whole generated 1,000-function day on one fleet).
fn day() -> Vec<(u32, f64)> {
    (0..1_440)
        .map(|m| {
            let a = 600.0 + 300.0 * (m as f64 / 1_440.0 * std::f64::consts::TAU).sin();
            ((a / 0.8).ceil() as u32, a)
        })
        .collect()
}

#[divan::bench(sample_count = 20)]
fn one_at_a_time(bencher: divan::Bencher) {
    let queues = day();
    bencher
        .counter(divan::counter::ItemsCount::new(queues.len()))
        .bench_local(|| queues.iter().map(|&(c, a)| erlang_c(c, a)).collect::<Vec<f64>>());
}

#[divan::bench(sample_count = 20)]
fn side_by_side(bencher: divan::Bencher) {
    let queues = day();
    bencher
        .counter(divan::counter::ItemsCount::new(queues.len()))
        .bench_local(|| erlang_c_each(&queues));
}
