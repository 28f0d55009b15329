//! Reader for the Azure Functions 2019 dataset (Shahrad et al., "Serverless in the Wild",
//! USENIX ATC 2020; format: AzurePublicDataset `AzureFunctionsDataset2019.md`).
//!
//! Three file kinds per day, told apart by their headers and joined on
//! (HashOwner, HashApp, HashFunction): invocations per minute (`HashOwner, HashApp,
//! HashFunction, Trigger, 1..1440`), duration percentiles (`Average, Count, Minimum,
//! Maximum, percentile_Average_0/1/25/50/75/99/100`, ms, excluding cold starts) and app
//! memory percentiles (`SampleCount, AverageAllocatedMb, AverageAllocatedMb_pct1..pct100`;
//! a per-function variant with a `HashFunction` column holds each function's share).
//! Minute numbers come from the header (samples such as In-Vitro's start at `480`), and the
//! day from `dNN` in the file name (day 1 when absent), so day d's minute m is minute
//! (d−1)·1440 + m − 1 of the workload. Counts are streamed into compact per-function
//! vectors (`MinuteCounts`). A function missing from one file kind is reported, never guessed.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

use super::dense_counts::bytes_for_all;
use super::generic::{
    csv_error, csv_headers, csv_reader, delimiter_note, for_each_row, refuse_empty_or_binary, shorten,
};
use super::{
    AllocatedMemory, Arrivals, DurationInfo, DurationPercentiles, FunctionId, FunctionTrace, IdHash, Input, MemoryInfo,
    MemoryScope, MinuteCounts, Parsed, RowErrors, SourceFile, TraceError, Trigger, HEAD_BYTES,
};
use crate::units::{MINUTES_PER_DAY, MS_PER_MINUTE};

const HINT: &str = "an Azure 2019 day is three CSV files (invocations_per_function, function_durations_percentiles, \
     app_memory_percentiles); force another format with --trace-format";

/// The kind of an Azure 2019 file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Invocations,
    Durations,
    Memory,
}

/// Reads a set of Azure 2019 files (any days, any kinds) into functions.
pub(super) fn read(inputs: &mut [Input], skip_bad_rows: bool) -> Result<Parsed, TraceError> {
    // day → kind → positions in `inputs`
    let mut days: BTreeMap<u32, BTreeMap<u8, Vec<usize>>> = BTreeMap::new();
    for (i, input) in inputs.iter().enumerate() {
        let kind = kind_of(input)?;
        let day = day_of(input.path()).unwrap_or(1);
        days.entry(day).or_default().entry(kind as u8).or_default().push(i);
    }
    let first_path = inputs.first().map(|i| i.path().to_path_buf()).unwrap_or_default();
    // Each day is merged on a thread of its own while the next day is read (the merge is
    // serial; the read keeps both cores busy only while it parses). A day's merge finishes
    // before the next day's read result is looked at, so errors come in the order of a
    // serial read: a day's merge error before anything of a later day.
    let mut merged = Days::default();
    std::thread::scope(|s| {
        let mut merging: Option<std::thread::ScopedJoinHandle<'_, Result<Days, TraceError>>> = None;
        let joined =
            |h: std::thread::ScopedJoinHandle<'_, _>| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        for (day, kinds) in &days {
            let read = read_day(inputs, *day, kinds, skip_bad_rows);
            if let Some(h) = merging.take() {
                merged = joined(h)?;
            }
            let read = read?;
            let mut days = std::mem::take(&mut merged);
            let day = *day;
            merging = Some(s.spawn(move || days.merge(day, read).map(|()| days)));
        }
        if let Some(h) = merging {
            merged = joined(h)?;
        }
        Ok::<(), TraceError>(())
    })?;
    let Days {
        mut parsed,
        index,
        traces,
        window,
    } = merged;
    if window.is_none() {
        return Err(TraceError::file(
            &first_path,
            "no Azure 2019 invocations file was given, only durations or memory files",
            "add the invocations_per_function file of the same day",
        ));
    }
    // In id order, each trace taking its id back from the index.
    let mut functions: Vec<FunctionTrace> = traces.into_iter().map(|(f, _)| f).collect();
    for (id, i) in index {
        functions[i].id = id;
    }
    functions.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    parsed.functions = functions;
    parsed.window_ms = window;
    Ok(parsed)
}

/// A day's durations or memory file read: the map, the file, its warnings.
type SideFile<M> = (M, SourceFile, Vec<String>);

impl Parsed {
    /// The map of a day's durations or memory file (empty without one), its file and warnings
    /// recorded.
    fn take_side<M: Default>(&mut self, side: Option<SideFile<M>>) -> M {
        let Some((map, source, warnings)) = side else {
            return M::default();
        };
        self.sources.push(source);
        self.warnings.extend(warnings);
        map
    }
}

/// One day's files, read and not yet merged.
enum DayRead {
    /// Durations or memory files without the day's invocations (checked, not used).
    NoInvocations(Vec<String>),
    Full(Box<DayFiles>),
}

/// A day's invocations with its durations and memory files, if given.
struct DayFiles {
    inv: Invocations,
    inv_path: std::path::PathBuf,
    durations: Option<SideFile<DurationMap>>,
    memory: Option<SideFile<MemoryMap>>,
}

/// Reads day `day`'s files (`kinds`: kind → positions in `inputs`): the durations and memory
/// files on a second thread while the invocations stream; errors are reported in the order
/// the files are read alone: durations, memory, invocations.
fn read_day(
    inputs: &mut [Input],
    day: u32,
    kinds: &BTreeMap<u8, Vec<usize>>,
    skip_bad_rows: bool,
) -> Result<DayRead, TraceError> {
    let files = |k: Kind| kinds.get(&(k as u8)).cloned().unwrap_or_default();
    for k in [Kind::Invocations, Kind::Durations, Kind::Memory] {
        if files(k).len() > 1 {
            return Err(TraceError::file(
                inputs[files(k)[1]].path(),
                format!("a second {k:?} file for day {day}"),
                "name each day's files with its day (…d01.csv, …d02.csv) so they are not joined together",
            ));
        }
    }
    let Some(inv_i) = files(Kind::Invocations).into_iter().next() else {
        // Still check the files, so a broken one is reported rather than ignored.
        if let Some(&i) = files(Kind::Durations).first() {
            read_durations(&mut inputs[i], skip_bad_rows)?;
        }
        if let Some(&i) = files(Kind::Memory).first() {
            read_memory(&mut inputs[i], skip_bad_rows)?;
        }
        let warnings = files(Kind::Durations)
            .iter()
            .chain(files(Kind::Memory).iter())
            .map(|&i| {
                format!(
                    "{}: no invocations file for day {day}, so this file was not used; add the day's \
                     invocations_per_function file",
                    inputs[i].path().display()
                )
            })
            .collect();
        return Ok(DayRead::NoInvocations(warnings));
    };
    let inv_path = inputs[inv_i].path().to_path_buf();
    let day_offset = (day - 1) * MINUTES_PER_DAY;
    let (side, inv) = {
        let (before, from_inv) = inputs.split_at_mut(inv_i);
        let (inv_input, after) = from_inv.split_at_mut(1);
        let inv_input = &mut inv_input[0];
        // The other inputs by position, the invocations file's slot empty.
        let mut slots: Vec<Option<&mut Input>> = before
            .iter_mut()
            .map(Some)
            .chain(std::iter::once(None))
            .chain(after.iter_mut().map(Some))
            .collect();
        let mut take = |i: Option<&usize>| i.and_then(|&i| slots[i].take());
        let dur_input = take(files(Kind::Durations).first());
        let mem_input = take(files(Kind::Memory).first());
        std::thread::scope(|s| {
            let side = s.spawn(move || {
                let d = dur_input.map(|i| read_durations(i, skip_bad_rows)).transpose()?;
                let m = mem_input.map(|i| read_memory(i, skip_bad_rows)).transpose()?;
                Ok::<_, TraceError>((d, m))
            });
            let inv = read_invocations(inv_input, day_offset, skip_bad_rows);
            (side.join(), inv)
        })
    };
    let (durations, memory) = side.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    Ok(DayRead::Full(Box::new(DayFiles {
        inv: inv?,
        inv_path,
        durations,
        memory,
    })))
}

