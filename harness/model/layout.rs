//! Where each parameter lives in the flat vector `theta` (its FLOPs: `crate::flops`).

use std::ops::Range;

use crate::model::ModelSpec;

/// One parameter: `rows × cols` numbers starting at `offset` (row-major).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
    /// Weight decay applies (weight matrices only; not biases, t' or c).
    pub decay: bool,
}

impl Slot {
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.len()
    }
}

/// The parameter layout of a two-tower model.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// (weight in×out, bias 1×out) per layer, the last being the projection.
    pub tower_a: Vec<(Slot, Slot)>,
    pub tower_b: Vec<(Slot, Slot)>,
    pub log_temperature: Slot,
    pub bias: Slot,
    pub embed: usize,
    len: usize,
}

impl Layout {
    pub fn new(spec: &ModelSpec, dim_a: usize, dim_b: usize) -> Layout {
        let mut offset = 0;
        let mut slot = |rows: usize, cols: usize, decay: bool| {
            let s = Slot {
                offset,
                rows,
                cols,
                decay,
            };
            offset += s.len();
            s
        };
        let mut tower = |input: usize| {
            let mut widths = vec![input];
            widths.extend(&spec.hidden);
            widths.push(spec.embed);
            widths
                .windows(2)
                .map(|w| (slot(w[0], w[1], true), slot(1, w[1], false)))
                .collect::<Vec<_>>()
        };
        let tower_a = tower(dim_a);
        let tower_b = tower(dim_b);
        let log_temperature = slot(1, 1, false);
        let bias = slot(1, 1, false);
        Layout {
            tower_a,
            tower_b,
            log_temperature,
            bias,
            embed: spec.embed,
            len: offset,
        }
    }

    /// Total number of parameters.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The weight matrices (decayed, LeCun-initialised).
    pub fn weights(&self) -> impl Iterator<Item = &Slot> {
        self.tower_a.iter().chain(&self.tower_b).map(|(w, _)| w)
    }

    /// 1 where weight decay applies, 0 elsewhere.
    pub fn decay_mask(&self) -> Vec<f32> {
        let mut m = vec![0.0; self.len];
        for w in self.weights() {
            m[w.range()].iter_mut().for_each(|x| *x = 1.0);
        }
        m
    }
}
