//! One integration-test binary, grouped by concern (ripgrep's layout).

mod util;

mod cli;
mod data;
mod report;
mod selection;
mod spec;
