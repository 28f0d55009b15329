//! Erlang C, the probability that an arrival waits in an M/M/c queue, for one queue or for
//! many at once: the fleet model asks it of every minute of every fleet it replays, and each
//! answer is a recursion whose every step waits on the one before, so several recursions are
//! stepped side by side (the same operations on each, so the same bits as one at a time).

/// The recursion of one Erlang C: Erlang B on its inverse, 1/B_k = 1 + (k/a)·(1/B_(k−1)), a
/// multiply and an add a step on the dependency chain (B_k = a·B/(k + a·B) divides at every
/// step and the division's latency bounds the loop). Every term is positive (no
/// cancellation). Then C = c·B / (c − a·(1 − B)). Past k = a the terms shrink
/// (B_k < B_(k−1)·a/k), so C ≤ c·B_k / (c − a) from there on: once that bound is below 2⁻⁶⁰
/// the answer is 0 for every use (1 − C·x rounds to 1 for x ≤ 1, and a minute with
/// P(wait) ≤ 10⁻⁶ waits 0 at every percentile). The loop is bounded by the offered load
/// (≈ a + 9·√a steps), not by the (user-given) number of slots.
#[derive(Debug, Clone, Copy)]
struct Recursion {
    /// Slots.
    c: f64,
    /// Offered load in Erlangs.
    a: f64,
    /// 1 / a.
    inv_a: f64,
    /// 1/B past which C is below 2⁻⁶⁰ (once k > a).
    beyond: f64,
    /// The step reached (an integer: exact in an f64 below 2⁵³).
    k: f64,
    /// 1/B_k.
    inv_b: f64,
}

impl Recursion {
    /// The answer when it needs no recursion, else the recursion at k = 0.
    fn start(c: u32, a: f64) -> Result<f64, Recursion> {
        if c == 0 || a >= c as f64 {
            return Ok(1.0);
        }
        if a <= 0.0 {
            return Ok(0.0);
        }
        let cf = c as f64;
        Err(Recursion {
            c: cf,
            a,
            inv_a: 1.0 / a,
            beyond: cf / ((cf - a) * f64::powi(2.0, -60)),
            k: 0.0,
            inv_b: 1.0,
        })
    }

    /// A recursion that never ends: what an idle lane of [`erlang_c_each`] steps.
    const IDLE: Recursion = Recursion {
        c: f64::INFINITY,
        a: f64::INFINITY,
        inv_a: 0.0,
        beyond: f64::INFINITY,
        k: 0.0,
        inv_b: 1.0,
    };

    /// One step; the answer once it is known.
    fn step(&mut self) -> Option<f64> {
        self.k += 1.0;
        self.inv_b = 1.0 + self.k * self.inv_a * self.inv_b;
        self.answer()
    }

    /// The answer if the step reached ends the recursion.
    fn answer(&self) -> Option<f64> {
        if self.k > self.a && self.inv_b > self.beyond {
            return Some(0.0);
        }
        if self.k == self.c {
            let b = 1.0 / self.inv_b;
            return Some(self.c * b / (self.c - self.a * (1.0 - b)));
        }
        None
    }
}

/// Erlang C: probability that an arrival waits in an M/M/c queue with offered load `a` < c
/// (1 when `a` ≥ c).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    match Recursion::start(c, a) {
        Ok(answer) => answer,
        Err(mut r) => loop {
            if let Some(answer) = r.step() {
                return answer;
            }
        },
    }
}

/// Recursions stepped side by side.
const LANES: usize = 4;