/// The days merged so far.
#[derive(Default)]
struct Days {
    /// Files read and warnings (its functions and window are filled at the end).
    parsed: Parsed,
    /// Each function's place in `traces`, which holds it (its id left empty: the map owns it)
    /// with the last day that listed it.
    index: HashMap<FunctionId, usize, IdHash>,
    traces: Vec<(FunctionTrace, u32)>,
    window: Option<(u64, u64)>,
}

impl Days {
    /// Adds day `day`'s functions, files and warnings.
    fn merge(&mut self, day: u32, read: DayRead) -> Result<(), TraceError> {
        let parsed = &mut self.parsed;
        let (inv, inv_path, durations, memory) = match read {
            DayRead::NoInvocations(warnings) => {
                parsed.warnings.extend(warnings);
                return Ok(());
            }
            DayRead::Full(files) => {
                let DayFiles {
                    inv,
                    inv_path,
                    durations,
                    memory,
                } = *files;
                (inv, inv_path, durations, memory)
            }
        };
        let (have_durations, have_memory) = (durations.is_some(), memory.is_some());
        let mut durations = parsed.take_side(durations);
        let memory = parsed.take_side(memory);
        parsed.sources.push(inv.source);
        parsed.warnings.extend(inv.warnings);
        let w = (
            inv.first_minute as u64 * MS_PER_MINUTE,
            (inv.last_minute as u64 + 1) * MS_PER_MINUTE,
        );
        self.window = Some(match self.window {
            None => w,
            Some((s, e)) => (s.min(w.0), e.max(w.1)),
        });

        let (mut no_duration, mut no_memory) = (0usize, 0usize);
        let mut duplicate_rows = 0usize;
        let (index, traces) = (&mut self.index, &mut self.traces);
        // Room for the first day's functions; later days list mostly the same ones (room for
        // as many again would stay spare).
        if traces.is_empty() {
            traces.reserve_exact(inv.rows.len());
            index.reserve(inv.rows.len());
        }
        for (mut id, trigger, counts) in inv.rows {
            let slot = index.get(&id).copied();
            // A row repeating a function already met on this day.
            let duplicate = slot.is_some_and(|i| traces[i].1 == day);
            duplicate_rows += usize::from(duplicate);
            let duration = match durations.remove(&id) {
                Some(p) => DurationInfo::Percentiles(p),
                // A repeated row's durations were taken by its first row.
                None if duplicate => DurationInfo::Unknown,
                None => {
                    no_duration += 1;
                    DurationInfo::Unknown
                }
            };
            // The function's own memory row, else its app's (keyed with an empty function).
            let allocated = memory.get(&id).copied().or_else(|| {
                let function = std::mem::take(&mut id.function);
                let app = memory.get(&id).copied();
                id.function = function;
                app
            });
            if allocated.is_none() && !duplicate {
                no_memory += 1;
            }
            let f = FunctionTrace {
                id: FunctionId::default(),
                trigger,
                arrivals: Arrivals::PerMinute(counts),
                duration,
                memory: MemoryInfo {
                    allocated,
                    ..MemoryInfo::default()
                },
            };
            match slot {
                Some(i) => {
                    super::merge_function(&mut traces[i].0, f)
                        .map_err(|o| super::minute_overflow(&inv_path, &id, o))?;
                    traces[i].1 = day;
                }
                None => {
                    index.insert(id, traces.len());
                    traces.push((f, day));
                }
            }
        }
        if duplicate_rows > 0 {
            parsed.warnings.push(format!(
                "{}: {duplicate_rows} row(s) repeat a function already listed on day {day}; their per-minute counts \
                 were added to the first row's — remove the duplicates if they are copies",
                inv_path.display()
            ));
        }
        if have_durations && no_duration > 0 {
            parsed.warnings.push(format!(
                "{}: {no_duration} function(s) of day {day} have no row in the durations file; their durations \
                 are unknown (not guessed)",
                inv_path.display()
            ));
        }
        if have_durations && !durations.is_empty() {
            parsed.warnings.push(format!(
                "day {day}: {} function(s) in the durations file have no invocations row and were left out",
                durations.len()
            ));
        }
        if have_memory && no_memory > 0 {
            parsed.warnings.push(format!(
                "{}: {no_memory} function(s) of day {day} have no memory row; their memory is unknown",
                inv_path.display()
            ));
        }
        Ok(())
    }
}

/// The day number from `dNN` in the file name (the last such group), if any.
fn day_of(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?.as_bytes();
    let mut day = None;
    for i in 0..name.len().saturating_sub(2) {
        let digits_end = i + 3;
        if name[i] == b'd'
            && name[i + 1].is_ascii_digit()
            && name[i + 2].is_ascii_digit()
            && (digits_end == name.len() || !name[digits_end].is_ascii_digit())
            && (i == 0 || !name[i - 1].is_ascii_alphanumeric())
        {
            let d = (name[i + 1] - b'0') as u32 * 10 + (name[i + 2] - b'0') as u32;
            if d >= 1 {
                day = Some(d);
            }
        }
    }
    day
}

/// The kind of an Azure 2019 file, from the header in its head.
fn kind_of(input: &Input) -> Result<Kind, TraceError> {
    let path = input.path();
    refuse_empty_or_binary(input, HINT)?;
    if input.head().len() == HEAD_BYTES && !input.head().contains(&b'\n') {
        return Err(TraceError::LineTooLong {
            path: path.display().to_string(),
            line: 1,
            limit: HEAD_BYTES as u64,
        });
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input.head());
    let cols: Vec<String> = csv_headers(path, &mut reader)?
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let has = |n: &str| cols.iter().any(|c| c == n);
    if has("averageallocatedmb") {
        Ok(Kind::Memory)
    } else if has("percentile_average_50") || has("average") {
        Ok(Kind::Durations)
    } else if has("trigger") {
        Ok(Kind::Invocations)
    } else {
        Err(TraceError::file(
            path,
            format!(
                "missing column: an Azure 2019 file has 'Trigger' (invocations), 'Average' (durations) or \
                 'AverageAllocatedMb' (memory), and this header has none of them{}",
                delimiter_note(&cols)
            ),
            "check the header line against the dataset's schema",
        ))
    }
}

/// Finds the index of each required column (case-insensitive).
fn column_indices<const N: usize>(path: &Path, header: &[String], names: [&str; N]) -> Result<[usize; N], TraceError> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                TraceError::file(
                    path,
                    format!("missing column '{name}'"),
                    format!("the header must have {}", names.join(", ")),
                )
            })?;
    }
    Ok(out)
}

