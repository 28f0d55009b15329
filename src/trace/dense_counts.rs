//! A dense run of per-minute invocation counts in as few bytes a minute as every count fits:
//! 8, 16 or 32 bits (a census of the generated 14-day, 50,000-function trace: of its 4,466
//! functions busy at least half of its 20,160 minutes, 4,064 never exceed 255 calls a minute,
//! 387 never 65,535 and 15 do; none of the others exceeds 255); a trace is held for the whole
//! replay.

use serde::Serialize;

/// Per-minute counts in the narrowest width every count fits (so derived equality compares
/// the counts): `Byte` exactly when every count is at most `u8::MAX`, `Narrow` exactly when
/// every count is at most `u16::MAX` and one is above `u8::MAX`, `Wide` otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DenseCounts {
    /// Every count below 2^8.
    Byte(Vec<u8>),
    /// Every count below 2^16, one of 2^8 or more.
    Narrow(Vec<u16>),
    /// At least one count of 2^16 or more.
    Wide(Vec<u32>),
}

impl Default for DenseCounts {
    fn default() -> Self {
        DenseCounts::Byte(Vec::new())
    }
}

/// The room to make for `additional` more values after `len`: exactly that, or an eighth of
/// `len` if more. Days appended one at a time then leave at most an eighth spare (a vector
/// grown by doubling may hold twice what it uses until the trace is built) and still copy each
/// value a bounded number of times.
pub(super) fn room(len: usize, additional: usize) -> usize {
    additional.max(len / 8)
}

/// The bytes a count takes in the narrowest width `count` fits: 1, 2 or 4.
pub(super) fn bytes_for(count: u32) -> usize {
    match count {
        0..=0xFF => 1,
        0x100..=0xFFFF => 2,
        _ => 4,
    }
}

/// The bytes each of `counts` takes in the narrowest width they all fit: 1, 2 or 4 (1 for none).
pub(super) fn bytes_for_all(counts: impl IntoIterator<Item = u32>) -> usize {
    counts.into_iter().max().map_or(1, bytes_for)
}

/// Runs `$body` with `$v` bound to the counts' vector, whatever its width.
macro_rules! each_width {
    ($counts:expr, $v:ident => $body:expr) => {
        match $counts {
            DenseCounts::Byte($v) => $body,
            DenseCounts::Narrow($v) => $body,
            DenseCounts::Wide($v) => $body,
        }
    };
}

/// [`DenseCounts::for_each_busy`] over one width's counts.
fn each_busy<T: Copy + Into<u32>>(counts: &[T], f: &mut impl FnMut(usize, u32)) {
    for (i, &c) in counts.iter().enumerate() {
        let c: u32 = c.into();
        if c != 0 {
            f(i, c);
        }
    }
}

/// `counts` cast to `T` by `cast` (each fits), with room for `capacity`.
fn cast_all<T>(counts: impl ExactSizeIterator<Item = u32>, capacity: usize, cast: fn(u32) -> T) -> Vec<T> {
    let mut v = Vec::with_capacity(capacity.max(counts.len()));
    v.extend(counts.map(cast));
    v
}

/// Appends `count` to `counts` after `zeros` zeros.
fn pushed_after_zeros<T: Copy + Default>(counts: &mut Vec<T>, zeros: usize, count: T) {
    counts.resize(counts.len() + zeros, T::default());
    counts.push(count);
}

impl From<&[u32]> for DenseCounts {
    fn from(counts: &[u32]) -> Self {
        match bytes_for_all(counts.iter().copied()) {
            1 => DenseCounts::Byte(cast_all(counts.iter().copied(), 0, |c| c as u8)),
            2 => DenseCounts::Narrow(cast_all(counts.iter().copied(), 0, |c| c as u16)),
            _ => DenseCounts::Wide(counts.to_vec()),
        }
    }
}

impl From<Vec<u32>> for DenseCounts {
    fn from(counts: Vec<u32>) -> Self {
        match bytes_for_all(counts.iter().copied()) {
            1 => DenseCounts::Byte(cast_all(counts.into_iter(), 0, |c| c as u8)),
            2 => DenseCounts::Narrow(cast_all(counts.into_iter(), 0, |c| c as u16)),
            _ => DenseCounts::Wide(counts),
        }
    }
}

impl DenseCounts {
    /// Minutes held.
    pub fn len(&self) -> usize {
        each_width!(self, v => v.len())
    }

