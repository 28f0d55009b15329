//! Partitioned simulation (`simulate --partition K/N`, `merge`): which units a partition
//! replays, and the partial result it writes — every replayed unit's own result plus the
//! partition's requests-in-flight changes, netted per millisecond — so the merge of all N
//! partials gives exactly the single run's output.
//!
//! Units (a function, or an Azure app) are dealt to partitions by invocations, busiest first,
//! each to the partition with the fewest so far (ties to the lower index; units with equal
//! counts in key order), so partitions carry similar work whatever the trace's order. Every
//! partition reads the whole trace, so the period start and the plan are the single run's.
//!
//! Exactness: units are independent unless the account concurrency limit binds; a partition
//! refuses when its own load exceeds the limit, and the merge refuses when the merged load
//! does (both say to run without `--partition`). The concurrency sweep only sees the level
//! after each millisecond's changes (completions before arrivals), so one net change per
//! millisecond per partition, summed across partitions, sweeps exactly as the single run's
//! individual changes do.
//!
//! File layout: the 8-byte magic `FCPART1\n`, the change stream (per record: the time since the
//! previous record as a LEB128 varint, the net change as a zigzag varint), the JSON header,
//! then the header's length as 8 little-endian bytes. The stream is written as the replay
//! runs and read back one record at a time, so neither side holds it in memory.

use serde::{Deserialize, Serialize};
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::serverless::UnitResult;
use super::stats::ProfileSweep;

/// First bytes of a partial file.
const MAGIC: &[u8; 8] = b"FCPART1\n";
/// Version of the JSON header (2: unit results hold their peak in flight and the provisioned
/// instances' busy periods; 3: the units' own concurrency sweeps, for their runs alone).
pub const PARTIAL_SCHEMA_VERSION: u32 = 3;
/// Most partitions a run may be cut into.
pub const MAX_PARTITIONS: u32 = 65_536;
/// Largest header accepted when reading (a header holds every unit's histograms).
const MAX_HEADER_BYTES: u64 = 4 << 30;

/// `K/N`: this run replays partition K (1-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionSpec {
    /// 1-based index.
    pub index: u32,
    /// Number of partitions.
    pub count: u32,
}

impl std::str::FromStr for PartitionSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("'{s}': expected K/N with 1 ≤ K ≤ N ≤ {MAX_PARTITIONS} (e.g. 2/4: the second of four partitions)")
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if k == 0 || k > n || n > MAX_PARTITIONS {
            return Err(bad());
        }
        Ok(PartitionSpec { index: k, count: n })
    }
}

impl std::fmt::Display for PartitionSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The 1-based partition of each unit, given each unit's `(key, invocations)` in plan order:
/// busiest first to the partition with the fewest invocations so far.
pub fn assign(units: &[(&str, u64)], count: u32) -> Vec<u32> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| units[b].1.cmp(&units[a].1).then_with(|| units[a].0.cmp(units[b].0)));
    // (load, index) of each partition, smallest first.
    let mut heap: BinaryHeap<std::cmp::Reverse<(u128, u32)>> = (1..=count).map(|k| std::cmp::Reverse((0, k))).collect();
    let mut out = vec![0; units.len()];
    for i in order {
        let std::cmp::Reverse((load, k)) = heap.pop().expect("at least one partition");
        out[i] = k;
        heap.push(std::cmp::Reverse((load + u128::from(units[i].1), k)));
    }
    out
}

/// What a partition replayed, besides its change stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartialHeader {
    /// [`PARTIAL_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The partition, `K/N`.
    pub partition: u32,
    /// `N`.
    pub partitions: u32,
    /// The period start of the whole run (every partition plans the whole workload).
    pub start_ms: u64,
    /// Keys of the units this partition replayed, in plan order.
    pub unit_keys: Vec<String>,
    /// Each replayed unit's own result (engine and fluid path), sorted by key.
    pub results: Vec<UnitResult>,
    /// The fluid-path units' load per minute `(minute from the start, in-flight × ms, max)`.
    pub fluid_load: Vec<(u64, u64, u32)>,
    /// Each unit's own concurrency sweep (totals only) by unit key, where the partition was
    /// replayed for the runs alone too and the unit's run alone is held (`sim::AloneRuns`).
    pub own_sweeps: Vec<(String, ProfileSweep)>,
    /// Records in the change stream.
    pub change_records: u64,
    /// What the caller needs to redo the plan at the merge (the command line), opaque here.
    pub context: serde_json::Value,
}

