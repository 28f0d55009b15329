//! Price-table errors: each names the file, the line and the key, says what was wrong and
//! what is expected, so a user editing `--pricing DIR` tables can fix them.

/// One problem in one price table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PricingError {
    /// The file or directory could not be read.
    #[error("{path}: cannot read: {problem}")]
    Io {
        /// File or directory path.
        path: String,
        /// The I/O error, as text.
        problem: String,
    },
    /// A TOML syntax or schema error (unknown key, wrong type, missing field).
    #[error("{path}:{line}: {message}")]
    Toml {
        /// File path.
        path: String,
        /// 1-based line number (0 when the parser gave no position).
        line: usize,
        /// The parser's message (it names the key).
        message: String,
    },
    /// A value that parses but is wrong (negative price, tiers out of order, bad date …).
    #[error("{path}:{line}: key '{key}': {problem}; expected {expected}")]
    Invalid {
        /// File path.
        path: String,
        /// 1-based line number.
        line: usize,
        /// Dotted key, e.g. `prices.duration-x86.tiers[1].up_to`.
        key: String,
        /// What is wrong.
        problem: String,
        /// What the key must hold.
        expected: String,
    },
}

/// Every problem found while loading a set of tables (validation reports them all, not the first).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} price-table error(s):\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
pub struct PricingErrors(pub Vec<PricingError>);

/// 1-based line number of byte offset `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_one_based() {
        let text = "a = 1\nb = 2\nc = 3\n";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 6), 2);
        assert_eq!(line_of(text, 12), 3);
        assert_eq!(line_of(text, 999), 4);
    }
}
