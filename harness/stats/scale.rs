//! What an interval is made on and how (shared by `interval`, which makes them,
//! and `censor`, which carries them with censored ends).

use serde::{Deserialize, Serialize};

/// The scale a statistic's sampling error is symmetric on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Ratios (speed-ups, factors): log.
    Log,
    /// Differences, slopes, shares.
    Linear,
}

impl Scale {
    pub(super) fn to(self, v: f64) -> f64 {
        match self {
            Scale::Log => libm::log(v),
            Scale::Linear => v,
        }
    }

    pub(super) fn from(self, v: f64) -> f64 {
        match self {
            Scale::Log => libm::exp(v),
            Scale::Linear => v,
        }
    }
}

/// How an interval's ends are read from bootstrap replicates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    Percentile,
    StudentT,
}