/// Writes a partial file: the change stream as the replay produces it, then the header.
/// Written to a temporary file beside the target and renamed into place at the end.
pub struct PartialWriter {
    path: PathBuf,
    out: BufWriter<tempfile::NamedTempFile>,
    pending: Option<(u64, i64)>,
    last_ms: u64,
    records: u64,
    error: Option<std::io::Error>,
}

impl PartialWriter {
    /// Starts a partial file at `path` (nothing appears there until [`finish`](Self::finish)).
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let mut out = BufWriter::new(crate::atomic::temporary_beside(path)?);
        out.write_all(MAGIC)?;
        Ok(PartialWriter {
            path: path.to_path_buf(),
            out,
            pending: None,
            last_ms: 0,
            records: 0,
            error: None,
        })
    }

    /// One change of the requests in flight; times must not decrease.
    pub fn add(&mut self, time_ms: u64, delta: i32) {
        match &mut self.pending {
            Some((t, net)) if *t == time_ms => *net += i64::from(delta),
            _ => {
                self.flush_pending();
                self.pending = Some((time_ms, i64::from(delta)));
            }
        }
    }

    fn flush_pending(&mut self) {
        let Some((t, net)) = self.pending.take() else { return };
        if net == 0 || self.error.is_some() {
            return;
        }
        let mut buf = [0u8; 20];
        let mut n = put_varint(&mut buf, t - self.last_ms);
        n += put_varint(&mut buf[n..], zigzag(net));
        if let Err(e) = self.out.write_all(&buf[..n]) {
            self.error = Some(e);
        }
        self.last_ms = t;
        self.records += 1;
    }

    /// Flushes the last millisecond, appends the header (with the record count) and its length,
    /// and renames the file into place.
    pub fn finish(mut self, mut header: PartialHeader) -> std::io::Result<()> {
        self.flush_pending();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        header.change_records = self.records;
        let json = serde_json::to_vec(&header).map_err(std::io::Error::other)?;
        self.out.write_all(&json)?;
        self.out.write_all(&(json.len() as u64).to_le_bytes())?;
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.as_file().sync_all()?;
        file.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// A partial file opened for the merge: its header, and its change stream read on demand.
pub struct PartialReader {
    path: PathBuf,
    /// The header.
    pub header: PartialHeader,
    stream: std::io::Take<File>,
    /// Bytes read from the stream and not yet decoded, from `pos` on.
    buf: Vec<u8>,
    pos: usize,
    /// The file offset of `buf[0]`.
    offset: u64,
    /// Whether the stream is read to its end.
    at_end: bool,
    last_ms: u64,
    left: u64,
}

/// Bytes of the change stream read at a time.
const READ_CHUNK: usize = 64 << 10;

impl PartialReader {
    /// Opens and checks a partial file; errors name the file and what is wrong.
    pub fn open(path: &Path) -> Result<Self, String> {
        let fail = |what: String| format!("{}: {what}", path.display());
        let not_partial = || {
            fail(
                "not a partial result of `faascost simulate --partition` (wrong magic bytes); give the files that \
                  --partial-out wrote"
                    .into(),
            )
        };
        let mut file = File::open(path).map_err(|e| fail(e.to_string()))?;
        let len = file.metadata().map_err(|e| fail(e.to_string()))?.len();
        let mut magic = [0u8; 8];
        if len < 16 || file.read_exact(&mut magic).is_err() || &magic != MAGIC {
            return Err(not_partial());
        }
        let mut tail = [0u8; 8];
        file.seek(SeekFrom::End(-8))
            .and_then(|_| file.read_exact(&mut tail))
            .map_err(|e| fail(e.to_string()))?;
        let header_len = u64::from_le_bytes(tail);
        if header_len > MAX_HEADER_BYTES || header_len > len - 16 {
            return Err(fail(format!(
                "the header length ({header_len} bytes) does not fit the file ({len} bytes): the file is truncated or \
                 damaged; write it again"
            )));
        }
        let stream_len = len - 16 - header_len;
        let mut json = vec![0u8; header_len as usize];
        file.seek(SeekFrom::Start(8 + stream_len))
            .and_then(|_| file.read_exact(&mut json))
            .map_err(|e| fail(e.to_string()))?;
        // The schema first: an older header may lack fields this one needs.
        #[derive(serde::Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let version: Version = serde_json::from_slice(&json)
            .map_err(|e| fail(format!("the header is not valid ({e}); write the partial again")))?;
        if version.schema_version != PARTIAL_SCHEMA_VERSION {
            return Err(fail(format!(
                "partial schema {} where this faascost reads {PARTIAL_SCHEMA_VERSION}; write the partials with the same \
                 faascost version as the merge",
                version.schema_version
            )));
        }
        let header: PartialHeader = serde_json::from_slice(&json)
            .map_err(|e| fail(format!("the header is not valid ({e}); write the partial again")))?;
        file.seek(SeekFrom::Start(8)).map_err(|e| fail(e.to_string()))?;
        Ok(PartialReader {
            path: path.to_path_buf(),
            left: header.change_records,
            header,
            stream: file.take(stream_len),
            buf: Vec::new(),
            pos: 0,
            offset: 8,
            at_end: false,
            last_ms: 0,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next `(time_ms, net change)`, `None` after the last record.
    fn next_change(&mut self) -> Result<Option<(u64, i64)>, String> {
        if self.left == 0 {
            self.fill()?;
            return if self.pos == self.buf.len() {
                Ok(None)
            } else {
                Err(self.damaged("bytes after the last change record"))
            };
        }
        let dt = self.varint()?;
        let net = unzigzag(self.varint()?);
        let t = self
            .last_ms
            .checked_add(dt)
            .ok_or_else(|| self.damaged("a change time beyond 2^64 ms"))?;
        if (self.left < self.header.change_records && dt == 0) || net == 0 {
            return Err(self.damaged("two records for one millisecond, or a zero change"));
        }
        self.last_ms = t;
        self.left -= 1;
        Ok(Some((t, net)))
    }

    /// Reads on until at least a longest varint (10 bytes) is buffered or the stream ends.
    fn fill(&mut self) -> Result<(), String> {
        while self.buf.len() - self.pos < 10 && !self.at_end {
            self.buf.drain(..self.pos);
            self.offset += self.pos as u64;
            self.pos = 0;
            let kept = self.buf.len();
            self.buf.resize(kept + READ_CHUNK, 0);
            let read = self.stream.read(&mut self.buf[kept..]);
            let n = read.as_ref().map_or(0, |&n| n);
            self.buf.truncate(kept + n);
            match read {
                Ok(0) => self.at_end = true,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.damaged(&format!("reading the change stream: {e}"))),
            }
        }
        Ok(())
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, String> {
        if self.buf.len() - self.pos < 10 {
            self.fill()?;
        }
        match decode_varint(&self.buf[self.pos..]) {
            Some((value, n)) => {
                self.pos += n;
                Ok(value)
            }
            None if self.buf.len() - self.pos < 10 => Err(self.damaged("the change stream ends early")),
            None => Err(self.damaged("a varint beyond 64 bits")),
        }
    }

    fn damaged(&self, what: &str) -> String {
        format!(
            "{}: byte {}: {what}; the partial is damaged, write it again",
            self.path.display(),
            self.offset + self.pos as u64
        )
    }
}

/// Feeds the partials' change streams, merged by time and summed per millisecond, to `sink`
/// (`(time_ms, net change)`, increasing time, never a zero change).
pub fn merge_changes(
    readers: &mut [PartialReader],
    sink: &mut impl FnMut(u64, i64) -> Result<(), String>,
) -> Result<(), String> {
    let mut heap: BinaryHeap<std::cmp::Reverse<(u64, usize, i64)>> = BinaryHeap::new();
    for (i, r) in readers.iter_mut().enumerate() {
        if let Some((t, net)) = r.next_change()? {
            heap.push(std::cmp::Reverse((t, i, net)));
        }
    }
    let mut current: Option<(u64, i64)> = None;
    while let Some(mut top) = heap.peek_mut() {
        let std::cmp::Reverse((t, i, net)) = *top;
        // The reader's next change takes its place at the top (one sift down), or it leaves.
        match readers[i].next_change()? {
            Some(next) => *top = std::cmp::Reverse((next.0, i, next.1)),
            None => drop(std::collections::binary_heap::PeekMut::pop(top)),
        }
        current = match current {
            Some((ct, cnet)) if ct == t => Some((t, cnet + net)),
            Some((ct, cnet)) => {
                if cnet != 0 {
                    sink(ct, cnet)?;
                }
                Some((t, net))
            }
            None => Some((t, net)),
        };
    }
    if let Some((t, net)) = current.filter(|c| c.1 != 0) {
        sink(t, net)?;
    }
    Ok(())
}

/// The varint at the start of `buf` and its length, when `buf` holds it whole and it fits 64
/// bits.
#[inline]
fn decode_varint(buf: &[u8]) -> Option<(u64, usize)> {
    // One byte: most gaps between changes, most net changes.
    if let Some(&b) = buf.first().filter(|&&b| b < 0x80) {
        return Some((u64::from(b), 1));
    }
    let mut value = 0u64;
    for (i, &b) in buf.iter().take(10).enumerate() {
        let (part, shift) = (u64::from(b & 0x7f), 7 * i as u32);
        if (part << shift) >> shift != part {
            return None;
        }
        value |= part << shift;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_varint(buf: &mut [u8], mut v: u64) -> usize {
    let mut n = 0;
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            buf[n] = b;
            return n + 1;
        }
        buf[n] = b | 0x80;
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_specs_parse_strictly() {
        assert_eq!("2/4".parse(), Ok(PartitionSpec { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "4", "a/b", "1/65537", "-1/2"] {
            assert!(bad.parse::<PartitionSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn busiest_units_go_to_the_emptiest_partition() {
        // 100, 60, 50, 40, 10 into 2: 100 → 1; 60 → 2; 50 → 2 (110); 40 → 1 (140); 10 → 2 (120).
        let units = [("a", 10), ("b", 100), ("c", 50), ("d", 60), ("e", 40)];
        assert_eq!(assign(&units, 2), vec![2, 1, 2, 2, 1]);
        // Equal counts: key order, round the partitions.
        assert_eq!(assign(&[("x", 5), ("y", 5), ("z", 5)], 3), vec![1, 2, 3]);
        assert_eq!(assign(&[("x", 5)], 1), vec![1]);
    }

    #[test]
    fn varints_and_zigzag_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u64::MAX] {
            let mut buf = [0u8; 10];
            let n = put_varint(&mut buf, v);
            let mut r = 0u64;
            for (i, b) in buf[..n].iter().enumerate() {
                r |= u64::from(b & 0x7f) << (7 * i);
            }
            assert_eq!(r, v);
            assert_eq!(decode_varint(&buf[..n]), Some((v, n)));
            assert_eq!(decode_varint(&buf[..n - 1]), None, "cut short");
        }
        // Ten bytes whose last carries more than the 64th bit: refused.
        let mut beyond = [0xffu8; 10];
        beyond[9] = 0x02;
        assert_eq!(decode_varint(&beyond), None);
        for v in [0i64, 1, -1, 2, -2, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
    }

    #[test]
    fn a_long_stream_reads_back_across_the_read_chunks_ends() {
        // 300,000 records of 2 to 10 bytes each (gaps up to 2^40 ms, changes up to ±2^20): about
        // 2 MB, so varints straddle the ends of the reader's 64 KB chunks many times.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.part");
        let mut w = PartialWriter::create(&path).unwrap();
        let mut expected = Vec::new();
        let (mut t, mut x) = (0u64, 12345u64);
        for _ in 0..300_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            t += 1 + (x >> 24) % (1 << ((x >> 60) * 3 % 41));
            let d = ((x >> 8) % (1 << 21)) as i32 - (1 << 20);
            let d = if d == 0 { 1 } else { d };
            w.add(t, d);
            expected.push((t, i64::from(d)));
        }
        w.finish(header(1)).unwrap();
        let mut readers = vec![PartialReader::open(&path).unwrap()];
        let mut got = Vec::new();
        merge_changes(&mut readers, &mut |t, n| {
            got.push((t, n));
            Ok(())
        })
        .unwrap();
        assert_eq!(got, expected);
    }

    fn header(k: u32) -> PartialHeader {
        PartialHeader {
            schema_version: PARTIAL_SCHEMA_VERSION,
            partition: k,
            partitions: 2,
            start_ms: 0,
            unit_keys: Vec::new(),
            results: Vec::new(),
            fluid_load: Vec::new(),
            own_sweeps: Vec::new(),
            change_records: 0,
            context: serde_json::Value::Null,
        }
    }

    #[test]
    fn streams_net_per_millisecond_and_merge_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.part"), dir.path().join("b.part"));
        let mut w = PartialWriter::create(&a).unwrap();
        // At 5 ms one completion and one arrival cancel out: no record.
        for (t, d) in [(1, 1), (5, -1), (5, 1), (7, 1), (7, 1), (300, -1), (300, -1), (300, -1)] {
            w.add(t, d);
        }
        // A unit's own sweep whose in-flight × ms is beyond 64 bits (2^31 − 1 for 2^40 ms) reads
        // back the same.
        let mut own = ProfileSweep::totals_only(0);
        own.add(0, i32::MAX);
        own.add(1 << 40, -i32::MAX);
        let own_sweeps = vec![("u".to_string(), own.clone())];
        w.finish(PartialHeader {
            own_sweeps,
            ..header(1)
        })
        .unwrap();
        let mut w = PartialWriter::create(&b).unwrap();
        for (t, d) in [(1, 1), (7, -1), (1 << 40, 1)] {
            w.add(t, d);
        }
        w.finish(header(2)).unwrap();
        let mut readers = vec![PartialReader::open(&a).unwrap(), PartialReader::open(&b).unwrap()];
        assert_eq!(readers[0].header.change_records, 3);
        let (key, back) = readers[0].header.own_sweeps[0].clone();
        assert_eq!(key, "u");
        let area = back.clone().finish(1 << 40, false).mean * (1u64 << 40) as f64;
        assert!(area > u64::MAX as f64, "{area}");
        assert_eq!(back.finish(1 << 40, false), own.finish(1 << 40, false));
        let mut got = Vec::new();
        merge_changes(&mut readers, &mut |t, n| {
            got.push((t, n));
            Ok(())
        })
        .unwrap();
        // 7 ms: +2 and −1 net +1.
        assert_eq!(got, vec![(1, 2), (7, 1), (300, -3), (1 << 40, 1)]);
    }

    #[test]
    fn merging_equals_a_sum_per_millisecond_dense_or_sparse() {
        // Three partials of 20,000 changes each: gaps of 0–3 ms (dense windows, many shared
        // milliseconds, some summing to zero) or up to 2^20 ms (sparse windows), ±1–3 each;
        // the merge equals a sum per millisecond kept in an ordered map, zeros left out.
        let dir = tempfile::tempdir().unwrap();
        let mut expected = std::collections::BTreeMap::<u64, i64>::new();
        let mut x = 99u64;
        let mut readers = Vec::new();
        for k in 1..=3u32 {
            let path = dir.path().join(format!("{k}.part"));
            let mut w = PartialWriter::create(&path).unwrap();
            let mut t = 0u64;
            for i in 0..20_000u64 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let sparse = (i / 2_000) % 2 == 1;
                t += if sparse {
                    1 + (x >> 40) % (1 << 20)
                } else {
                    1 + (x >> 40) % 3
                };
                let d = 1 + (x >> 20) as i32 % 3;
                let d = if x >> 63 == 1 { -d } else { d };
                w.add(t, d);
                *expected.entry(t).or_default() += i64::from(d);
            }
            w.finish(header(k)).unwrap();
            readers.push(PartialReader::open(&path).unwrap());
        }
        let mut got = Vec::new();
        merge_changes(&mut readers, &mut |t, n| {
            got.push((t, n));
            Ok(())
        })
        .unwrap();
        let expected: Vec<(u64, i64)> = expected.into_iter().filter(|&(_, n)| n != 0).collect();
        assert!(expected.len() > 40_000, "{}", expected.len());
        assert_eq!(got, expected);
    }

    #[test]
    fn damaged_files_are_refused_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.part");
        std::fs::write(&p, b"not a partial at all").unwrap();
        let e = PartialReader::open(&p).err().unwrap();
        assert!(e.contains("x.part") && e.contains("magic"), "{e}");
        let mut w = PartialWriter::create(&p).unwrap();
        w.add(3, 1);
        w.add(9, -1);
        w.finish(header(1)).unwrap();
        let good = std::fs::read(&p).unwrap();
        // Truncated: the header length no longer fits.
        std::fs::write(&p, &good[..good.len() - 3]).unwrap();
        assert!(PartialReader::open(&p).err().unwrap().contains("does not fit"));
        // A stream byte cut out: the records end early.
        let mut cut = good.clone();
        cut.remove(9);
        std::fs::write(&p, &cut).unwrap();
        let mut r = vec![PartialReader::open(&p).unwrap()];
        let e = merge_changes(&mut r, &mut |_, _| Ok(())).err().unwrap();
        assert!(e.contains("x.part") && e.contains("damaged"), "{e}");
    }
}