fn id_field(path: &Path, line: u64, name: &str, value: &[u8]) -> Result<String, TraceError> {
    let s = std::str::from_utf8(value)
        .map_err(|_| TraceError::field(path, line, name, "not UTF-8 text", "a hashed id"))?
        .trim();
    if s.is_empty() {
        return Err(TraceError::field(path, line, name, "empty", "a hashed id"));
    }
    Ok(s.to_string())
}

/// The longest execution a trace may record, ms (a day): larger values are corrupt, and
/// would make the simulator allocate without bound.
const MAX_DURATION_MS: f64 = 86_400_000.0;

/// The most executions one durations row may count.
const MAX_COUNT: f64 = 1.0e12;

/// A duration field: a number of ms from 0 to a day.
fn parse_ms(path: &Path, line: u64, name: &str, value: &[u8]) -> Result<f64, TraceError> {
    let v = parse_f64(path, line, name, value, "a duration in ms ≥ 0")?;
    if v > MAX_DURATION_MS {
        return Err(TraceError::field(
            path,
            line,
            name,
            format!(
                "{} ms is longer than a day",
                shorten(std::str::from_utf8(value).unwrap_or("").trim())
            ),
            "a duration in ms up to 86,400,000",
        ));
    }
    Ok(v)
}

fn parse_f64(path: &Path, line: u64, name: &str, value: &[u8], expected: &str) -> Result<f64, TraceError> {
    let s = std::str::from_utf8(value).unwrap_or("").trim();
    let v: f64 = s
        .parse()
        .map_err(|_| TraceError::field(path, line, name, format!("'{}' is not a number", shorten(s)), expected))?;
    if !v.is_finite() || v < 0.0 {
        return Err(TraceError::field(
            path,
            line,
            name,
            format!("{s} is negative or not finite"),
            expected,
        ));
    }
    Ok(v)
}

/// Parses a non-negative integer count quickly (the hot path of a day file).
fn parse_count(path: &Path, line: u64, header: &str, value: &[u8]) -> Result<u32, TraceError> {
    let bytes = value.trim_ascii();
    if bytes.is_empty() || bytes.len() > 10 {
        return Err(count_error(path, line, header, bytes));
    }
    let mut n: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return Err(count_error(path, line, header, bytes));
        }
        n = n * 10 + (b - b'0') as u64;
    }
    u32::try_from(n).map_err(|_| count_error(path, line, header, bytes))
}

fn count_error(path: &Path, line: u64, header: &str, bytes: &[u8]) -> TraceError {
    let shown = shorten(&String::from_utf8_lossy(bytes));
    let problem = if shown.is_empty() {
        "empty count".to_string()
    } else {
        format!("'{shown}' is not a count")
    };
    TraceError::field(
        path,
        line,
        header,
        problem,
        "a whole number of invocations ≥ 0 for that minute",
    )
}

/// One row of an invocations file: who, what triggers it, when it ran.
type InvocationRow = (FunctionId, Trigger, MinuteCounts);

/// Rows of a block or chunk, each with its 1-based line within it.
type ParsedRows = Vec<(u64, Result<InvocationRow, TraceError>)>;

struct Invocations {
    rows: Vec<InvocationRow>,
    first_minute: u32,
    last_minute: u32,
    source: SourceFile,
    warnings: Vec<String>,
}

fn read_invocations(input: &mut Input, day_offset: u32, skip_bad_rows: bool) -> Result<Invocations, TraceError> {
    let path = &input.path().to_path_buf();
    // The header is the first line that is not blank; the rows stream from the line after it.
    let mut header_line = Vec::new();
    let mut header_line_no = 0u64;
    while header_line.trim_ascii().is_empty() {
        header_line.clear();
        if input
            .read_until(b'\n', &mut header_line)
            .map_err(|e| TraceError::io(path, e))?
            == 0
        {
            return Err(TraceError::file(
                path,
                "the file is empty",
                "give the day's invocations_per_function file",
            ));
        }
        header_line_no += 1;
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(&header_line[..]);
    let header = csv_headers(path, &mut reader)?;
    let [owner_i, app_i, func_i, trig_i] =
        column_indices(path, &header, ["HashOwner", "HashApp", "HashFunction", "Trigger"])?;
    // Every other column is a minute number.
    let mut minute_cols: Vec<(usize, u32)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if [owner_i, app_i, func_i, trig_i].contains(&i) {
            continue;
        }
        let m: u32 = h
            .parse()
            .ok()
            .filter(|m| (1..=MINUTES_PER_DAY).contains(m))
            .ok_or_else(|| {
                TraceError::field(
                    path,
                    1,
                    h,
                    "column is neither an id, the trigger nor a minute number",
                    "minute columns numbered 1..1440",
                )
            })?;
        if minute_cols.iter().any(|&(_, seen)| seen == m) {
            return Err(TraceError::field(
                path,
                1,
                h,
                format!("minute {m} appears twice in the header"),
                "each minute column once, numbered 1..1440",
            ));
        }
        minute_cols.push((i, m));
    }
    if minute_cols.is_empty() {
        return Err(TraceError::file(
            path,
            "no minute columns",
            "the header must list minutes 1..1440 after Trigger",
        ));
    }
    let first = minute_cols.iter().map(|c| c.1).min().unwrap_or(1);
    let last = minute_cols.iter().map(|c| c.1).max().unwrap_or(1);
    // The dataset's own order: the three ids, the trigger, then minutes first..=last.
    let standard = [owner_i, app_i, func_i, trig_i] == [0, 1, 2, 3]
        && minute_cols
            .iter()
            .enumerate()
            .all(|(j, &(i, m))| i == 4 + j && m == first + j as u32);
    let layout = RowLayout {
        ids: [owner_i, app_i, func_i],
        trigger: trig_i,
        minute_cols,
        first,
        last,
        first_minute: day_offset + first - 1,
        header,
        standard,
    };
    let mut errors = RowErrors::new(skip_bad_rows);
    let mut rows = Vec::new();
    let mut n_rows = 0u64;
    for_each_block(input, header_line_no + 1, |block, first_line| {
        let parsed = parse_block(path, block, &layout);
        for (line_in_block, row) in parsed {
            n_rows += 1;
            match row {
                Ok(r) => rows.push(r),
                Err(e) => errors.handle(e.at_line(first_line + line_in_block - 1))?,
            }
        }
        Ok(())
    })?;
    if n_rows == 0 {
        return Err(TraceError::file(
            path,
            "the file has a header but no rows",
            "give a file with at least one function",
        ));
    }
    Ok(Invocations {
        rows,
        first_minute: day_offset + first - 1,
        last_minute: day_offset + last - 1,
        source: SourceFile {
            path: path.display().to_string(),
            format: "azure2019 invocations".into(),
            rows: n_rows,
        },
        warnings: errors.into_warnings(path),
    })
}

/// Where the fields of an invocations row are.
struct RowLayout {
    ids: [usize; 3],
    trigger: usize,
    minute_cols: Vec<(usize, u32)>,
    first: u32,
    last: u32,
    first_minute: u32,
    header: Vec<String>,
    /// Whether the columns are in the dataset's order (ids, trigger, minutes in order), which
    /// the fast path of `parse_chunk` reads.
    standard: bool,
}

/// Bytes of an invocations file parsed per block; blocks are cut at line ends and parsed in
/// parallel while the next block is read, so a day file streams through bounded memory.
const BLOCK_BYTES: usize = 4 << 20;

