//! The `faascost` binary: parse the command line, run it, print errors with their causes
//! and map them to exit codes (0 success, 1 a policy or threshold failed, 2 a usage or
//! input error). A closed stdout pipe (`faascost … | head`) counts as success.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = faascost::cli::Cli::parse();
    match faascost::app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            let broken_pipe = err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            // Error messages quote inputs (file names, cells): no control character reaches the terminal.
            eprintln!("error: {}", faascost::report::sanitize::terminal(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}