/// [`erlang_c`] of each `(c, a)`, bit for bit, with [`LANES`] recursions interleaved: one
/// recursion leaves the core waiting on each step's multiply and add, independent ones fill
/// the wait. The lanes' state is held as arrays of numbers (kept in registers, each step the
/// same operation on every lane); a lane whose recursion ends takes the next waiting one, and
/// an idle lane steps a recursion that never ends (1/a = 0 keeps 1/B at 1; a and c infinite).
pub fn erlang_c_each(queues: &[(u32, f64)]) -> Vec<f64> {
    let mut answers = vec![0.0; queues.len()];
    let mut recursions = Vec::new();
    for (i, &(c, a)) in queues.iter().enumerate() {
        match Recursion::start(c, a) {
            Ok(answer) => answers[i] = answer,
            Err(r) => recursions.push((i, r)),
        }
    }
    let mut waiting = recursions.into_iter();
    let mut job = [usize::MAX; LANES];
    let idle = Recursion::IDLE;
    let (mut c, mut a, mut inv_a) = ([idle.c; LANES], [idle.a; LANES], [idle.inv_a; LANES]);
    let (mut beyond, mut k, mut inv_b) = ([idle.beyond; LANES], [idle.k; LANES], [idle.inv_b; LANES]);
    // The lanes start idle: the first pass below fills them.
    let (mut busy, mut ended) = (0, true);
    loop {
        if ended {
            for l in 0..LANES {
                if job[l] != usize::MAX {
                    let r = Recursion {
                        c: c[l],
                        a: a[l],
                        inv_a: inv_a[l],
                        beyond: beyond[l],
                        k: k[l],
                        inv_b: inv_b[l],
                    };
                    let Some(answer) = r.answer() else { continue };
                    answers[job[l]] = answer;
                    busy -= 1;
                }
                let (i, r) = waiting.next().unwrap_or((usize::MAX, Recursion::IDLE));
                busy += usize::from(i != usize::MAX);
                (job[l], c[l], a[l], inv_a[l], beyond[l], k[l], inv_b[l]) =
                    (i, r.c, r.a, r.inv_a, r.beyond, r.k, r.inv_b);
            }
            if busy == 0 {
                break;
            }
            ended = false;
        }
        // One step of every lane: the operations of `Recursion::step`, in the same order.
        for l in 0..LANES {
            k[l] += 1.0;
            inv_b[l] = 1.0 + k[l] * inv_a[l] * inv_b[l];
            ended |= ((k[l] > a[l]) & (inv_b[l] > beyond[l])) | (k[l] == c[l]);
        }
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::arrivals::SimRng;

    #[test]
    fn erlang_c_known_values() {
        // M/M/1: P(wait) = ρ.
        assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
        // c = 2, a = 1: C = 1/3 (hand-computed from the Erlang C formula).
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // c = 10, a = 8: 0.409 (standard Erlang C tables give 0.4092).
        assert!((erlang_c(10, 8.0) - 0.4092).abs() < 5e-4);
        assert_eq!(erlang_c(3, 3.0), 1.0);
        // 400 million slots for 2 Erlangs: no wait, and no loop over every slot.
        assert_eq!(erlang_c(400_000_000, 2.0), 0.0);
    }

    #[test]
    fn erlang_c_stops_early_only_where_the_answer_is_negligible() {
        // The textbook recursion B_k = a·B/(k + a·B) over every slot, with no early stop; the
        // recursion on 1/B agrees to 10⁻¹¹ relative (rounding grows about k·2⁻⁵³ over k steps).
        let full = |c: u32, a: f64| {
            let b = (1..=c).fold(1.0, |b, k| a * b / (k as f64 + a * b));
            c as f64 * b / (c as f64 - a * (1.0 - b))
        };
        for (c, a) in [
            (50, 40.0),
            (200, 150.0),
            (1_000, 600.0),
            (1_000, 990.0),
            (5_000, 300.0),
            (3, 0.5),
        ] {
            let (got, want) = (erlang_c(c, a), full(c, a));
            if got == 0.0 {
                assert!(want < f64::powi(2.0, -60), "c {c} a {a}: {want}");
                assert_eq!(1.0 - want, 1.0);
            } else {
                assert!((got - want).abs() <= 1e-11 * want, "c {c} a {a}: {got} against {want}");
            }
        }
        assert_eq!(erlang_c(5_000, 300.0), 0.0);
    }

    #[test]
    fn many_queues_side_by_side_get_the_bits_of_one_at_a_time() {
        // Queues of every kind in random order, so lanes end at different steps and take the
        // next queue mid-way: no recursion (no slots, a ≥ c, no load), ones that run to k = c,
        // ones that stop early at a negligible answer, a single step (c = 1), and lengths
        // from 1 to thousands of steps.
        let mut rng = SimRng::new(12);
        let mut queues = vec![(0, 1.0), (3, 3.0), (5, 7.5), (4, 0.0), (1, 0.25), (400_000_000, 2.0)];
        for _ in 0..3_000 {
            let c = 1 + (rng.uniform01() * rng.uniform01() * 3_000.0) as u32;
            let a = c as f64 * rng.uniform01() * 1.05;
            queues.push((c, a));
        }
        let (mut ended_early, mut ran_to_c) = (0, 0);
        for &(c, a) in &queues {
            match Recursion::start(c, a) {
                Ok(_) => {}
                Err(mut r) => loop {
                    if let Some(answer) = r.step() {
                        if r.k < r.c {
                            assert_eq!(answer, 0.0);
                            ended_early += 1;
                        } else {
                            ran_to_c += 1;
                        }
                        break;
                    }
                },
            }
        }
        assert!(ended_early > 100 && ran_to_c > 1_000, "{ended_early} {ran_to_c}");
        // The loop as it was written before `Recursion` (an integer step converted at each
        // step), as the reference for both.
        let before = |c: u32, a: f64| {
            if c == 0 || a >= c as f64 {
                return 1.0;
            }
            if a <= 0.0 {
                return 0.0;
            }
            let cf = c as f64;
            let inv_a = 1.0 / a;
            let beyond = cf / ((cf - a) * f64::powi(2.0, -60));
            let mut inv_b = 1.0;
            for k in 1..=c {
                inv_b = 1.0 + k as f64 * inv_a * inv_b;
                if k as f64 > a && inv_b > beyond {
                    return 0.0;
                }
            }
            let b = 1.0 / inv_b;
            cf * b / (cf - a * (1.0 - b))
        };
        let each = erlang_c_each(&queues);
        assert_eq!(each.len(), queues.len());
        for (&(c, a), got) in queues.iter().zip(&each) {
            let want = before(c, a).to_bits();
            assert_eq!(got.to_bits(), want, "c {c} a {a}");
            assert_eq!(erlang_c(c, a).to_bits(), want, "c {c} a {a}");
        }
        // Fewer queues than lanes: one recursion beside idle lanes, then two of other lengths
        // beside a trivial one; and none.
        assert_eq!(erlang_c_each(&[(10, 8.0)])[0].to_bits(), before(10, 8.0).to_bits());
        let few = [(30, 20.0), (3, 3.0), (7, 2.5)];
        let want: Vec<u64> = few.iter().map(|&(c, a)| before(c, a).to_bits()).collect();
        assert_eq!(
            erlang_c_each(&few).iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            want
        );
        assert!(erlang_c_each(&[]).is_empty());
    }
}