    /// Whether no minute is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes each count takes: 1, 2 or 4.
    pub fn width_bytes(&self) -> usize {
        match self {
            DenseCounts::Byte(_) => 1,
            DenseCounts::Narrow(_) => 2,
            DenseCounts::Wide(_) => 4,
        }
    }

    /// The first and the last position with a count above zero and how many positions have
    /// one, if any does (passes over one width's slice, the count between them vectorized: a
    /// day appended to a busy function looks at every count held so far).
    pub fn busy_span(&self) -> Option<(usize, usize, usize)> {
        each_width!(self, v => {
            let first = v.iter().position(|&c| c != 0)?;
            let last = v.iter().rposition(|&c| c != 0)?;
            Some((first, last, v[first..=last].iter().filter(|&&c| c != 0).count()))
        })
    }

    /// The sum of the counts (a loop over one width's slice).
    pub fn total(&self) -> u64 {
        each_width!(self, v => v.iter().map(|&c| u64::from(c)).sum())
    }

    /// Calls `f` with the position and count of every count above zero, in order (a loop over
    /// one width's slice: no dispatch per count).
    pub fn for_each_busy(&self, mut f: impl FnMut(usize, u32)) {
        each_width!(self, v => each_busy(v, &mut f))
    }

    /// The count of minute `i` of the run, if held.
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            DenseCounts::Byte(v) => v.get(i).map(|&c| u32::from(c)),
            DenseCounts::Narrow(v) => v.get(i).map(|&c| u32::from(c)),
            DenseCounts::Wide(v) => v.get(i).copied(),
        }
    }

    /// The counts in minute order.
    pub fn iter(&self) -> DenseIter<'_> {
        match self {
            DenseCounts::Byte(v) => DenseIter::Byte(v.iter()),
            DenseCounts::Narrow(v) => DenseIter::Narrow(v.iter()),
            DenseCounts::Wide(v) => DenseIter::Wide(v.iter()),
        }
    }

    /// Makes room for `additional` more counts ([`room`]).
    pub fn reserve(&mut self, additional: usize) {
        let additional = room(self.len(), additional);
        each_width!(self, v => v.reserve_exact(additional))
    }

    /// Appends `count` after `zeros` empty minutes, widening every count first when it does not
    /// fit in their width (keeping the room made).
    pub fn push_after_zeros(&mut self, zeros: usize, count: u32) {
        let width = bytes_for(count);
        if width > self.width_bytes() {
            let capacity = each_width!(&*self, v => v.capacity());
            let wider = match width {
                2 => DenseCounts::Narrow(cast_all(self.iter(), capacity, |c| c as u16)),
                _ => DenseCounts::Wide(cast_all(self.iter(), capacity, |c| c)),
            };
            *self = wider;
        }
        // `count` fits the width now.
        match self {
            DenseCounts::Byte(v) => pushed_after_zeros(v, zeros, count as u8),
            DenseCounts::Narrow(v) => pushed_after_zeros(v, zeros, count as u16),
            DenseCounts::Wide(v) => pushed_after_zeros(v, zeros, count),
        }
    }

    /// Releases the room appends left beyond the counts.
    pub fn shrink_to_fit(&mut self) {
        each_width!(self, v => v.shrink_to_fit())
    }

    /// The counts' capacity and length, in counts.
    #[cfg(test)]
    pub(crate) fn capacity_and_len(&self) -> (usize, usize) {
        each_width!(self, v => (v.capacity(), v.len()))
    }
}

