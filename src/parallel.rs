//! Parallel maps over tasks of very unequal size (a trace's functions: a few can hold most of
//! the invocations), scheduled so that no single task runs alone at the end; and over whole
//! replays, side by side or one at a time (`analyze --low-memory`).

use rayon::prelude::*;

/// `f` of every item, in the items' order, computed in parallel with the heaviest (by
/// `weight`) started first and each item a task of its own that an idle thread can take: a
/// heavy item started last, or queued behind others in a batch one thread holds, would leave
/// the other threads idle while it runs. The result does not depend on the thread count.
pub fn map_heaviest_first<T: Sync, R: Send>(
    items: &[T],
    weight: impl Fn(&T) -> u64 + Sync,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Each weight computed once (a function's count may be a sum over its minutes).
    order.sort_by_cached_key(|&i| std::cmp::Reverse(weight(&items[i])));
    let mut done: Vec<(usize, R)> = order
        .into_par_iter()
        .with_max_len(1)
        .map(|i| (i, f(&items[i])))
        .collect();
    done.sort_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `f` of every item, in the items' order: side by side on the pool's threads, or one at a
/// time when `side_by_side` is false (each task a whole replay that runs on every thread
/// itself: one at a time holds one replay's memory instead of one per thread). The result is
/// the same either way.
pub fn map_side_by_side<T: Sync, R: Send>(
    items: &[T],
    side_by_side: bool,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    if side_by_side {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn results_keep_the_items_order_and_the_heaviest_starts_first() {
        let items = [3u64, 50, 7, 50, 1];
        let started = Mutex::new(Vec::new());
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let out = pool.install(|| {
            map_heaviest_first(
                &items,
                |&w| w,
                |&w| {
                    started.lock().unwrap().push(w);
                    w * 10
                },
            )
        });
        assert_eq!(out, vec![30, 500, 70, 500, 10]);
        // One thread takes the tasks in the order they were scheduled: heaviest first, ties
        // in the items' order.
        assert_eq!(started.into_inner().unwrap(), vec![50, 50, 7, 3, 1]);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        assert_eq!(pool.install(|| map_heaviest_first(&items, |&w| w, |&w| w * 10)), out);
    }

    /// One at a time: each item's task starts after the one before it ends (none overlap),
    /// in the items' order; side by side: the same results.
    #[test]
    fn one_at_a_time_runs_no_two_tasks_at_once_and_gives_the_same_results() {
        let items: Vec<u64> = (0..16).collect();
        let running = std::sync::atomic::AtomicUsize::new(0);
        let most = std::sync::atomic::AtomicUsize::new(0);
        let started = Mutex::new(Vec::new());
        let task = |&i: &u64| {
            use std::sync::atomic::Ordering::SeqCst;
            let now = running.fetch_add(1, SeqCst) + 1;
            most.fetch_max(now, SeqCst);
            started.lock().unwrap().push(i);
            std::thread::sleep(std::time::Duration::from_millis(2));
            running.fetch_sub(1, SeqCst);
            i * i
        };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let alone = pool.install(|| map_side_by_side(&items, false, task));
        assert_eq!(most.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(*started.lock().unwrap(), items);
        assert_eq!(alone, items.iter().map(|i| i * i).collect::<Vec<u64>>());
        assert_eq!(pool.install(|| map_side_by_side(&items, true, task)), alone);
    }
}
