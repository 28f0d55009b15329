//! Checks a Parquet file's footer against the file's size before polars reads it. polars
//! preallocates every Thrift list of the footer by its declared length, so a 25-byte crafted
//! file declaring 2³¹ schema elements asks for 223 GB and aborts. This walks the footer's
//! Thrift compact encoding without allocating: every list, map and string must fit in the
//! bytes left, nesting is bounded, and the declared row count must be one a file of this
//! size can hold. polars reads a known field by its id whatever type the bytes declare, so
//! the fields it reads (FileMetaData, SchemaElement, RowGroup, ColumnChunk, ColumnMetaData,
//! Statistics, KeyValue, SortingColumn) must declare the type the Parquet format gives them;
//! otherwise polars would read the bytes as something else than this walk did. The page
//! headers of every column chunk are walked the same way, as polars reads them (until the
//! chunk's declared values are seen): a page declaring a negative or impossible number of
//! values made polars reserve 2⁶¹ bytes for its validity bitmap.

use super::detect::PARQUET_MAGIC;

/// Rows a Parquet trace may declare per byte of file: even a dictionary- and run-length-encoded
/// trace spends more than 1/64 byte on a row (its timestamps differ).
const MAX_ROWS_PER_BYTE: u64 = 64;

/// Nesting depth of Thrift structs, lists and maps (a trace's footer nests a few levels).
const MAX_DEPTH: u32 = 32;

/// Checks `file` (a whole Parquet file): magic numbers, the footer length, the footer's
/// Thrift encoding and its row count. Returns the problem in words.
pub(super) fn check(file: &[u8]) -> Result<(), String> {
    let len = file.len();
    if len < 12 || !file.starts_with(PARQUET_MAGIC) || !file.ends_with(PARQUET_MAGIC) {
        return Err(format!(
            "{len} bytes that do not start and end with the Parquet magic number (PAR1)"
        ));
    }
    let mut meta_len = [0u8; 4];
    meta_len.copy_from_slice(&file[len - 8..len - 4]);
    let meta_len = u32::from_le_bytes(meta_len) as usize;
    if meta_len + 12 > len {
        return Err(format!(
            "the footer says the metadata is {meta_len} bytes, but the file has only {len}"
        ));
    }
    let mut walker = Walker::new(&file[len - 8 - meta_len..len - 8]);
    walker.structure(0, Kind::File)?;
    let num_rows = walker.num_rows.unwrap_or(0);
    let most = (len as u64).saturating_mul(MAX_ROWS_PER_BYTE);
    let fits = |n: i64| u64::try_from(n).is_ok_and(|n| n <= most);
    if !fits(num_rows) {
        return Err(format!(
            "the footer declares {num_rows} rows, which a file of {len} bytes cannot hold"
        ));
    }
    for (i, chunk) in walker.chunks.iter().enumerate() {
        if !fits(chunk.num_values) {
            return Err(format!(
                "column chunk {} declares {} values, which a file of {len} bytes cannot hold",
                i + 1,
                chunk.num_values
            ));
        }
        pages(file, i + 1, chunk, &fits)?;
    }
    Ok(())
}

/// Walks a column chunk's page headers as polars reads them: from the dictionary page (or the
/// first data page) through the chunk's compressed bytes, page after page, until the data pages
/// have declared the chunk's values. Every count a page declares must be one the file can hold.
fn pages(file: &[u8], number: usize, chunk: &Chunk, fits: &impl Fn(i64) -> bool) -> Result<(), String> {
    let start = chunk.dictionary_page_offset.unwrap_or(chunk.data_page_offset);
    let range = u64::try_from(start)
        .ok()
        .zip(u64::try_from(chunk.total_compressed_size).ok())
        .and_then(|(start, size)| Some(start..start.checked_add(size)?))
        .filter(|r| r.end <= file.len() as u64);
    let Some(range) = range else {
        return Err(format!(
            "column chunk {number} declares its pages at byte {start}, {} bytes long, outside the file's {} bytes",
            chunk.total_compressed_size,
            file.len()
        ));
    };
    let bytes = &file[range.start as usize..range.end as usize];
    let mut at = 0usize;
    let mut seen: i64 = 0;
    while seen < chunk.num_values {
        let mut walker = Walker::new(&bytes[at..]);
        walker.structure(0, Kind::Page).map_err(|e| {
            format!(
                "column chunk {number}, page header at byte {}: {e}",
                range.start as usize + at
            )
        })?;
        let page = walker.page;
        if let Some(bad) = page.counts.iter().find(|&&n| !fits(n)) {
            return Err(format!(
                "column chunk {number}: a page at byte {} declares {bad} values, which a file of {} bytes cannot hold",
                range.start as usize + at,
                file.len()
            ));
        }
        // As polars counts: v1 and v2 data pages add their values, dictionary pages none.
        seen += match page.page_type {
            Some(0) => page.data_values[0].unwrap_or(0),
            Some(3) => page.data_values[1].unwrap_or(0),
            _ => 0,
        };
        let size = page.compressed_page_size.and_then(|n| usize::try_from(n).ok());
        match size.and_then(|n| at.checked_add(walker.pos)?.checked_add(n)) {
            Some(next) if next <= bytes.len() => at = next,
            // polars stops here with an error of its own.
            _ => return Ok(()),
        }
    }
    Ok(())
}

