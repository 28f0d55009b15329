//! The busy minutes of a rarely invoked function, their indexes and counts side by side: 6
//! bytes a busy minute while every count fits in 16 bits ([`DenseCounts`]), against 8 for
//! `(minute, count)` pairs; most functions of an Azure-like trace are kept this way.

use super::dense_counts::{room, DenseCounts, DenseIter};
use serde::ser::{Serialize, SerializeSeq, Serializer};

/// Busy minutes in increasing order and their invocations (each above zero).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SparseCounts {
    minutes: Vec<u32>,
    counts: DenseCounts,
}

impl SparseCounts {
    /// Empty, with room for `busy` minutes.
    pub fn with_capacity(busy: usize) -> Self {
        SparseCounts {
            minutes: Vec::with_capacity(busy),
            counts: DenseCounts::Narrow(Vec::with_capacity(busy)),
        }
    }

    /// Busy minutes held.
    pub fn len(&self) -> usize {
        self.minutes.len()
    }

    /// Whether no minute is held.
    pub fn is_empty(&self) -> bool {
        self.minutes.is_empty()
    }

    /// The first and the last busy minute, if any.
    pub fn first_and_last(&self) -> Option<(u32, u32)> {
        Some((*self.minutes.first()?, *self.minutes.last()?))
    }

    /// `(minute index, invocations)` in minute order.
    pub fn iter(&self) -> SparseIter<'_> {
        self.minutes.iter().copied().zip(self.counts.iter())
    }

    /// Appends a busy minute after the last one held, widening every count first when `count`
    /// does not fit in 16 bits.
    pub fn push(&mut self, minute: u32, count: u32) {
        debug_assert!(self.minutes.last().is_none_or(|&m| m < minute) && count > 0);
        self.minutes.push(minute);
        self.counts.push_after_zeros(0, count);
    }

    /// Makes room for `additional` more busy minutes (the same room as
    /// [`DenseCounts::reserve`]).
    pub fn reserve(&mut self, additional: usize) {
        self.minutes.reserve_exact(room(self.len(), additional));
        self.counts.reserve(additional);
    }

    /// Releases the room appends left beyond the minutes held.
    pub fn shrink_to_fit(&mut self) {
        self.minutes.shrink_to_fit();
        self.counts.shrink_to_fit();
    }

    /// The minutes' and the counts' capacity and length, in values.
    #[cfg(test)]
    pub(crate) fn capacity_and_len(&self) -> (usize, usize) {
        let (capacity, len) = self.counts.capacity_and_len();
        (self.minutes.capacity() + capacity, self.minutes.len() + len)
    }
}

/// The `(minute, invocations)` of a [`SparseCounts`] in minute order.
pub type SparseIter<'a> = std::iter::Zip<std::iter::Copied<std::slice::Iter<'a, u32>>, DenseIter<'a>>;

impl FromIterator<(u32, u32)> for SparseCounts {
    /// From busy minutes in increasing order; the counts are kept in 16 bits when all fit.
    fn from_iter<I: IntoIterator<Item = (u32, u32)>>(entries: I) -> Self {
        let entries = entries.into_iter();
        let mut counts = SparseCounts::with_capacity(entries.size_hint().0);
        counts.extend(entries);
        counts
    }
}

impl Extend<(u32, u32)> for SparseCounts {
    fn extend<I: IntoIterator<Item = (u32, u32)>>(&mut self, entries: I) {
        for (minute, count) in entries {
            self.push(minute, count);
        }
    }
}

/// Serialized as the list of `[minute, invocations]` pairs.
impl Serialize for SparseCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for entry in self.iter() {
            seq.serialize_element(&entry)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minutes and 16-bit counts side by side while every count fits; a count past 16 bits
    /// widens the counts, whether collected or pushed; equal minutes and counts compare equal
    /// whichever way they were built; serialized as `[minute, count]` pairs.
    #[test]
    fn busy_minutes_are_kept_beside_counts_in_16_bits_while_they_fit() {
        let narrow: SparseCounts = [(3, 1), (90, 65_535)].into_iter().collect();
        assert_eq!(narrow.counts, DenseCounts::Narrow(vec![1, 65_535]));
        assert_eq!(narrow.capacity_and_len(), (4, 4));
        assert_eq!((narrow.len(), narrow.first_and_last()), (2, Some((3, 90))));

        let mut pushed = SparseCounts::default();
        assert_eq!((pushed.is_empty(), pushed.first_and_last()), (true, None));
        pushed.push(3, 1);
        pushed.extend([(90, 65_535)]);
        assert_eq!(pushed, narrow);
        pushed.push(4_000_000_000, 65_536);
        assert_eq!(pushed.counts, DenseCounts::Wide(vec![1, 65_535, 65_536]));
        let collected: SparseCounts = [(3, 1), (90, 65_535), (4_000_000_000, 65_536)].into_iter().collect();
        assert_eq!(collected, pushed);
        assert_eq!(
            pushed.iter().collect::<Vec<_>>(),
            vec![(3, 1), (90, 65_535), (4_000_000_000, 65_536)]
        );
        assert_eq!(pushed.iter().len(), 3);
        assert_eq!(
            serde_json::to_string(&pushed).unwrap(),
            "[[3,1],[90,65535],[4000000000,65536]]"
        );
    }
}
