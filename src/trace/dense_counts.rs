//! A dense run of per-minute invocation counts in 16 bits a minute while every count fits
//! (all but a few busy functions of an Azure-like trace: 14 of 4,473 dense functions of a
//! generated 50,000-function day need more), 32 bits once one does not; a trace is held for
//! the whole replay.

use serde::Serialize;

/// Per-minute counts: `Narrow` exactly when every count is at most `u16::MAX` (so derived
/// equality compares the counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DenseCounts {
    /// Every count below 2^16.
    Narrow(Vec<u16>),
    /// At least one count of 2^16 or more.
    Wide(Vec<u32>),
}

impl Default for DenseCounts {
    fn default() -> Self {
        DenseCounts::Narrow(Vec::new())
    }
}

/// The room to make for `additional` more values after `len`: exactly that, or an eighth of
/// `len` if more. Days appended one at a time then leave at most an eighth spare (a vector
/// grown by doubling may hold twice what it uses until the trace is built) and still copy each
/// value a bounded number of times.
pub(super) fn room(len: usize, additional: usize) -> usize {
    additional.max(len / 8)
}

/// Whether every count fits in 16 bits.
fn all_narrow(counts: &[u32]) -> bool {
    counts.iter().all(|&c| c <= u32::from(u16::MAX))
}

/// `counts` in 16 bits (each fits).
fn narrowed(counts: &[u32]) -> DenseCounts {
    DenseCounts::Narrow(counts.iter().map(|&c| c as u16).collect())
}

impl From<&[u32]> for DenseCounts {
    fn from(counts: &[u32]) -> Self {
        if all_narrow(counts) {
            narrowed(counts)
        } else {
            DenseCounts::Wide(counts.to_vec())
        }
    }
}

impl From<Vec<u32>> for DenseCounts {
    fn from(counts: Vec<u32>) -> Self {
        if all_narrow(&counts) {
            narrowed(&counts)
        } else {
            DenseCounts::Wide(counts)
        }
    }
}

impl DenseCounts {
    /// Minutes held.
    pub fn len(&self) -> usize {
        match self {
            DenseCounts::Narrow(v) => v.len(),
            DenseCounts::Wide(v) => v.len(),
        }
    }

    /// Whether no minute is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The count of minute `i` of the run, if held.
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            DenseCounts::Narrow(v) => v.get(i).map(|&c| u32::from(c)),
            DenseCounts::Wide(v) => v.get(i).copied(),
        }
    }

    /// The counts in minute order.
    pub fn iter(&self) -> DenseIter<'_> {
        match self {
            DenseCounts::Narrow(v) => DenseIter::Narrow(v.iter()),
            DenseCounts::Wide(v) => DenseIter::Wide(v.iter()),
        }
    }

    /// Makes room for `additional` more counts ([`room`]).
    pub fn reserve(&mut self, additional: usize) {
        let additional = room(self.len(), additional);
        match self {
            DenseCounts::Narrow(v) => v.reserve_exact(additional),
            DenseCounts::Wide(v) => v.reserve_exact(additional),
        }
    }

    /// Appends `count` after `zeros` empty minutes, widening every count first when it does not
    /// fit in 16 bits (keeping the room made).
    pub fn push_after_zeros(&mut self, zeros: usize, count: u32) {
        if let (DenseCounts::Narrow(v), true) = (&*self, count > u32::from(u16::MAX)) {
            let mut wide = Vec::with_capacity(v.capacity());
            wide.extend(v.iter().map(|&c| u32::from(c)));
            *self = DenseCounts::Wide(wide);
        }
        match self {
            DenseCounts::Narrow(v) => {
                v.resize(v.len() + zeros, 0);
                v.push(count as u16);
            }
            DenseCounts::Wide(v) => {
                v.resize(v.len() + zeros, 0);
                v.push(count);
            }
        }
    }

    /// Releases the room appends left beyond the counts.
    pub fn shrink_to_fit(&mut self) {
        match self {
            DenseCounts::Narrow(v) => v.shrink_to_fit(),
            DenseCounts::Wide(v) => v.shrink_to_fit(),
        }
    }

    /// The counts' capacity and length, in counts.
    #[cfg(test)]
    pub(crate) fn capacity_and_len(&self) -> (usize, usize) {
        match self {
            DenseCounts::Narrow(v) => (v.capacity(), v.len()),
            DenseCounts::Wide(v) => (v.capacity(), v.len()),
        }
    }
}

/// The counts of a [`DenseCounts`] in minute order, as `u32`.
#[derive(Debug, Clone)]
pub enum DenseIter<'a> {
    /// Over 16-bit counts.
    Narrow(std::slice::Iter<'a, u16>),
    /// Over 32-bit counts.
    Wide(std::slice::Iter<'a, u32>),
}

impl Iterator for DenseIter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            DenseIter::Narrow(it) => it.next().map(|&c| u32::from(c)),
            DenseIter::Wide(it) => it.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            DenseIter::Narrow(it) => it.size_hint(),
            DenseIter::Wide(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for DenseIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// 16 bits a count while every count is at most 65,535; one more widens all of them, in
    /// place and when appended; equal counts compare equal whichever way they were built.
    #[test]
    fn counts_are_narrow_exactly_while_every_count_fits_in_16_bits() {
        let fits = DenseCounts::from(vec![0, 1, 65_535]);
        assert_eq!(fits, DenseCounts::Narrow(vec![0, 1, 65_535]));
        assert_eq!(DenseCounts::from(vec![0, 65_536]), DenseCounts::Wide(vec![0, 65_536]));
        assert_eq!(
            DenseCounts::from(&[7, u32::MAX][..]),
            DenseCounts::Wide(vec![7, u32::MAX])
        );

        let mut c = DenseCounts::default();
        c.push_after_zeros(0, 3);
        c.push_after_zeros(2, 65_535);
        assert_eq!(c, DenseCounts::Narrow(vec![3, 0, 0, 65_535]));
        c.push_after_zeros(1, 65_536);
        assert_eq!(c, DenseCounts::Wide(vec![3, 0, 0, 65_535, 0, 65_536]));
        c.push_after_zeros(0, 9);
        assert_eq!(c.iter().collect::<Vec<u32>>(), vec![3, 0, 0, 65_535, 0, 65_536, 9]);
        assert_eq!((c.len(), c.get(5), c.get(7)), (7, Some(65_536), None));
        assert_eq!(c.iter().len(), 7);
        assert_eq!(DenseCounts::from(vec![1, 2]).iter().len(), 2);
        // Serialized as the plain list of counts either way.
        assert_eq!(serde_json::to_string(&c).unwrap(), "[3,0,0,65535,0,65536,9]");
        assert_eq!(serde_json::to_string(&DenseCounts::from(vec![4, 5])).unwrap(), "[4,5]");
    }
}
