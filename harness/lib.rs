/*!
jestbench: a reproducible benchmark harness for data-efficient training claims.

Modules, upstream to downstream (imports point only down this list):
`experiment` (experiment files, sweeps) → `data` (synthetic and file-backed paired
data) → `kernels` (CPU numeric kernels) → `model` (two towers, SigLIP loss, its
hand-written gradient, AdamW) → `flops` (every FLOP formula) →
`score` (L, R, A) → `backend` (each device's fast paths) → `select` (selectors) →
`train` (the run loop, eval) and `swim`
(sampled networks) → `log` (results CSV) → `run` (plans, shards, execution) →
`analysis` (every number a report shows, from `stats`) → `report` (formatting only) →
`cli` (arguments, printing, exit codes). `stats` stands alone and imports nothing
of the crate; `system` (memory the OS reports) and `names` (the rule for values
that become file names or script lines) sit below everything.
*/

pub mod analysis;
pub mod backend;
pub mod calibrate;
pub mod cli;
pub mod data;
pub mod experiment;
pub mod flops;
pub mod kernels;
pub mod linalg;
pub mod log;
pub mod method;
pub mod model;
pub mod names;

pub mod report;
pub mod run;
pub mod score;
pub mod select;
pub mod stats;
pub mod swim;
pub mod system;
pub mod train;
