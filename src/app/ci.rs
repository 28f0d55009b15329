//! CI integration on GitHub Actions: annotations (`::warning::`/`::error::` workflow commands,
//! printed on stderr when `GITHUB_ACTIONS=true`, so stdout stays the requested format) and the job
//! summary (Markdown appended to the file `$GITHUB_STEP_SUMMARY` names). Messages are sanitized and
//! escaped as the runner requires (`%`, CR, LF), so text from a trace cannot start another command.

use anyhow::Context;
use std::io::Write;

/// Whether this process runs as a GitHub Actions step.
pub fn on_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// A workflow-command annotation line (`::error title=…::message`), escaped.
pub fn annotation(level: &str, title: &str, message: &str) -> String {
    let data = |s: &str| {
        crate::report::sanitize::terminal(s)
            .replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    format!("::{level} title={}::{}", property(title), data(message))
}

/// Prints an annotation on stderr when running on GitHub Actions.
pub fn annotate(level: &str, title: &str, message: &str) {
    if on_github_actions() {
        eprintln!("{}", annotation(level, title, message));
    }
}

/// Appends `markdown` to `$GITHUB_STEP_SUMMARY` when it is set; returns the file written.
pub fn append_step_summary(markdown: &str) -> anyhow::Result<Option<String>> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let shown = std::path::Path::new(&path).display().to_string();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("opening $GITHUB_STEP_SUMMARY ({shown})"))?;
    file.write_all(markdown.as_bytes())
        .and_then(|_| file.write_all(b"\n"))
        .with_context(|| format!("appending to $GITHUB_STEP_SUMMARY ({shown})"))?;
    Ok(Some(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_cannot_smuggle_commands() {
        assert_eq!(
            annotation("error", "faascost: gate", "100% over\n::add-mask::x\u{1b}"),
            "::error title=faascost%3A gate::100%25 over%0A::add-mask::x\\u{1b}"
        );
    }
}