/// The counts of a [`DenseCounts`] in minute order, as `u32`.
#[derive(Debug, Clone)]
pub enum DenseIter<'a> {
    /// Over 8-bit counts.
    Byte(std::slice::Iter<'a, u8>),
    /// Over 16-bit counts.
    Narrow(std::slice::Iter<'a, u16>),
    /// Over 32-bit counts.
    Wide(std::slice::Iter<'a, u32>),
}

impl Iterator for DenseIter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            DenseIter::Byte(it) => it.next().map(|&c| u32::from(c)),
            DenseIter::Narrow(it) => it.next().map(|&c| u32::from(c)),
            DenseIter::Wide(it) => it.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            DenseIter::Byte(it) => it.size_hint(),
            DenseIter::Narrow(it) => it.size_hint(),
            DenseIter::Wide(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for DenseIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The busy span and the busy positions, read the same at every width.
    #[test]
    fn busy_positions_are_found_at_every_width() {
        for scale in [1, 300, 70_000] {
            let c = DenseCounts::from(vec![0, 3 * scale, 0, 0, 7 * scale, 0]);
            assert_eq!(c.width_bytes(), bytes_for(7 * scale));
            assert_eq!(c.busy_span(), Some((1, 4, 2)));
            let mut seen = Vec::new();
            c.for_each_busy(|i, n| seen.push((i, n)));
            assert_eq!(seen, [(1, 3 * scale), (4, 7 * scale)]);
            assert_eq!(DenseCounts::from(vec![scale; 3]).busy_span(), Some((0, 2, 3)));
            assert_eq!(c.total(), 10 * u64::from(scale));
        }
        assert_eq!(DenseCounts::from(vec![0, 0]).busy_span(), None);
        assert_eq!(DenseCounts::default().busy_span(), None);
    }

    /// 8 bits a count while every count is at most 255, 16 while every count is at most
    /// 65,535; one more widens all of them, in place and when appended, keeping the room made;
    /// equal counts compare equal whichever way they were built.
    #[test]
    fn counts_take_the_narrowest_width_every_count_fits() {
        assert_eq!(DenseCounts::from(vec![0, 1, 255]), DenseCounts::Byte(vec![0, 1, 255]));
        assert_eq!(DenseCounts::from(Vec::new()), DenseCounts::default());
        assert_eq!(DenseCounts::from(vec![0, 256]), DenseCounts::Narrow(vec![0, 256]));
        assert_eq!(
            DenseCounts::from(vec![0, 1, 65_535]),
            DenseCounts::Narrow(vec![0, 1, 65_535])
        );
        assert_eq!(DenseCounts::from(vec![0, 65_536]), DenseCounts::Wide(vec![0, 65_536]));
        assert_eq!(
            DenseCounts::from(&[7, u32::MAX][..]),
            DenseCounts::Wide(vec![7, u32::MAX])
        );
        assert_eq!(
            [1, 256, 65_536].map(|c| DenseCounts::from(vec![c]).width_bytes()),
            [1, 2, 4]
        );

        let mut c = DenseCounts::default();
        c.push_after_zeros(0, 3);
        c.push_after_zeros(2, 255);
        assert_eq!(c, DenseCounts::Byte(vec![3, 0, 0, 255]));
        c.reserve(100);
        c.push_after_zeros(0, 256);
        assert_eq!(c, DenseCounts::Narrow(vec![3, 0, 0, 255, 256]));
        assert_eq!(c.capacity_and_len(), (104, 5));
        c.push_after_zeros(0, 65_535);
        assert_eq!(c, DenseCounts::Narrow(vec![3, 0, 0, 255, 256, 65_535]));
        c.push_after_zeros(1, 65_536);
        assert_eq!(c, DenseCounts::Wide(vec![3, 0, 0, 255, 256, 65_535, 0, 65_536]));
        assert_eq!(c.capacity_and_len(), (104, 8));
        // From 8 bits straight to 32.
        let mut b = DenseCounts::from(vec![9]);
        b.push_after_zeros(0, 70_000);
        assert_eq!(b, DenseCounts::Wide(vec![9, 70_000]));
        c.push_after_zeros(0, 9);
        assert_eq!(
            c.iter().collect::<Vec<u32>>(),
            vec![3, 0, 0, 255, 256, 65_535, 0, 65_536, 9]
        );
        assert_eq!((c.len(), c.get(7), c.get(9)), (9, Some(65_536), None));
        assert_eq!(c.iter().len(), 9);
        assert_eq!(DenseCounts::from(vec![1, 2]).iter().len(), 2);
        assert_eq!(DenseCounts::from(vec![1, 300]).iter().collect::<Vec<_>>(), vec![1, 300]);
        // Serialized as the plain list of counts in every width.
        assert_eq!(serde_json::to_string(&c).unwrap(), "[3,0,0,255,256,65535,0,65536,9]");
        assert_eq!(serde_json::to_string(&DenseCounts::from(vec![4, 5])).unwrap(), "[4,5]");
        assert_eq!(
            serde_json::to_string(&DenseCounts::from(vec![4, 500])).unwrap(),
            "[4,500]"
        );
    }
}
