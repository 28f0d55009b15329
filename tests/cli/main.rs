//! End-to-end tests of the `faascost` binary, one module per subcommand.

mod simulate;