impl<'a> Walker<'a> {
    fn new(buf: &'a [u8]) -> Walker<'a> {
        Walker {
            buf,
            pos: 0,
            num_rows: None,
            chunks: Vec::new(),
            page: PageHeader::default(),
        }
    }
}

/// The Thrift structs of the footer whose fields polars reads by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Schema,
    RowGroup,
    Column,
    Meta,
    Stats,
    KeyValue,
    Sorting,
    /// A page header, and the data-page (v1, v2) and dictionary-page headers inside it.
    Page,
    DataPage,
    DataPageV2,
    DictionaryPage,
    /// A struct polars does not read field by field here (or not at all): skipped as declared.
    Other,
}

/// What a known field must be: a scalar of a compact type, a list of them, or a struct.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Scalar(u8),
    List(u8, Kind),
    Struct(Kind),
}

const BOOL: u8 = 1;
const I32: u8 = 5;
const I64: u8 = 6;
const BINARY: u8 = 8;
const STRUCT: u8 = 12;

/// The shape polars expects of field `id` of a `kind` struct (`None`: polars skips it).
fn shape(kind: Kind, id: i64) -> Option<Shape> {
    use Shape::*;
    Some(match (kind, id) {
        (Kind::File, 1) => Scalar(I32),
        (Kind::File, 2) => List(STRUCT, Kind::Schema),
        (Kind::File, 3) => Scalar(I64),
        (Kind::File, 4) => List(STRUCT, Kind::RowGroup),
        (Kind::File, 5) => List(STRUCT, Kind::KeyValue),
        (Kind::File, 6) => Scalar(BINARY),
        (Kind::File, 7) => List(STRUCT, Kind::Other),
        (Kind::Schema, 1..=3 | 5..=9) => Scalar(I32),
        (Kind::Schema, 4) => Scalar(BINARY),
        (Kind::Schema, 10) => Struct(Kind::Other),
        (Kind::RowGroup, 1) => List(STRUCT, Kind::Column),
        (Kind::RowGroup, 2 | 3 | 5..=7) => Scalar(I64),
        (Kind::RowGroup, 4) => List(STRUCT, Kind::Sorting),
        (Kind::Column, 1) => Scalar(BINARY),
        (Kind::Column, 2 | 4..=7) => Scalar(I64),
        (Kind::Column, 3) => Struct(Kind::Meta),
        (Kind::Meta, 1 | 4..=7 | 9..=11 | 14 | 15) => Scalar(I64),
        (Kind::Meta, 2) => List(I32, Kind::Other),
        (Kind::Meta, 3) => List(BINARY, Kind::Other),
        (Kind::Meta, 12) => Struct(Kind::Stats),
        (Kind::Stats, 1 | 2 | 5 | 6) => Scalar(BINARY),
        (Kind::Stats, 3 | 4) => Scalar(I64),
        (Kind::Stats, 7 | 8) => Scalar(BOOL),
        (Kind::KeyValue, 1 | 2) => Scalar(BINARY),
        (Kind::Sorting, 1) => Scalar(I32),
        (Kind::Sorting, 2 | 3) => Scalar(BOOL),
        (Kind::Page, 1..=4) => Scalar(I32),
        (Kind::Page, 5) => Struct(Kind::DataPage),
        (Kind::Page, 6) => Struct(Kind::Other),
        (Kind::Page, 7) => Struct(Kind::DictionaryPage),
        (Kind::Page, 8) => Struct(Kind::DataPageV2),
        (Kind::DataPage, 1..=4) => Scalar(I32),
        (Kind::DataPage, 5) => Struct(Kind::Stats),
        (Kind::DictionaryPage, 1 | 2) => Scalar(I32),
        (Kind::DictionaryPage, 3) => Scalar(BOOL),
        (Kind::DataPageV2, 1..=6) => Scalar(I32),
        (Kind::DataPageV2, 7) => Scalar(BOOL),
        (Kind::DataPageV2, 8) => Struct(Kind::Stats),
        _ => return None,
    })
}

