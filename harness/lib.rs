/*!
jestbench: a reproducible benchmark harness for data-efficient training claims.

Modules, downstream to upstream (imports point only down this list): `cli`
(arguments, printing, exit codes) → `calibrate` → `family` (the families, listed
once in `FAMILIES`: JEST's adapter, and `Families` for lists with more) → `swim`
(SWIM's whole room: sampled networks, its files, runs, rows, analysis and report
section) → `room` (what a family is to the core: the `Room` trait) → `report`
(formatting only; JEST's sections), `analysis` (every number a report shows, from
`stats`: shared checks and claims, each family's part; JEST's) and `run` (plans,
shards, execution of any family's `Sweep`; JEST's executor) → `experiment`
(experiment files: parse, validate, expand any family's sweep; it fills the
settings types of the code below) → `train` (the run loop, eval, a run's recipe,
JEST's results rows) → `select` (selectors, registered once each) and `backend`
(each device's fast paths) → `score` (L, R, A) → `flops` (every FLOP formula) →
`model` (two towers, the host dense layer, SigLIP loss, its hand-written gradient,
one Adam) → `data` (synthetic and file-backed paired data), `log` (results on
disk: rows of any family, the common columns, each family's schema, the tables,
the crash-safe writer; it names no family) → `kernels` (f32) and `linalg` (f64):
numeric kernels in a fixed summation order. `stats` stands alone and imports
nothing of the crate; `method` (what produced a run: methods and families by
name), `system` (memory the OS reports) and `names` (the rule for values that
become file names or script lines; run ids) sit below everything.
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
pub mod room;
pub mod run;
pub mod score;
pub mod select;
pub mod stats;
pub mod swim;
pub mod system;
pub mod train;
