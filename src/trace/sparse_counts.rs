//! The busy minutes of a rarely invoked function, their indexes and counts side by side: 3
//! bytes a busy minute while every count fits in 8 bits, 4 in 16 ([`DenseCounts`]) — each
//! minute's low 16 bits beside its count, the high bits once for every run of minutes that
//! shares them (a run is 65,536 minutes, 45.5 days) — against 8 for `(minute, count)` pairs;
//! most functions of an Azure-like trace are kept this way.

use super::dense_counts::{room, DenseCounts, DenseIter};
use serde::ser::{Serialize, SerializeSeq, Serializer};

/// Busy minutes in increasing order and their invocations (each above zero). One form for
/// each list of minutes and counts (the high bits of an empty list are zero), so derived
/// equality compares the minutes and the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SparseCounts {
    /// Each busy minute's low 16 bits.
    low: Vec<u16>,
    /// The high 16 bits of the first busy minutes (zero while none is held).
    high: u16,
    /// Where the high bits change: the index of the first busy minute with new high bits, and
    /// those bits, in increasing order (empty for a trace shorter than 45.5 days that starts at
    /// minute 0).
    changes: Vec<(u32, u16)>,
    counts: DenseCounts,
}

/// `minute`'s high and low 16 bits.
fn split(minute: u32) -> (u16, u16) {
    ((minute >> 16) as u16, minute as u16)
}

/// The minute of high and low 16 bits.
fn joined(high: u16, low: u16) -> u32 {
    u32::from(high) << 16 | u32::from(low)
}

impl SparseCounts {
    /// Empty, with room for `busy` minutes.
    pub fn with_capacity(busy: usize) -> Self {
        SparseCounts {
            low: Vec::with_capacity(busy),
            counts: DenseCounts::Byte(Vec::with_capacity(busy)),
            ..SparseCounts::default()
        }
    }

    /// Busy minutes held.
    pub fn len(&self) -> usize {
        self.low.len()
    }

    /// Whether no minute is held.
    pub fn is_empty(&self) -> bool {
        self.low.is_empty()
    }

    /// The bytes each count takes: 1, 2 or 4 ([`DenseCounts::width_bytes`]).
    pub fn width_bytes(&self) -> usize {
        self.counts.width_bytes()
    }

    /// The sum of the counts.
    pub fn total(&self) -> u64 {
        self.counts.total()
    }

    /// The high bits of the last busy minute.
    fn last_high(&self) -> u16 {
        self.changes.last().map_or(self.high, |&(_, high)| high)
    }

    /// The first and the last busy minute, if any.
    pub fn first_and_last(&self) -> Option<(u32, u32)> {
        let (first, last) = (*self.low.first()?, *self.low.last()?);
        Some((joined(self.high, first), joined(self.last_high(), last)))
    }

    /// `(minute index, invocations)` in minute order.
    pub fn iter(&self) -> SparseIter<'_> {
        SparseIter {
            low: self.low.iter().enumerate(),
            high: self.high,
            changes: &self.changes,
            counts: self.counts.iter(),
        }
    }

    /// Appends a busy minute after the last one held, widening every count first when `count`
    /// does not fit in their width.
    pub fn push(&mut self, minute: u32, count: u32) {
        debug_assert!(self.first_and_last().is_none_or(|(_, last)| last < minute) && count > 0);
        let (high, low) = split(minute);
        if self.low.is_empty() {
            self.high = high;
        } else if high != self.last_high() {
            // Below 2^32: every minute held is a smaller `u32` than this one.
            let at = u32::try_from(self.low.len()).expect("fewer busy minutes than u32 values");
            self.changes.push((at, high));
        }
        self.low.push(low);
        self.counts.push_after_zeros(0, count);
    }

    /// Makes room for `additional` more busy minutes (the same room as
    /// [`DenseCounts::reserve`]).
    pub fn reserve(&mut self, additional: usize) {
        self.low.reserve_exact(room(self.len(), additional));
        self.counts.reserve(additional);
    }

    /// Releases the room appends left beyond the minutes held.
    pub fn shrink_to_fit(&mut self) {
        self.low.shrink_to_fit();
        self.changes.shrink_to_fit();
        self.counts.shrink_to_fit();
    }

    /// The minutes' low bits' and the counts' capacity and length, in values.
    #[cfg(test)]
    pub(crate) fn capacity_and_len(&self) -> (usize, usize) {
        let (capacity, len) = self.counts.capacity_and_len();
        (self.low.capacity() + capacity, self.low.len() + len)
    }
}

