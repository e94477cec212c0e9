/*!
jestbench: a reproducible benchmark harness for data-efficient training claims.

Modules, downstream to upstream (imports point only down this list): `cli`
(arguments, printing, exit codes) → `calibrate` → `family` (JEST and SWIM behind
one trait: parse, plan, analyse, report sections; listed once) → `report`
(formatting only), `analysis` (every number a report shows, from `stats`: shared
checks and claims, each family's part) and `run` (plans, shards, execution of
any family's `Sweep`) → `experiment` (experiment files: parse, validate, expand;
it fills the settings types of the code below and is imported only by `run`,
`cli` and `family`) → `log` (results rows per family, one CSV layout; every
family's methods read back) → `train` (the run loop,
eval, a run's recipe) and `swim` (sampled networks, its settings) → `select`
(selectors, registered once each) and `backend` (each device's fast paths) →
`score` (L, R, A) → `flops` (every FLOP formula) → `model` (two towers, the host
dense layer, SigLIP loss, its hand-written gradient, one Adam) → `data`
(synthetic and file-backed paired data) → `kernels` (f32) and `linalg` (f64):
numeric kernels in a fixed summation order. `stats` stands alone and imports
nothing of the crate; `method` (what produced a run), `system` (memory the OS
reports) and `names` (the rule for values that become file names or script
lines; run ids) sit below everything.
*/

pub mod analysis;
pub mod backend;
pub mod calibrate;
pub mod cli;
pub mod data;
pub mod experiment;
pub mod family;
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