/// A block of whole lines with the file line of its first line, or the read error met instead.
type Block = Result<(Vec<u8>, u64), TraceError>;

/// Streams the rest of the input (from file line `next_line`) in blocks of whole lines and
/// hands each block, in file order, with the file line number of its first line. A second
/// thread reads the next block while `handle` works on this one (at most four 4 MB buffers,
/// reused); a read error reaches `handle`'s caller in file order, after the blocks before it.
fn for_each_block(
    input: &mut Input,
    next_line: u64,
    mut handle: impl FnMut(&[u8], u64) -> Result<(), TraceError>,
) -> Result<(), TraceError> {
    use std::sync::mpsc::{channel, sync_channel};
    let (full_tx, full_rx) = sync_channel::<Block>(1);
    let (free_tx, free_rx) = channel::<Vec<u8>>();
    std::thread::scope(|s| {
        s.spawn(move || read_blocks(input, next_line, &free_rx, &full_tx));
        // Returning early drops `full_rx`, which stops the reader.
        for block in full_rx {
            let (block, first_line) = block?;
            handle(&block, first_line)?;
            // The reader may have finished; then the buffer is simply freed.
            free_tx.send(block).ok();
        }
        Ok(())
    })
}

/// Reads blocks of whole lines into `full` (reusing the buffers `free` hands back) until the
/// end of the input, a read error (sent in place of a block) or `full`'s receiver is gone.
fn read_blocks(input: &mut Input, mut next_line: u64, free: &Receiver<Vec<u8>>, full: &SyncSender<Block>) {
    let path = &input.path().to_path_buf();
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut block = free.try_recv().unwrap_or_default();
        block.clear();
        block.append(&mut carry);
        let filled = block.len();
        block.resize(filled + BLOCK_BYTES, 0);
        let mut got = 0;
        while got < BLOCK_BYTES {
            match input.read(&mut block[filled + got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => {
                    full.send(Err(TraceError::io(path, e))).ok();
                    return;
                }
            }
        }
        block.truncate(filled + got);
        let eof = got < BLOCK_BYTES;
        if !eof {
            // Keep the partial last line for the next block.
            match memchr::memrchr(b'\n', &block) {
                Some(end) => {
                    carry.extend_from_slice(&block[end + 1..]);
                    block.truncate(end + 1);
                }
                None => {
                    carry = block;
                    continue;
                }
            }
        }
        if !block.is_empty() {
            let lines = memchr::memchr_iter(b'\n', &block).count() as u64;
            if full.send(Ok((block, next_line))).is_err() {
                return;
            }
            next_line += lines;
        }
        if eof {
            return;
        }
    }
}

/// Parses one block of whole lines: each row with its 1-based line within the block.
/// Lines are split in parallel (the rows are independent), results kept in file order.
fn parse_block(path: &Path, block: &[u8], layout: &RowLayout) -> ParsedRows {
    use rayon::prelude::*;
    // Split the block into a few chunks at line ends, one per worker.
    let parts = rayon::current_num_threads().max(1) * 2;
    let mut cuts = vec![0usize];
    for k in 1..parts {
        let target = block.len() * k / parts;
        let prev = *cuts.last().unwrap_or(&0);
        if let Some(nl) = memchr::memchr(b'\n', &block[target.max(prev)..]) {
            let cut = target.max(prev) + nl + 1;
            if cut > prev && cut < block.len() {
                cuts.push(cut);
            }
        }
    }
    cuts.push(block.len());
    cuts.dedup();
    let chunks: Vec<&[u8]> = cuts.windows(2).map(|w| &block[w[0]..w[1]]).collect();
    let parsed: Vec<(ParsedRows, u64)> = chunks
        .par_iter()
        .map(|&chunk| {
            (
                parse_chunk(path, chunk, layout),
                memchr::memchr_iter(b'\n', chunk).count() as u64,
            )
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.iter().map(|(rows, _)| rows.len()).sum());
    let mut lines_before = 0;
    for (rows, lines) in parsed {
        out.extend(rows.into_iter().map(|(line, row)| (lines_before + line, row)));
        lines_before += lines;
    }
    out
}

/// Parses a chunk of whole lines: each row with its 1-based line within the chunk. A chunk
/// holding neither `"` nor `\r`, in the dataset's column order, is split at `\n` and `,`
/// directly (what the `csv` reader makes of such text); anything else goes to the reader.
fn parse_chunk(path: &Path, chunk: &[u8], layout: &RowLayout) -> ParsedRows {
    if !layout.standard || memchr::memchr2(b'"', b'\r', chunk).is_some() {
        return parse_chunk_csv(path, chunk, layout);
    }
    let mut out = Vec::new();
    let mut scratch = Scratch {
        counts: vec![0u32; layout.minute_cols.len()],
        entries: Vec::with_capacity(layout.minute_cols.len()),
    };
    // Like the reader, a row's line is the line after the previous row's end: blank lines
    // are skipped and counted towards the next row.
    let (mut row_line, mut line, mut start) = (1u64, 0u64, 0usize);
    let ends = memchr::memchr_iter(b'\n', chunk).chain(std::iter::once(chunk.len()));
    for end in ends {
        let text = &chunk[start..end];
        (start, line) = (end + 1, line + 1);
        if text.is_empty() {
            continue;
        }
        let row = match fast_row(text, layout, &mut scratch) {
            Some(row) => Ok(row),
            // Anything unusual takes the checks (and messages) of `parse_row`.
            None => {
                let record: csv::ByteRecord = text.split(|&b| b == b',').collect();
                parse_row(path, row_line, &record, layout)
            }
        };
        out.push((row_line, row));
        row_line = line + 1;
    }
    out
}

/// Parses a chunk with the `csv` reader: quoted fields, CR line ends, any column order.
fn parse_chunk_csv(path: &Path, chunk: &[u8], layout: &RowLayout) -> ParsedRows {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(chunk);
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line()).unwrap_or(1);
                out.push((line, parse_row(path, line, &record, layout)));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(1);
                out.push((line, Err(csv_error(path, e))));
            }
        }
    }
    out
}

/// Reused space for one row's counts: every count, and the nonzero ones as (minute, count).
struct Scratch {
    counts: Vec<u32>,
    entries: Vec<(u32, u32)>,
}

