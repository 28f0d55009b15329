//! End-to-end CLI tests: one integration binary, one module per command.

mod cost;
