//! Small descriptive statistics shared by the characterization and the reports:
//! percentiles (linear interpolation between closest ranks, as numpy's default) and a
//! serializable `Summary` of a sample; and the merge of two tallies sorted by key that the
//! duration histograms and the concurrency sweep share.

use serde::{Deserialize, Serialize};

/// The `p`-th percentile (0–100) of an ascending-sorted sample, interpolating linearly
/// between the two closest ranks (numpy's default, Hyndman–Fan type 7). `None` when empty.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let frac = rank - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * frac)
}

/// The entries of `a` and `b` (each sorted by `key`, each key once) in one list sorted by
/// `key`, entries of equal key made one by `combine(from a, from b)`: one pass.
pub fn merge_sorted<T: Copy>(
    a: impl IntoIterator<Item = T>,
    b: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> u64,
    combine: impl Fn(T, T) -> T,
) -> Vec<T> {
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    let mut out = Vec::with_capacity(a.size_hint().0 + b.size_hint().0);
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if key(x) == key(y) => {
                let (x, y) = (a.next().expect("peeked"), b.next().expect("peeked"));
                combine(x, y)
            }
            (Some(x), Some(y)) if key(x) < key(y) => a.next().expect("peeked"),
            (_, Some(_)) => b.next().expect("peeked"),
            (Some(_), None) => a.next().expect("peeked"),
            (None, None) => break,
        };
        out.push(next);
    }
    out
}

/// A sample's size, mean and percentiles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Sample size.
    pub count: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Minimum.
    pub min: f64,
    /// 10th percentile.
    pub p10: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

impl Summary {
    /// Summarizes a sample (any order; non-finite values are dropped). `None` when empty.
    pub fn of(mut values: Vec<f64>) -> Option<Summary> {
        values.retain(|v| v.is_finite());
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let p = |q| percentile_sorted(&values, q).unwrap_or(f64::NAN);
        Some(Summary {
            count: values.len() as u64,
            mean: values.iter().sum::<f64>() / values.len() as f64,
            min: values[0],
            p10: p(10.0),
            p25: p(25.0),
            p50: p(50.0),
            p75: p(75.0),
            p90: p(90.0),
            p95: p(95.0),
            p99: p(99.0),
            max: values[values.len() - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100]) = [1, 1.75, 2.5, 3.7, 4]
        let v = [1.0, 2.0, 3.0, 4.0];
        let got: Vec<f64> = [0.0, 25.0, 50.0, 90.0, 100.0]
            .iter()
            .map(|&p| percentile_sorted(&v, p).unwrap())
            .collect();
        let want = [1.0, 1.75, 2.5, 3.7, 4.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
        assert_eq!(percentile_sorted(&[], 50.0), None);
    }

    #[test]
    fn summary_of_sample() {
        let s = Summary::of(vec![4.0, 1.0, f64::NAN, 3.0, 2.0]).unwrap();
        assert_eq!(s.count, 4);
        assert!((s.mean - 2.5).abs() < 1e-12);
        assert_eq!((s.min, s.max), (1.0, 4.0));
        assert!((s.p50 - 2.5).abs() < 1e-12);
        assert!(Summary::of(vec![]).is_none());
    }
}