/// The fast path of one row in the dataset's column order, for rows `parse_row` would accept
/// with the same result: the right number of fields, ids that are UTF-8 without surrounding
/// blanks, a known trigger, and counts of 1 to 9 plain digits. `None` for anything else, which
/// `parse_row` then checks and reports.
fn fast_row(text: &[u8], layout: &RowLayout, scratch: &mut Scratch) -> Option<InvocationRow> {
    let mut fields = text.splitn(5, |&b| b == b',');
    let mut id = || {
        let s = std::str::from_utf8(fields.next()?).ok()?;
        (!s.is_empty() && s.trim().len() == s.len()).then(|| s.to_string())
    };
    let (owner, app, function) = (id()?, id()?, id()?);
    let trigger = Trigger::parse(std::str::from_utf8(fields.next()?).ok()?)?;
    let rest = fields.next()?;
    // Counts: digits up to each comma (at most 9, so no overflow), exactly one per column.
    let Scratch { counts, entries } = scratch;
    entries.clear();
    let minutes = counts.len();
    let mut k = 0usize;
    let mut i = 0usize;
    loop {
        // Most minutes of most functions are idle: four "0," in one step while a column
        // follows them, then "0," in one step.
        while k + 4 < minutes && rest.get(i..i + 8).is_some_and(|b| b == b"0,0,0,0,") {
            counts[k..k + 4].fill(0);
            (k, i) = (k + 4, i + 8);
        }
        if k == minutes {
            return None;
        }
        if rest.get(i) == Some(&b'0') && rest.get(i + 1) == Some(&b',') {
            counts[k] = 0;
            (k, i) = (k + 1, i + 2);
            continue;
        }
        let (mut n, mut digits) = (0u32, 0u32);
        while let Some(&b) = rest.get(i) {
            if b == b',' {
                break;
            }
            if !b.is_ascii_digit() || digits == 9 {
                return None;
            }
            n = n * 10 + u32::from(b - b'0');
            (digits, i) = (digits + 1, i + 1);
        }
        if digits == 0 {
            return None;
        }
        counts[k] = n;
        if n > 0 {
            entries.push((layout.first_minute + k as u32, n));
        }
        k += 1;
        if i == rest.len() {
            break;
        }
        i += 1;
    }
    if k != minutes {
        return None;
    }
    let id = FunctionId { owner, app, function };
    let width = bytes_for_all(entries.iter().map(|e| e.1));
    let counts = if MinuteCounts::sparse_is_smaller(entries.len(), minutes, width) {
        MinuteCounts::Sparse {
            entries: entries.iter().copied().collect(),
        }
    } else {
        MinuteCounts::Dense {
            first_minute: layout.first_minute,
            counts: counts.as_slice().into(),
        }
    };
    Some((id, trigger, counts))
}

/// One invocations row (its `line` is fixed up by the caller).
fn parse_row(
    path: &Path,
    line: u64,
    record: &csv::ByteRecord,
    layout: &RowLayout,
) -> Result<InvocationRow, TraceError> {
    let header = &layout.header;
    if record.len() != header.len() {
        return Err(TraceError::row(
            path,
            line,
            format!("{} field(s) where the header has {}", record.len(), header.len()),
            "the row may be truncated or have stray commas; fix it or pass --skip-bad-rows",
        ));
    }
    let [owner_i, app_i, func_i] = layout.ids;
    let id = FunctionId {
        owner: id_field(path, line, "HashOwner", &record[owner_i])?,
        app: id_field(path, line, "HashApp", &record[app_i])?,
        function: id_field(path, line, "HashFunction", &record[func_i])?,
    };
    let trig_text = String::from_utf8_lossy(&record[layout.trigger]);
    let trigger = Trigger::parse(&trig_text).ok_or_else(|| {
        TraceError::field(
            path,
            line,
            "Trigger",
            format!("unknown trigger '{}'", shorten(&trig_text)),
            "http, timer, event, queue, storage, orchestration or others",
        )
    })?;
    let mut counts = vec![0u32; (layout.last - layout.first + 1) as usize];
    for &(i, m) in &layout.minute_cols {
        counts[(m - layout.first) as usize] = parse_count(path, line, &header[i], &record[i])?;
    }
    Ok((id, trigger, MinuteCounts::from_dense(layout.first_minute, counts)))
}

type DurationMap = HashMap<FunctionId, DurationPercentiles, IdHash>;

fn read_durations(
    input: &mut Input,
    skip_bad_rows: bool,
) -> Result<(DurationMap, SourceFile, Vec<String>), TraceError> {
    let path = &input.path().to_path_buf();
    const PCT: [&str; 7] = [
        "percentile_Average_0",
        "percentile_Average_1",
        "percentile_Average_25",
        "percentile_Average_50",
        "percentile_Average_75",
        "percentile_Average_99",
        "percentile_Average_100",
    ];
    let mut reader = csv_reader(input);
    let header = csv_headers(path, &mut reader)?;
    let [o, a, f, avg, cnt, min, max] = column_indices(
        path,
        &header,
        [
            "HashOwner",
            "HashApp",
            "HashFunction",
            "Average",
            "Count",
            "Minimum",
            "Maximum",
        ],
    )?;
    let pct = column_indices(path, &header, PCT)?;
    let mut map = HashMap::default();
    let mut duplicates = 0u64;
    let mut errors = RowErrors::new(skip_bad_rows);
    let n_rows = for_each_row(path, &mut reader, header.len(), &mut errors, |line, record| {
        let (id, d) = (|| {
            let id = FunctionId {
                owner: id_field(path, line, "HashOwner", &record[o])?,
                app: id_field(path, line, "HashApp", &record[a])?,
                function: id_field(path, line, "HashFunction", &record[f])?,
            };
            let optional = |i: usize, name: &str| -> Result<Option<f64>, TraceError> {
                if record[i].trim_ascii().is_empty() {
                    Ok(None)
                } else {
                    parse_ms(path, line, name, &record[i]).map(Some)
                }
            };
            let mut p = [0.0; 7];
            for (slot, (&i, name)) in p.iter_mut().zip(pct.iter().zip(PCT)) {
                *slot = parse_ms(path, line, name, &record[i])?;
            }
            let count = parse_f64(path, line, "Count", &record[cnt], "a whole number of executions ≥ 0")?;
            if count > MAX_COUNT {
                return Err(TraceError::field(
                    path,
                    line,
                    "Count",
                    format!("{count} executions in a day is beyond any function"),
                    "a whole number of executions up to 10^12",
                ));
            }
            let d = DurationPercentiles {
                average_ms: parse_ms(path, line, "Average", &record[avg])?,
                count: count as u64,
                minimum_ms: optional(min, "Minimum")?,
                maximum_ms: optional(max, "Maximum")?,
                p0_ms: p[0],
                p1_ms: p[1],
                p25_ms: p[2],
                p50_ms: p[3],
                p75_ms: p[4],
                p99_ms: p[5],
                p100_ms: p[6],
            };
            Ok((id, d))
        })()?;
        if map.insert(id, d).is_some() {
            duplicates += 1;
        }

        Ok(())
    })?;
    let source = SourceFile {
        path: path.display().to_string(),
        format: "azure2019 durations".into(),
        rows: n_rows,
    };
    let mut warnings = errors.into_warnings(path);
    if duplicates > 0 {
        warnings.push(format!(
            "{}: {duplicates} function(s) have more than one durations row; the last row of each was used",
            path.display()
        ));
    }
    Ok((map, source, warnings))
}

/// Memory rows keyed by function; `function` is empty for per-app rows.
type MemoryMap = HashMap<FunctionId, AllocatedMemory, IdHash>;

