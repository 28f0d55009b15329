//! One sanitizer for text that reaches a terminal: every message, warning and table cell
//! printed passes through `terminal`, so strings from traces (function names, descriptions,
//! notes) can never move the cursor, recolour, retitle or reorder the screen. ESC and the other
//! C0/C1 control characters, DEL and the bidirectional overrides and isolates (U+202A–U+202E,
//! U+2066–U+2069, Trojan Source) are written as visible escapes (`\u{1b}`); newlines stay.

use std::borrow::Cow;

/// Whether a character must not reach a terminal or a rendered page as itself.
pub fn is_unsafe(ch: char) -> bool {
    (ch.is_control() && ch != '\n') || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character replaced by a visible `\u{…}` escape.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if is_unsafe(ch) {
            out.push_str(&format!("\\u{{{:x}}}", ch as u32));
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_become_visible_escapes() {
        assert_eq!(terminal("plain\nline"), "plain\nline");
        assert!(matches!(terminal("plain"), Cow::Borrowed(_)));
        assert_eq!(terminal("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(
            terminal("tab\tcr\rbel\u{7}del\u{7f}c1\u{9b}"),
            "tab\\u{9}cr\\u{d}bel\\u{7}del\\u{7f}c1\\u{9b}"
        );
        assert_eq!(terminal("x\u{202E}gnp.exe\u{2066}"), "x\\u{202e}gnp.exe\\u{2066}");
        assert_eq!(terminal("ünïcode ✓"), "ünïcode ✓");
    }
}