/// The `(minute, invocations)` of a [`SparseCounts`] in minute order.
#[derive(Debug, Clone)]
pub struct SparseIter<'a> {
    low: std::iter::Enumerate<std::slice::Iter<'a, u16>>,
    /// The high bits of the next minute, unless it starts the next change.
    high: u16,
    /// The changes of the high bits not reached yet.
    changes: &'a [(u32, u16)],
    counts: DenseIter<'a>,
}

impl Iterator for SparseIter<'_> {
    type Item = (u32, u32);

    fn next(&mut self) -> Option<(u32, u32)> {
        let (i, &low) = self.low.next()?;
        if let Some((&(at, high), rest)) = self.changes.split_first() {
            if at as usize == i {
                self.high = high;
                self.changes = rest;
            }
        }
        let count = self.counts.next().expect("a count for every busy minute");
        Some((joined(self.high, low), count))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.low.size_hint()
    }
}

impl ExactSizeIterator for SparseIter<'_> {}

impl FromIterator<(u32, u32)> for SparseCounts {
    /// From busy minutes in increasing order; the counts are kept in the narrowest width all fit.
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

    /// Minutes and counts side by side, the counts in 8 bits while every count fits, then 16;
    /// a count past the width widens the counts, whether collected or pushed; equal minutes and
    /// counts compare equal whichever way they were built; serialized as `[minute, count]`
    /// pairs.
    #[test]
    fn busy_minutes_are_kept_beside_counts_in_the_narrowest_width_they_fit() {
        let byte: SparseCounts = [(3, 1), (90, 255)].into_iter().collect();
        assert_eq!(
            (byte.counts.clone(), byte.width_bytes()),
            (DenseCounts::Byte(vec![1, 255]), 1)
        );
        let narrow: SparseCounts = [(3, 1), (90, 65_535)].into_iter().collect();
        assert_eq!(narrow.counts, DenseCounts::Narrow(vec![1, 65_535]));
        assert_eq!(narrow.capacity_and_len(), (4, 4));
        assert_eq!((narrow.len(), narrow.first_and_last()), (2, Some((3, 90))));

        let mut pushed = SparseCounts::default();
        assert_eq!((pushed.is_empty(), pushed.first_and_last()), (true, None));
        pushed.push(3, 1);
        assert_eq!(pushed.counts, DenseCounts::Byte(vec![1]));
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

    /// A minute is its low 16 bits beside the high bits of its run: minutes in one run of
    /// 65,536 keep no change, minutes across runs (from minute 0, from far past it, skipping
    /// runs) read back exactly, and lists built by pushes, by collecting and from another
    /// start compare by their minutes and counts.
    #[test]
    fn minutes_are_kept_as_low_bits_beside_the_high_bits_of_their_run() {
        let day: SparseCounts = [(0, 1), (1_439, 2), (65_535, 3)].into_iter().collect();
        assert_eq!((day.high, day.changes.as_slice()), (0, &[][..]));
        assert_eq!(day.low, vec![0, 1_439, 65_535]);

        let lists: [&[(u32, u32)]; 4] = [
            &[(65_535, 1), (65_536, 2), (65_537, 3), (131_072, 4), (u32::MAX, 5)],
            // Starting past minute 0 (a trace indexed from 1970) and skipping runs.
            &[(29_000_000, 7), (29_000_001, 8), (29_500_000, 9), (40_000_000, 10)],
            &[(4_000_000_000, 65_536)],
            &[],
        ];
        for entries in lists {
            let collected: SparseCounts = entries.iter().copied().collect();
            assert_eq!(collected.iter().collect::<Vec<_>>(), entries, "{entries:?}");
            assert_eq!(collected.iter().len(), entries.len());
            let ends = entries.first().zip(entries.last()).map(|(f, l)| (f.0, l.0));
            assert_eq!(collected.first_and_last(), ends);
            let mut pushed = SparseCounts::with_capacity(1);
            for &(m, c) in entries {
                pushed.push(m, c);
            }
            pushed.shrink_to_fit();
            assert_eq!(pushed, collected);
        }
        let across: SparseCounts = lists[0].iter().copied().collect();
        assert_eq!(across.high, 0);
        assert_eq!(across.changes, vec![(1, 1), (3, 2), (4, u16::MAX)]);
        assert_eq!(across.low, vec![65_535, 0, 1, 0, 65_535]);
        // The same low bits in another run are other minutes.
        let other: SparseCounts = [(1, 1), (65_537, 1)].into_iter().collect();
        assert_ne!(other, [(1, 1), (131_073, 1)].into_iter().collect());
        assert_eq!(SparseCounts::with_capacity(3), SparseCounts::default());
    }
}
