//! One pass over each trace input: a file, FIFO or process substitution (`<(cat f.csv)`) is
//! opened once, its first bytes are kept for format detection, and every byte the reader
//! takes is counted and, when the provenance needs it (`analyze`), hashed (SHA-256) on the way. Lines are
//! capped in length, so a file without line ends (`/dev/zero`, a 200 MB single line) is
//! refused with its line number instead of growing a buffer without bound.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Chain, Cursor, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::TraceError;

/// Bytes kept from the head of an input to detect its format.
pub const HEAD_BYTES: usize = 64 * 1024;

/// The longest line (bytes before its line end) a CSV trace may have: an Azure 2019 row of
/// 1,440 minute counts is ~10 KB.
pub const CSV_LINE_LIMIT: u64 = 1 << 20;

/// The longest line a Lambda log may have: a log export written as one JSON document on a
/// single line is far longer than any CSV row.
pub const LOG_LINE_LIMIT: u64 = 64 << 20;

/// The size and SHA-256 of an input, taken while it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Bytes read.
    pub bytes: u64,
    /// SHA-256 of those bytes, lowercase hex (when the input was opened to be hashed).
    pub sha256: Option<String>,
}

/// A line longer than the limit (carried inside an `io::Error` to the reader's error path).
#[derive(Debug)]
pub(crate) struct LineTooLong {
    /// 1-based line number.
    pub line: u64,
    /// The limit in bytes.
    pub limit: u64,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} is longer than {} bytes", self.line, self.limit)
    }
}

impl std::error::Error for LineTooLong {}

/// Hashes, counts and checks the line lengths of the bytes read through it.
struct Meter<R> {
    inner: R,
    hasher: Option<Sha256>,
    bytes: u64,
    /// Line ends seen so far.
    line_ends: u64,
    /// Bytes of the current line so far.
    line_len: u64,
    line_limit: Option<u64>,
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        if let Some(h) = &mut self.hasher {
            h.update(chunk);
        }
        self.bytes += n as u64;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk) {
            self.check(self.line_len + (end - start) as u64)?;
            self.line_ends += 1;
            self.line_len = 0;
            start = end + 1;
        }
        self.line_len += (n - start) as u64;
        self.check(self.line_len)?;
        Ok(n)
    }
}

impl<R> Meter<R> {
    fn check(&self, len: u64) -> io::Result<()> {
        match self.line_limit {
            Some(limit) if len > limit => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                LineTooLong {
                    line: self.line_ends + 1,
                    limit,
                },
            )),
            _ => Ok(()),
        }
    }
}

/// One trace input, read once from start to end.
pub struct Input {
    path: PathBuf,
    head: Vec<u8>,
    reader: BufReader<Meter<Chain<Cursor<Vec<u8>>, File>>>,
}

impl Input {
    /// Opens `path` and reads its first bytes (up to [`HEAD_BYTES`]); lines are capped at
    /// [`CSV_LINE_LIMIT`] until [`Input::set_line_limit`] says otherwise. With `hash`, the
    /// bytes read are hashed for [`Input::finish`].
    pub fn open(path: &Path, hash: bool) -> Result<Input, TraceError> {
        let mut file = File::open(path).map_err(|e| TraceError::io(path, e))?;
        let mut head = Vec::with_capacity(HEAD_BYTES);
        (&mut file)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|e| TraceError::io(path, e))?;
        let meter = Meter {
            inner: Cursor::new(head.clone()).chain(file),
            hasher: hash.then(Sha256::new),
            bytes: 0,
            line_ends: 0,
            line_len: 0,
            line_limit: Some(CSV_LINE_LIMIT),
        };
        Ok(Input {
            path: path.to_path_buf(),
            head,
            reader: BufReader::new(meter),
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The first bytes of the input (all of it when shorter than [`HEAD_BYTES`]).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Sets the longest line accepted from here on (`None`: no limit, for binary formats).
    pub fn set_line_limit(&mut self, limit: Option<u64>) {
        self.reader.get_mut().line_limit = limit;
    }

    /// Reads the rest of the input into memory.
    pub fn read_rest(&mut self) -> Result<Vec<u8>, TraceError> {
        let mut out = Vec::new();
        self.reader
            .read_to_end(&mut out)
            .map_err(|e| TraceError::io(&self.path, e))?;
        Ok(out)
    }

    /// Reads whatever the reader left (nothing, normally) and returns the input's size and
    /// SHA-256.
    pub fn finish(mut self) -> Result<Digest, TraceError> {
        io::copy(&mut self.reader, &mut io::sink()).map_err(|e| TraceError::io(&self.path, e))?;
        let meter = self.reader.into_inner();
        Ok(Digest {
            bytes: meter.bytes,
            sha256: meter
                .hasher
                .map(|h| h.finalize().iter().map(|b| format!("{b:02x}")).collect()),
        })
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.reader.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.reader.consume(amt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content).unwrap();
        f
    }

    #[test]
    fn head_and_rest_are_one_pass_and_hashed() {
        let content: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{i}\n").into_bytes()).collect();
        let f = file(&content);
        let mut input = Input::open(f.path(), true).unwrap();
        assert_eq!(input.head(), &content[..HEAD_BYTES]);
        let mut first = String::new();
        input.read_line(&mut first).unwrap();
        assert_eq!(first, "0\n");
        let rest = input.read_rest().unwrap();
        assert_eq!(rest.len() + 2, content.len());
        let d = input.finish().unwrap();
        assert_eq!(d.bytes, content.len() as u64);
        let want: String = Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(d.sha256, Some(want));
        let d = Input::open(f.path(), false).unwrap().finish().unwrap();
        assert_eq!((d.bytes, d.sha256), (content.len() as u64, None));
    }

    #[test]
    fn finish_hashes_what_the_reader_left() {
        let f = file(b"a\nb\nc\n");
        let mut input = Input::open(f.path(), true).unwrap();
        let mut line = String::new();
        input.read_line(&mut line).unwrap();
        let d = input.finish().unwrap();
        assert_eq!(d.bytes, 6);
        let want: String = Sha256::digest(b"a\nb\nc\n")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(d.sha256, Some(want));
    }

    #[test]
    fn a_line_over_the_limit_is_refused_with_its_number() {
        let mut content = b"short\nline\n".to_vec();
        content.extend(std::iter::repeat_n(b'x', 300));
        content.push(b'\n');
        let f = file(&content);
        let mut input = Input::open(f.path(), false).unwrap();
        input.set_line_limit(Some(100));
        let e = input.read_rest().unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("100 bytes"), "{e}");
        let mut input = Input::open(f.path(), false).unwrap();
        input.set_line_limit(None);
        assert_eq!(input.read_rest().unwrap().len(), content.len());
    }
}
