/*!
jestbench: a reproducible benchmark harness for data-efficient training claims.

Modules, upstream to downstream (imports point only down this list):
`spec` (experiment files) → `data` (synthetic and file-backed paired data) →
`model` (two towers, SigLIP loss, AdamW) → `score` (L, R, A) → `select` (selectors) → `train` (the run
loop, eval, FLOPs) → `log` (results CSV) → `stats` (standing alone) → `report`
(analysis, claims, plots, gates) → `cli` (the only code that prints).
*/

pub mod cli;
pub mod data;
pub mod log;
pub mod model;
pub mod report;
pub mod score;
pub mod select;
pub mod spec;
pub mod stats;
pub mod swim;
pub mod train;
