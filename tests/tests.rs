//! One integration-test binary, grouped by concern (ripgrep's layout).

mod util;

mod bad_inputs;
mod calibration;
mod claims;
mod cli;
mod cluster;
mod data;
mod experiment;
mod family;
mod flexi;
mod fuzz;
mod hostile;
mod hostile_results;
mod pages;
mod plots;
mod real_data;
mod replicates;
mod report;
mod reproduce;
mod resume;
mod selection;

mod swim;