fn read_memory(input: &mut Input, skip_bad_rows: bool) -> Result<(MemoryMap, SourceFile, Vec<String>), TraceError> {
    let path = &input.path().to_path_buf();
    const PCT: [&str; 8] = [
        "AverageAllocatedMb_pct1",
        "AverageAllocatedMb_pct5",
        "AverageAllocatedMb_pct25",
        "AverageAllocatedMb_pct50",
        "AverageAllocatedMb_pct75",
        "AverageAllocatedMb_pct95",
        "AverageAllocatedMb_pct99",
        "AverageAllocatedMb_pct100",
    ];
    const MB: &str = "memory in MB ≥ 0";
    let mut reader = csv_reader(input);
    let header = csv_headers(path, &mut reader)?;
    let [o, a, sc, avg] = column_indices(
        path,
        &header,
        ["HashOwner", "HashApp", "SampleCount", "AverageAllocatedMb"],
    )?;
    let pct = column_indices(path, &header, PCT)?;
    let func_i = header.iter().position(|h| h.eq_ignore_ascii_case("HashFunction"));
    let scope = if func_i.is_some() {
        MemoryScope::FunctionShare
    } else {
        MemoryScope::App
    };
    let mut map = HashMap::default();
    let mut errors = RowErrors::new(skip_bad_rows);
    let n_rows = for_each_row(path, &mut reader, header.len(), &mut errors, |line, record| {
        let (k, m) = (|| {
            let key = FunctionId {
                owner: id_field(path, line, "HashOwner", &record[o])?,
                app: id_field(path, line, "HashApp", &record[a])?,
                function: match func_i {
                    Some(i) => id_field(path, line, "HashFunction", &record[i])?,
                    None => String::new(),
                },
            };
            let mut p = [0.0; 8];
            for (slot, (&i, name)) in p.iter_mut().zip(pct.iter().zip(PCT)) {
                *slot = parse_f64(path, line, name, &record[i], MB)?;
            }
            let m = AllocatedMemory {
                scope,
                sample_count: parse_f64(path, line, "SampleCount", &record[sc], "a whole number ≥ 0")? as u64,
                average_mb: parse_f64(path, line, "AverageAllocatedMb", &record[avg], MB)?,
                percentiles_mb: p,
            };
            Ok((key, m))
        })()?;
        map.insert(k, m);

        Ok(())
    })?;
    let source = SourceFile {
        path: path.display().to_string(),
        format: "azure2019 memory".into(),
        rows: n_rows,
    };
    Ok((map, source, errors.into_warnings(path)))
}