/// Whether compact type `declared` is what `expected` is read as (booleans are 1 or 2; the
/// integers of 2, 4 and 8 bytes are all varints).
fn same_type(declared: u8, expected: u8) -> bool {
    match expected {
        BOOL => matches!(declared, 1 | 2),
        4..=6 => matches!(declared, 4..=6),
        other => declared == other,
    }
}

/// Where a column chunk's pages lie and how many values they hold, from its ColumnMetaData.
#[derive(Debug, Default, Clone, Copy)]
struct Chunk {
    num_values: i64,
    total_compressed_size: i64,
    data_page_offset: i64,
    dictionary_page_offset: Option<i64>,
}

/// What one page header declares.
#[derive(Debug, Default)]
struct PageHeader {
    page_type: Option<i64>,
    compressed_page_size: Option<i64>,
    /// `num_values` of the data-page v1 header, or of the v2 header (which polars counts).
    data_values: [Option<i64>; 2],
    /// Every count the header declares (values, nulls, rows): each must fit the file.
    counts: Vec<i64>,
}

/// A reader of Thrift compact-protocol values that only checks and skips them.
struct Walker<'a> {
    buf: &'a [u8],
    pos: usize,
    /// `FileMetaData.num_rows` (field 3 of the top-level struct), once met.
    num_rows: Option<i64>,
    /// Each ColumnMetaData met, in order.
    chunks: Vec<Chunk>,
    /// The page header being walked.
    page: PageHeader,
}

