//! The settings trends and figures run along, read from the results' typed columns.

use serde::Serialize;

use super::cells::Cell;

/// A setting that trends and figures run along: a typed column of the results,
/// read where the experiment sweeps the key that sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    /// The effective filtering ratio 1 − b/B.
    FilterRatio,
    BatchSize,
    Gain,
    ReferenceQuality,
}

impl Knob {
    pub const ALL: [Knob; 4] = [
        Knob::FilterRatio,
        Knob::ReferenceQuality,
        Knob::BatchSize,
        Knob::Gain,
    ];

    /// The sweep key that sets it.
    pub fn key(self) -> &'static str {
        match self {
            Knob::FilterRatio => "train.filter_ratio",
            Knob::BatchSize => "train.batch_size",
            Knob::Gain => "train.gain",
            Knob::ReferenceQuality => "reference.quality",
        }
    }
}

/// Saved as its sweep key, as `analysis.json` always named it.
impl Serialize for Knob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl Cell {
    /// This cell's value of `knob`, from its typed column, where its experiment
    /// sweeps that knob.
    pub fn along(&self, knob: Knob) -> Option<f64> {
        if !self.sweep.iter().any(|(k, _)| k == knob.key()) {
            return None;
        }
        Some(match knob {
            Knob::FilterRatio => self.filter_ratio,
            Knob::BatchSize => self.batch_size as f64,
            Knob::Gain => self.gain,
            Knob::ReferenceQuality => self.reference_quality,
        })
    }
}