/// Combines two days' duration percentiles of one function: the average weighted by
/// `Count`, minimum and maximum over both, the other percentiles from the day with more
/// executions (percentiles of 30-second averages cannot be merged exactly).
pub(super) fn combine_percentiles(a: &DurationPercentiles, b: &DurationPercentiles) -> DurationPercentiles {
    let total = a.count + b.count;
    let average_ms = if total == 0 {
        (a.average_ms + b.average_ms) / 2.0
    } else {
        (a.average_ms * a.count as f64 + b.average_ms * b.count as f64) / total as f64
    };
    let major = if a.count >= b.count { a } else { b };
    let pick = |x: Option<f64>, y: Option<f64>, f: fn(f64, f64) -> f64| match (x, y) {
        (Some(x), Some(y)) => Some(f(x, y)),
        (x, y) => x.or(y),
    };
    DurationPercentiles {
        average_ms,
        count: total,
        minimum_ms: pick(a.minimum_ms, b.minimum_ms, f64::min),
        maximum_ms: pick(a.maximum_ms, b.maximum_ms, f64::max),
        p0_ms: a.p0_ms.min(b.p0_ms),
        p100_ms: a.p100_ms.max(b.p100_ms),
        ..*major
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn read(paths: &[PathBuf], skip_bad_rows: bool) -> Result<Parsed, TraceError> {
        let mut inputs = paths
            .iter()
            .map(|p| Input::open(p, false))
            .collect::<Result<Vec<_>, _>>()?;
        super::read(&mut inputs, skip_bad_rows)
    }

    #[test]
    fn day_from_file_names() {
        assert_eq!(day_of(Path::new("invocations_per_function_md.anon.d01.csv")), Some(1));
        assert_eq!(
            day_of(Path::new("/x/function_durations_percentiles.anon.d14.csv")),
            Some(14)
        );
        assert_eq!(day_of(Path::new("invocations.csv")), None);
        assert_eq!(day_of(Path::new("d123.csv")), None);
        assert_eq!(day_of(Path::new("md01x.csv")), None);
    }

    #[test]
    fn blocks_keep_every_row_and_the_line_numbers() {
        // 3,000 rows of 1,440 minutes (≈ 9 MB) span several parse blocks; row k has k % 7
        // invocations in minute k % 1440 + 1. A bad count on data row 2,500 (file line 2,501)
        // must be reported at that line.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("invocations_per_function_md.anon.d01.csv");
        let header: Vec<String> = (1..=1440).map(|m| m.to_string()).collect();
        let mut text = format!("HashOwner,HashApp,HashFunction,Trigger,{}\n", header.join(","));
        let mut expected = 0u64;
        for k in 0..3_000u32 {
            let mut cells = vec!["0"; 1440];
            let c = (k % 7).to_string();
            cells[(k % 1440) as usize] = &c;
            expected += (k % 7) as u64;
            let bad = if k == 2_499 { ",x" } else { "" };
            let row = format!("o{k},a{k},f{k},http,{}", cells.join(","));
            text.push_str(&if bad.is_empty() {
                row
            } else {
                row.replacen(",0", bad, 1)
            });
            text.push('\n');
        }
        std::fs::write(&path, &text).unwrap();
        assert!(text.len() > 2 * BLOCK_BYTES);
        let e = read(std::slice::from_ref(&path), false).unwrap_err().to_string();
        assert!(e.contains("line 2501"), "{e}");
        let parsed = read(std::slice::from_ref(&path), true).unwrap();
        assert_eq!(parsed.functions.len(), 2_999);
        let total: u64 = parsed.functions.iter().map(|f| f.arrivals.invocations()).sum();
        // The skipped row (k = 2,499) had 2,499 % 7 = 0 invocations.
        assert_eq!(total, expected);
        assert!(
            parsed.warnings[0].contains("skipped 1 bad row"),
            "{:?}",
            parsed.warnings
        );
    }

    /// The fast path must give what the `csv` reader gives, row for row and error for error.
    #[test]
    fn fast_path_matches_the_csv_reader() {
        let header: Vec<String> = ["HashOwner", "HashApp", "HashFunction", "Trigger", "1", "2", "3", "4"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let layout = RowLayout {
            ids: [0, 1, 2],
            trigger: 3,
            minute_cols: (1..=4).map(|m| (3 + m as usize, m)).collect(),
            first: 1,
            last: 4,
            first_minute: 1440,
            header,
            standard: true,
        };
        let rows = [
            "o,a,f,http,0,0,0,7",
            "o,a,f,Timer,1,2,3,4",
            "o,a,g, Queue ,0,999999999,0,0",
            "o,a,g,,1,0,0,0",
            "",
            "o,a,h,others,0000000012,0,0,0",
            "o,a,h,event,4294967295,0,0,0",
            "o,a,h,event,4294967296,0,0,0",
            "",
            "",
            "o,a,h,event, 7 ,0,0,0",
            "o,a,h,event,,0,0,0",
            "o,a,h,event,+1,0,0,0",
            "o,a,h,event,-1,0,0,0",
            "o,a,h,event,1,0,0",
            "o,a,h,event,1,0,0,0,0",
            "o,a,h,event,1,0,0,0,",
            "   ",
            "o, ,h,http,1,1,1,1",
            " o,a,h,http,1,1,1,1",
            "o,a,h\u{a0},http,1,1,1,1",
            "o,a,h,webhook,1,1,1,1",
            "o,a,h,http,1,1,1,1x",
            "o,a,\u{e9},ORCHESTRATION,1,1,1,1",
            // 2 busy minutes of 4 at 32-bit counts: sparse (12 bytes against 16); dense at 16.
            "o,a,w,http,70000,1,0,0",
        ];
        let mut chunk = rows.join("\n").into_bytes();
        chunk.extend(b"\n\no,a,\xff,http,1,1,1,1\no,a,f,http,1,2,3,4");
        let p = Path::new("f.csv");
        let shown = |v: ParsedRows| -> Vec<(u64, Result<InvocationRow, String>)> {
            v.into_iter().map(|(l, r)| (l, r.map_err(|e| e.to_string()))).collect()
        };
        let fast = shown(parse_chunk(p, &chunk, &layout));
        let csv = shown(parse_chunk_csv(p, &chunk, &layout));
        assert_eq!(fast.len(), rows.iter().filter(|r| !r.is_empty()).count() + 2);
        assert_eq!(fast, csv);
        // The fast path took the plain rows: their counts are right.
        let (_, Ok((id, trigger, counts))) = &fast[1] else {
            panic!("{:?}", fast[1])
        };
        assert_eq!((id.function.as_str(), *trigger), ("f", Trigger::Timer));
        assert_eq!(
            counts.nonzero().collect::<Vec<_>>(),
            [(1440, 1), (1441, 2), (1442, 3), (1443, 4)]
        );
        let wide = fast
            .iter()
            .find_map(|(_, r)| r.as_ref().ok().filter(|(id, ..)| id.function == "w"));
        assert!(
            matches!(wide, Some((.., MinuteCounts::Sparse { entries })) if entries.width_bytes() == 4),
            "{wide:?}"
        );
        // A chunk with a quote or a CR goes to the reader whole.
        let mut quoted = chunk.clone();
        quoted.extend(b"\n\"o\",a,q,http,1,1,1,1\r\n");
        assert_eq!(
            shown(parse_chunk(p, &quoted, &layout)),
            shown(parse_chunk_csv(p, &quoted, &layout))
        );
    }

    #[test]
    fn idle_minutes_taken_four_at_a_time_parse_as_the_row_parser_does() {
        let minutes = 12u32;
        let header: Vec<String> = ["HashOwner", "HashApp", "HashFunction", "Trigger"]
            .iter()
            .map(|s| s.to_string())
            .chain((1..=minutes).map(|m| m.to_string()))
            .collect();
        let layout = RowLayout {
            ids: [0, 1, 2],
            trigger: 3,
            minute_cols: (1..=minutes).map(|m| (3 + m as usize, m)).collect(),
            first: 1,
            last: minutes,
            first_minute: 0,
            header,
            standard: true,
        };
        let row = |counts: &[&str]| format!("o,a,f,http,{}", counts.join(","));
        // No busy minute, then one busy minute in each place: runs of every length before and
        // after it (kept sparse).
        let mut plain: Vec<String> = (0..=minutes)
            .map(|busy| {
                row(&(1..=minutes)
                    .map(|m| if m == busy { "7" } else { "0" })
                    .collect::<Vec<_>>())
            })
            .collect();
        // Busy rows (kept dense) whose zeros follow a row busy in those minutes: the reused
        // counts of the row before are cleared.
        plain.push(row(&["1"; 12]));
        plain.push(row(&["1", "0", "0", "0", "0", "1", "1", "1", "1", "1", "1", "1"]));
        plain.push(row(&["2"; 12]));
        plain.push(row(&["0", "0", "0", "0", "0", "0", "0", "0", "3", "3", "3", "3"]));
        plain.push(row(&["0", "0", "0", "00", "0", "0", "0", "0", "0", "0", "0", "5"]));
        let refused = [
            row(&["0"; 11]),
            row(&["0"; 13]),
            format!("{},", row(&["0"; 12])),
            row(&["0", "0", "0", "0", "", "0", "0", "0", "0", "0", "0", "0"]),
            row(&["0", "0", "0", "0", "0", "0", "0", "0", "x", "0", "0", "0"]),
        ];
        let mut scratch = Scratch {
            counts: vec![0; minutes as usize],
            entries: Vec::new(),
        };
        let p = Path::new("f.csv");
        let by_parser = |text: &str| {
            let record: csv::ByteRecord = text.split(',').collect();
            parse_row(p, 2, &record, &layout).map_err(|e| e.to_string())
        };
        for (i, text) in plain.iter().enumerate() {
            let fast = fast_row(text.as_bytes(), &layout, &mut scratch);
            assert!(fast.is_some(), "{text}");
            assert_eq!(fast.clone().ok_or(String::new()), by_parser(text), "{text}");
            let (.., counts) = fast.unwrap();
            if i <= minutes as usize {
                let want: Vec<(u32, u32)> = (i > 0).then(|| (i as u32 - 1, 7)).into_iter().collect();
                assert_eq!(counts.nonzero().collect::<Vec<_>>(), want, "{text}");
            }
        }
        assert_eq!(
            fast_row(plain[14].as_bytes(), &layout, &mut scratch)
                .map(|(.., c)| c.nonzero().map(|e| e.0).collect::<Vec<_>>()),
            Some(vec![0, 5, 6, 7, 8, 9, 10, 11])
        );
        for text in &refused {
            assert!(fast_row(text.as_bytes(), &layout, &mut scratch).is_none(), "{text}");
            assert!(by_parser(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_day_merged_beside_the_next_read_reports_as_read_in_turn() {
        // Day 1 is merged on its own thread while day 2 is read: day 1's overflow is still the
        // error reported when day 2's file is broken too, and day 2's error when day 1 is fine.
        let dir = tempfile::tempdir().unwrap();
        let day2 = "invocations_per_function_md.anon.d02.csv";
        let overflow = "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,1,4294967295\no,a,f,http,3,1\n";
        let broken = "HashOwner,HashApp,HashFunction,Trigger,1\no,a,f,http,x\n";
        let p = files(dir.path(), &[(INV, overflow), (day2, broken)]);
        let e = read(&p, false).unwrap_err().to_string();
        assert!(
            e.contains(INV) && e.contains("adds up to 4,294,967,296 invocations"),
            "{e}"
        );
        let fine = "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,1,2\n";
        let p = files(dir.path(), &[(INV, fine), (day2, broken)]);
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains(day2) && e.contains("line 2, field '1'"), "{e}");
        // Three days with their warnings in day order, counts appended in day order.
        let day3 = "invocations_per_function_md.anon.d03.csv";
        let repeated = "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,0,5\no,a,f,http,1,0\no,a,g,timer,2,0\n";
        let p = files(dir.path(), &[(INV, fine), (day2, repeated), (day3, repeated)]);
        let parsed = read(&p, false).unwrap();
        let f = &parsed.functions[0].arrivals;
        let Arrivals::PerMinute(counts) = f else {
            panic!("{f:?}")
        };
        assert_eq!(
            counts.nonzero().collect::<Vec<_>>(),
            [(0, 1), (1, 2), (1440, 1), (1441, 5), (2880, 1), (2881, 5)]
        );
        let repeats: Vec<&String> = parsed
            .warnings
            .iter()
            .filter(|w| w.contains("repeat a function"))
            .collect();
        assert_eq!(repeats.len(), 2, "{:?}", parsed.warnings);
        assert!(
            repeats[0].contains("day 2") && repeats[1].contains("day 3"),
            "{repeats:?}"
        );
        let sources: Vec<&str> = parsed.sources.iter().map(|s| s.path.as_str()).collect();
        assert!(
            sources[0].ends_with(INV) && sources[1].ends_with(day2) && sources[2].ends_with(day3),
            "{sources:?}"
        );
    }

    #[test]
    fn a_day_with_durations_but_no_invocations_is_reported_in_its_place() {
        // Day 2 has only a durations file, between two full days: its warning comes after
        // day 1's and before day 3's, and its calls are not invented; durations alone are an error.
        let dir = tempfile::tempdir().unwrap();
        let inv = |d: u32| format!("invocations_per_function_md.anon.d0{d}.csv");
        let dur2 = "function_durations_percentiles.anon.d02.csv";
        let repeated = "HashOwner,HashApp,HashFunction,Trigger,1\no,a,f,http,1\no,a,f,http,2\n";
        let durations = format!("{DUR_HEADER}o,a,f,1,1,1,1,1,1,1,1,1,1,1\n");
        let p = files(
            dir.path(),
            &[(&inv(1), repeated), (dur2, &durations), (&inv(3), repeated)],
        );
        let parsed = read(&p, false).unwrap();
        let order: Vec<u32> = parsed
            .warnings
            .iter()
            .filter_map(|w| {
                if w.contains("repeat a function already listed on day 1") {
                    Some(1)
                } else if w.contains(dur2) && w.contains("no invocations file for day 2, so this file was not used") {
                    Some(2)
                } else if w.contains("repeat a function already listed on day 3") {
                    Some(3)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(order, [1, 2, 3], "{:?}", parsed.warnings);
        let Arrivals::PerMinute(counts) = &parsed.functions[0].arrivals else {
            panic!()
        };
        assert_eq!(counts.nonzero().collect::<Vec<_>>(), [(0, 3), (2880, 3)]);
        let e = read(&files(dir.path(), &[(dur2, &durations)]), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("only durations or memory files"), "{e}");
    }

    /// Writes `files` (name, text) into a fresh folder and returns their paths.
    fn files(dir: &Path, files: &[(&str, &str)]) -> Vec<PathBuf> {
        files
            .iter()
            .map(|(name, text)| {
                let p = dir.join(name);
                std::fs::write(&p, text).unwrap();
                p
            })
            .collect()
    }

    const INV: &str = "invocations_per_function_md.anon.d01.csv";
    const DUR: &str = "function_durations_percentiles.anon.d01.csv";
    const DUR_HEADER: &str = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,\
                              percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,\
                              percentile_Average_99,percentile_Average_100\n";

    #[test]
    fn silently_wrong_rows_are_refused_or_warned() {
        let dir = tempfile::tempdir().unwrap();
        // A minute listed twice in the header would drop a count: refused.
        let p = files(
            dir.path(),
            &[(INV, "HashOwner,HashApp,HashFunction,Trigger,1,1,2\no,a,f,http,1,2,3\n")],
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("field '1': minute 1 appears twice in the header"), "{e}");
        // A function listed twice on one day is summed, and said so.
        let p = files(
            dir.path(),
            &[(
                INV,
                "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,1,2\no,a,f,http,3,4\n",
            )],
        );
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.functions[0].arrivals.invocations(), 10);
        assert!(
            parsed
                .warnings
                .iter()
                .any(|w| w.contains("1 row(s) repeat a function already listed on day 1")),
            "{:?}",
            parsed.warnings
        );
        // Repeated rows whose minute adds up beyond a per-minute count: refused, not
        // saturated, naming the file, the function and the minute's column.
        let p = files(
            dir.path(),
            &[(
                INV,
                "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,1,4294967295\no,a,f,http,3,1\n",
            )],
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(
            e.contains(INV)
                && e.contains(
                    "function 'f' of app 'a': minute 1 (day 1, column 2) adds up to 4,294,967,296 invocations"
                ),
            "{e}"
        );
        // Durations of 1e300 ms (which would make the simulator allocate without bound).
        let p = files(
            dir.path(),
            &[
                (INV, "HashOwner,HashApp,HashFunction,Trigger,1\no,a,f,http,1\n"),
                (DUR, &format!("{DUR_HEADER}o,a,f,1e300,1,1,1,1,1,1,1,1,1,1\n")),
            ],
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(
            e.contains("line 2, field 'Average': 1e300 ms is longer than a day"),
            "{e}"
        );
    }

    #[test]
    fn days_appended_keep_no_spare_room() {
        // Five days of two functions: `dense` busy every minute (1,440 counts a day appended
        // to a dense vector), `sparse` in minute 7 and 900 of each day (busy minutes appended).
        // The workload keeps each at its length (appends that grew by doubling left 7,200 counts
        // in room for 11,520 after the fifth day, 10 pairs in 16).
        let dir = tempfile::tempdir().unwrap();
        let header = format!(
            "HashOwner,HashApp,HashFunction,Trigger,{}\n",
            (1..=1440).map(|m| m.to_string()).collect::<Vec<_>>().join(",")
        );
        let row = |name: &str, count: &dyn Fn(usize) -> u32| {
            let counts: Vec<String> = (1..=1440).map(|m| count(m).to_string()).collect();
            format!("o,a,{name},http,{}\n", counts.join(","))
        };
        for day in 1..=5 {
            let text = format!(
                "{header}{}{}",
                row("dense", &|m| 1 + (m % 3) as u32),
                row("sparse", &|m| u32::from(m == 7 || m == 900))
            );
            std::fs::write(
                dir.path()
                    .join(format!("invocations_per_function_md.anon.d{day:02}.csv")),
                text,
            )
            .unwrap();
        }
        let w =
            crate::trace::read_workload(&[dir.path().to_path_buf()], &crate::trace::ReadOptions::default()).unwrap();
        let by_name = |name: &str| w.functions.iter().find(|f| f.id.function == name).unwrap();
        for (name, len, total) in [("dense", 7_200, 5 * 2_880), ("sparse", 20, 10)] {
            let Arrivals::PerMinute(c) = &by_name(name).arrivals else {
                panic!("per-minute counts")
            };
            assert_eq!(c.capacity_and_len(), (len, len), "{name}");
            assert_eq!(c.total(), total, "{name}");
        }
    }

    #[test]
    fn errors_keep_the_order_of_the_files_read_alone() {
        // The durations file is read while the invocations stream: its bad row is still the
        // one reported, as when the files were read one after the other.
        let dir = tempfile::tempdir().unwrap();
        let bad_inv = "HashOwner,HashApp,HashFunction,Trigger,1\no,a,f,http,x\n";
        let p = files(
            dir.path(),
            &[
                (INV, bad_inv),
                (DUR, &format!("{DUR_HEADER}o,a,f,abc,1,1,1,1,1,1,1,1,1,1\n")),
            ],
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains(DUR) && e.contains("line 2, field 'Average'"), "{e}");
        let p = files(
            dir.path(),
            &[
                (INV, bad_inv),
                (DUR, &format!("{DUR_HEADER}o,a,f,1,1,1,1,1,1,1,1,1,1,1\n")),
            ],
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains(INV) && e.contains("line 2, field '1'"), "{e}");
    }

    #[test]
    fn counts_parse_strictly() {
        let p = Path::new("f.csv");
        assert_eq!(parse_count(p, 2, "5", b"17").unwrap(), 17);
        assert_eq!(parse_count(p, 2, "5", b" 0 ").unwrap(), 0);
        for bad in [&b"-1"[..], b"1.5", b"x", b"", b"99999999999"] {
            let e = parse_count(p, 7, "5", bad).unwrap_err().to_string();
            assert!(e.contains("f.csv: line 7, field '5'"), "{e}");
        }
    }
}