impl Walker<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or_else(|| format!("the metadata ends early (at byte {})", self.pos))?;
        self.pos += 1;
        Ok(b)
    }

    fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn skip(&mut self, n: usize) -> Result<(), String> {
        if n > self.left() {
            return Err(format!(
                "the metadata declares {n} bytes at byte {} but has only {} left",
                self.pos,
                self.left()
            ));
        }
        self.pos += n;
        Ok(())
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift.min(63);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("a number longer than 10 bytes at byte {}", self.pos))
    }

    fn zigzag(&mut self) -> Result<i64, String> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// A count of elements, each taking at least one byte of what is left.
    fn count(&mut self, n: u64) -> Result<usize, String> {
        match usize::try_from(n) {
            Ok(n) if n <= self.left() => Ok(n),
            _ => Err(format!(
                "the metadata declares {n} elements at byte {} but has only {} bytes left",
                self.pos,
                self.left()
            )),
        }
    }

    fn structure(&mut self, depth: u32, kind_of_struct: Kind) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("the metadata nests deeper than {MAX_DEPTH} levels"));
        }
        let mut field: i64 = 0;
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(());
            }
            let declared = header & 0x0f;
            field = match header >> 4 {
                0 => self.zigzag()?,
                delta => field + i64::from(delta),
            };
            let Some(expected) = shape(kind_of_struct, field) else {
                self.value(declared, depth)?;
                continue;
            };
            let wanted = match expected {
                Shape::Scalar(t) => t,
                Shape::List(..) => 9,
                Shape::Struct(_) => STRUCT,
            };
            if !same_type(declared, wanted) {
                return Err(format!(
                    "field {field} of {kind_of_struct:?} has Thrift type {declared} at byte {}, where the format has {wanted}",
                    self.pos
                ));
            }
            match expected {
                Shape::Scalar(I32 | I64) if self.captures(kind_of_struct, field) => {
                    let v = self.zigzag()?;
                    self.capture(kind_of_struct, field, v);
                }
                Shape::Scalar(_) => self.value(declared, depth)?,
                Shape::Struct(Kind::Meta) => {
                    self.chunks.push(Chunk::default());
                    self.structure(depth + 1, Kind::Meta)?;
                }
                Shape::Struct(k) => self.structure(depth + 1, k)?,
                Shape::List(element, k) => {
                    let header = self.byte()?;
                    let n = match header >> 4 {
                        15 => self.varint()?,
                        short => u64::from(short),
                    };
                    let n = self.count(n)?;
                    if n > 0 && !same_type(header & 0x0f, element) {
                        return Err(format!(
                            "the list in field {field} of {kind_of_struct:?} holds Thrift type {} at byte {}, where the \
                             format has {element}",
                            header & 0x0f,
                            self.pos
                        ));
                    }
                    for _ in 0..n {
                        if element == STRUCT {
                            self.structure(depth + 1, k)?;
                        } else {
                            self.element(header & 0x0f, depth + 1)?;
                        }
                    }
                }
            }
        }
    }

    /// Whether field `field` of a `kind` struct is an integer the checks need.
    fn captures(&self, kind: Kind, field: i64) -> bool {
        matches!(
            (kind, field),
            (Kind::File, 3)
                | (Kind::Meta, 5 | 7 | 9 | 11)
                | (Kind::Page, 1 | 3)
                | (Kind::DataPage | Kind::DictionaryPage, 1)
                | (Kind::DataPageV2, 1..=3)
        )
    }

    /// Keeps an integer the checks need (see `captures`).
    fn capture(&mut self, kind: Kind, field: i64, v: i64) {
        if kind == Kind::File {
            self.num_rows = Some(v);
            return;
        }
        if kind == Kind::Meta {
            if let Some(c) = self.chunks.last_mut() {
                match field {
                    5 => c.num_values = v,
                    7 => c.total_compressed_size = v,
                    9 => c.data_page_offset = v,
                    _ => c.dictionary_page_offset = Some(v),
                }
            }
            return;
        }
        let page = &mut self.page;
        match (kind, field) {
            (Kind::Page, 1) => page.page_type = Some(v),
            (Kind::Page, _) => page.compressed_page_size = Some(v),
            (Kind::DataPage, _) => {
                page.data_values[0] = Some(v);
                page.counts.push(v);
            }
            (Kind::DataPageV2, 1) => {
                page.data_values[1] = Some(v);
                page.counts.push(v);
            }
            _ => page.counts.push(v),
        }
    }

    /// Skips one value of compact type `kind` (as a struct field: booleans carry no byte).
    fn value(&mut self, kind: u8, depth: u32) -> Result<(), String> {
        match kind {
            1 | 2 => Ok(()),
            3 => self.skip(1),
            4..=6 => self.varint().map(drop),
            7 => self.skip(8),
            8 => {
                let n = self.varint()?;
                let n = self.count(n)?;
                self.skip(n)
            }
            9 | 10 => {
                let header = self.byte()?;
                let n = match header >> 4 {
                    15 => self.varint()?,
                    short => u64::from(short),
                };
                let n = self.count(n)?;
                let element = header & 0x0f;
                for _ in 0..n {
                    self.element(element, depth + 1)?;
                }
                Ok(())
            }
            11 => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                let n = self.count(n)?;
                let kinds = self.byte()?;
                for _ in 0..n {
                    self.element(kinds >> 4, depth + 1)?;
                    self.element(kinds & 0x0f, depth + 1)?;
                }
                Ok(())
            }
            12 => self.structure(depth + 1, Kind::Other),
            other => Err(format!("unknown Thrift type {other} at byte {}", self.pos)),
        }
    }

    /// Skips one list, set or map element (booleans take a byte here).
    fn element(&mut self, kind: u8, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("the metadata nests deeper than {MAX_DEPTH} levels"));
        }
        match kind {
            1 | 2 => self.skip(1),
            _ => self.value(kind, depth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(meta: &[u8]) -> Vec<u8> {
        let mut f = PARQUET_MAGIC.to_vec();
        f.extend_from_slice(meta);
        f.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        f.extend_from_slice(PARQUET_MAGIC);
        f
    }

    #[test]
    fn a_list_longer_than_the_file_is_refused() {
        // version 1, then a schema list declaring 2^31 - 1 structs (polars asked for 223 GB).
        let e = check(&file(&[0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00])).unwrap_err();
        assert!(e.contains("2147483647 elements"), "{e}");
    }

    #[test]
    fn a_row_count_beyond_the_file_is_refused() {
        // version 1, an empty schema, num_rows 2^31 - 1, no row groups.
        let e = check(&file(&[
            0x15, 0x02, 0x19, 0x0c, 0x16, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x19, 0x0c, 0x00,
        ]))
        .unwrap_err();
        assert!(e.contains("2147483647 rows"), "{e}");
        check(&file(&[0x15, 0x02, 0x19, 0x0c, 0x16, 0x04, 0x19, 0x0c, 0x00])).unwrap();
    }

    #[test]
    fn a_known_field_of_another_type_is_refused() {
        // Found by fuzzing: row_groups (field 4) declared a bool; polars reads it as a list
        // anyway, and the bytes after it declared 2^32 - 1 column chunks (55 GB).
        let e = check(&file(b"AF\x04\x00\xff<\x19\xf8\xff\xff\xff\xff\x00\x00\x00N")).unwrap_err();
        assert!(e.contains("field 4 of File has Thrift type 1"), "{e}");
        // A sorting column's flag must be a bool (polars-parquet panicked on another type).
        let sorting = [
            0x15, 0x02, 0x19, 0x0c, 0x16, 0x00, 0x19, 0x1c, 0x49, 0x1c, 0x15, 0x00, 0x15, 0x02, 0x00, 0x00, 0x00,
        ];
        assert!(check(&file(&sorting)).unwrap_err().contains("field 2 of Sorting"));
    }

    /// A file with one column chunk at byte 4 holding `page` (a page header), declaring
    /// `chunk_values` values (a zigzag varint) and the page's length as its compressed size.
    fn with_page(page: &[u8], chunk_values: &[u8]) -> Vec<u8> {
        let mut f = PARQUET_MAGIC.to_vec();
        f.extend_from_slice(page);
        let meta = [
            // version 1, no schema, num_rows 0, one row group of one column chunk at byte 4
            vec![
                0x15, 0x02, 0x19, 0x0c, 0x16, 0x00, 0x19, 0x1c, 0x19, 0x1c, 0x26, 0x08, 0x1c,
            ],
            // ColumnMetaData: num_values (zigzag), total_compressed_size, data_page_offset 4
            [&[0x56], chunk_values].concat(),
            vec![0x26, 2 * page.len() as u8, 0x26, 0x08, 0x00],
            // ends of the column chunk, the row group and the file metadata
            vec![0x00, 0x00, 0x00],
        ]
        .concat();
        f.extend_from_slice(&meta);
        f.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        f.extend_from_slice(PARQUET_MAGIC);
        f
    }

    #[test]
    fn page_headers_declaring_impossible_counts_are_refused() {
        // A v1 data page (type 0, sizes 0) declaring 1,000,000 values (zigzag varint 80 89 7a)
        // in a 48-byte file, which holds at most 48 × 64 = 3,072.
        let page = [
            0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x2c, 0x15, 0x80, 0x89, 0x7a, 0x00, 0x00,
        ];
        let f = with_page(&page, &[2]);
        let e = check(&f).unwrap_err();
        assert!(
            e.contains("a page at byte 4 declares 1000000 values, which a file of 48 bytes"),
            "{e}"
        );
        // -1 values (zigzag 1): polars reserved 2^61 bytes for the validity bitmap.
        let page = [0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x2c, 0x15, 0x01, 0x00, 0x00];
        assert!(check(&with_page(&page, &[2]))
            .unwrap_err()
            .contains("declares -1 values"));
        // One value, as the chunk declares: accepted.
        let page = [0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x2c, 0x15, 0x02, 0x00, 0x00];
        check(&with_page(&page, &[2])).unwrap();
        // A chunk declaring 1,000,000 values is refused before its pages are read.
        let e = check(&with_page(&page, &[0x80, 0x89, 0x7a])).unwrap_err();
        assert!(
            e.contains("column chunk 1 declares 1000000 values, which a file of"),
            "{e}"
        );
    }

    #[test]
    fn truncated_footers_and_sizes_are_refused() {
        assert!(check(b"PAR1PAR1").unwrap_err().contains("magic"));
        let mut f = file(&[0x15, 0x02, 0x00]);
        let n = f.len();
        f[n - 8..n - 4].copy_from_slice(&1000u32.to_le_bytes());
        assert!(check(&f).unwrap_err().contains("1000 bytes"));
        assert!(check(&file(&[0x15, 0x02])).unwrap_err().contains("ends early"));
        // Field 15 (unknown) of the file metadata, holding structs within structs.
        let deep = [vec![0xfc], vec![0x1c; 40], vec![0; 41]].concat();
        assert!(check(&file(&deep)).unwrap_err().contains("nests deeper"));
    }
}
