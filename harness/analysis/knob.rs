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
    /// The towers' hidden width (`model.width`; the embedding is half of it).
    Width,
    /// The towers' number of hidden layers (`model.depth`).
    Depth,
    /// The pool's size at a fixed number of examples seen (`dataset.pool`).
    Pool,
}

impl Knob {
    pub const ALL: [Knob; 7] = [
        Knob::FilterRatio,
        Knob::ReferenceQuality,
        Knob::BatchSize,
        Knob::Gain,
        Knob::Width,
        Knob::Depth,
        Knob::Pool,
    ];

    /// The scale-ladder axes (docs/methods.md §5 "Scale trends"): sizes, read on a
    /// log2 scale (a slope is the change per doubling).
    pub const SCALE: [Knob; 4] = [Knob::Width, Knob::Depth, Knob::BatchSize, Knob::Pool];

    /// Whether a figure draws it on a log axis.
    pub fn log_scale(self) -> bool {
        matches!(self, Knob::Width | Knob::Pool)
    }

    /// A few words for it.
    pub fn words(self) -> &'static str {
        match self {
            Knob::FilterRatio => "filtering ratio",
            Knob::BatchSize => "learning batch",
            Knob::Gain => "gain",
            Knob::ReferenceQuality => "reference quality",
            Knob::Width => "tower width",
            Knob::Depth => "tower depth",
            Knob::Pool => "pool size",
        }
    }

    /// The sweep key that sets it.
    pub fn key(self) -> &'static str {
        match self {
            Knob::FilterRatio => "train.filter_ratio",
            Knob::BatchSize => "train.batch_size",
            Knob::Gain => "train.gain",
            Knob::ReferenceQuality => "reference.quality",
            Knob::Width => "model.width",
            Knob::Depth => "model.depth",
            Knob::Pool => "dataset.pool",
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
        let (_, value) = self.sweep.iter().find(|(k, _)| k == knob.key())?;
        Some(match knob {
            Knob::FilterRatio => self.filter_ratio,
            Knob::BatchSize => self.batch_size as f64,
            Knob::Gain => self.gain,
            Knob::ReferenceQuality => self.reference_quality,
            // Sizes the results carry no typed column for: the swept value itself
            // (a whole number, as the configuration took it).
            Knob::Width | Knob::Depth | Knob::Pool => value.trim().parse().ok()?,
        })
    }
}
