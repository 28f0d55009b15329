//! The `faascost` binary: parse the command line, run it, print errors with their causes
//! and map them to exit codes (0 success, 1 a policy or threshold failed, 2 a usage or
//! input error). A closed stdout pipe (`faascost … | head`) counts as success.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    pin_mmap_threshold();
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

/// glibc's malloc takes a block from its heap when it is below a threshold, and raises that
/// threshold (up to 32 MiB) to the size of each larger block it had mapped on its own and is
/// given back: after the traces' read buffers are freed, a replay's count tables and
/// histograms, vectors that grow by reallocation, come from the heap and leave their old
/// places behind as holes the process keeps. Pinning the threshold at 1 MiB maps every larger
/// block on its own (grown in place by `mremap`, returned when freed). Measured with the
/// threshold set from the environment on one build (BENCHMARKS.md): a 14-day 5,000-function
/// Cloud Run replay peaks 11 % lower, `analyze` of a 1,000-function day 18 % lower for 0.7
/// CPU-s more of system time (+2.5 %); glibc's initial 128 KiB saved more (−18 %, −24 %) but
/// cost `analyze` 10 % more CPU in mapping and unmapping its replays' buffers.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn pin_mmap_threshold() {
    const MMAP_THRESHOLD_BYTES: libc::c_int = 1 << 20;
    // SAFETY: `mallopt` sets one of malloc's parameters; it is called first thing in `main`,
    // before any other thread exists, and a refusal (0) leaves malloc as it was.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    }
}

/// Other C libraries' allocators keep their own policies.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn pin_mmap_threshold() {}
