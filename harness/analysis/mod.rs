/*!
Every number a report shows, computed once from results rows (criterion.rs's
measure → analyse → report): sweep cells with their seed curves, bands and final
scores (`cells`), each selector against its uniform baseline (`compare`), the
claims of docs/methods.md §1 judged by rules written as data (`claims`), and CI
gates evaluated on the result (`gates`): JEST's part (`jest`). [`Analysis::begin`]
makes the shared part (checks, commits); each family adds its own part from its
rows ([`Parts`], under its name; JEST's from `jest::analyse`, SWIM's from
`swim::analysis`), asked by `family::Families::analyse`.

Statistics come from `stats`; this module arranges rows and asks it. An
[`Analysis`] serialises whole (`analysis.json` beside a report), and the report's
Markdown, HTML, SVG and `check` read nothing else.
*/

pub mod cells;
pub mod change;
pub mod claims;
pub mod compare;
pub mod curves;
pub mod diagnostics;
pub mod gates;
pub mod horizon;
pub mod jest;
mod knob;
pub mod plan;
pub mod protocol;
pub mod registration;
pub mod situation;
pub mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

pub use cells::{Axis, Cell, RunSeries};
pub use claims::{Claim, Verdict};
pub use compare::{Comparison, Speedup, Target};
pub use horizon::HorizonComparison;
pub use knob::Knob;

use std::any::Any;

use crate::log::Row;
use crate::method::Family;
use crate::stats::{Estimator, RESAMPLES};

/// Everything a report shows: what the rows are, each family's part, and the
/// claims all families judged.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub experiments: Vec<String>,
    pub sources: Vec<PathBuf>,
    pub rows: usize,
    /// Sweep cells: distinct (experiment, configuration) pairs of the rows.
    pub cells: usize,
    /// Bootstrap resamples behind every interval.
    pub resamples: usize,
    /// How speed-ups were estimated (`stats::interval`).
    pub estimator: Estimator,
    /// The commits the rows were produced by (their `git_commit` column).
    pub commits: Vec<String>,
    /// Each family's part, under its name (`family::Room::Part`).
    #[serde(flatten)]
    pub parts: Parts,
    pub claims: Vec<Claim>,
    /// Whether the verdicts are registered: the protocol they are computed under
    /// against the rows' commits (`registration`; set by `register`, absent where
    /// no one checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration: Option<registration::Registration>,
    pub warnings: Vec<String>,
}

/// The families' parts of an analysis, each under its family's name.
#[derive(Clone, Debug, Default)]
pub struct Parts(Vec<(Family, Box<dyn AnyPart>)>);

trait AnyPart: std::fmt::Debug + Send + Sync {
    fn json(&self) -> String;
    fn clone_box(&self) -> Box<dyn AnyPart>;
    fn as_any(&self) -> &dyn Any;
}

impl<P: Serialize + Clone + std::fmt::Debug + Send + Sync + 'static> AnyPart for P {
    fn json(&self) -> String {
        serde_json::to_string(self).expect("analyses serialise")
    }
    fn clone_box(&self) -> Box<dyn AnyPart> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Clone for Box<dyn AnyPart> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

impl Parts {
    /// Sets `family`'s part.
    pub fn insert<P: Serialize + Clone + std::fmt::Debug + Send + Sync + 'static>(
        &mut self,
        family: Family,
        part: P,
    ) {
        self.0.retain(|(f, _)| *f != family);
        self.0.push((family, Box::new(part)));
    }

    /// `family`'s part, if it has one of type `P`.
    pub fn get<P: 'static>(&self, family: Family) -> Option<&P> {
        self.0
            .iter()
            .find(|(f, _)| *f == family)
            .and_then(|(_, p)| p.as_any().downcast_ref())
    }

    /// The families with a part.
    pub fn families(&self) -> impl Iterator<Item = Family> + '_ {
        self.0.iter().map(|(f, _)| *f)
    }
}

/// Each part as a field named by its family.
impl Serialize for Parts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (f, p) in &self.0 {
            let raw =
                serde_json::value::RawValue::from_string(p.json()).map_err(S::Error::custom)?;
            m.serialize_entry(f.as_str(), &raw)?;
        }
        m.end()
    }
}

/// Results that cannot be analysed as asked.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("these results mix {n} experiments ({names}); pass --combine to report them together")]
    Mixed { n: usize, names: String },
    #[error("run {run_id} of {experiment} appears with two configurations ({a} and {b}): the results mix different experiment files under one name")]
    Conflict {
        experiment: String,
        run_id: String,
        a: String,
        b: String,
    },
    #[error("run {run_id} has two rows for step {step}: the results were merged twice")]
    Duplicate { run_id: String, step: usize },
    #[error("no results rows to report")]
    Empty,
}

impl Analysis {
    /// The analysis of `rows` (read from `sources`) before any family's part: the
    /// shared checks (`combine` allows several experiments), the commits, and
    /// warnings about them.
    /// Records the verdicts' registration, and prints what is not registered
    /// beside every verdict of a protocol claim (docs/methods.md §7).
    /// `r` is the file's finding (the provenance prints it); `per_claim` each
    /// claim's, which its verdicts carry (a claim missing from it: the file's).
    pub fn register(
        &mut self,
        mut r: registration::Registration,
        per_claim: Vec<(String, registration::Registration)>,
    ) {
        let known = &claims::protocol::active().claims;
        let beside = |id: &str| -> &str {
            per_claim
                .iter()
                .find(|(k, _)| k == id)
                .map_or(r.beside_verdict.as_str(), |(_, p)| {
                    p.beside_verdict.as_str()
                })
        };
        let judged_here = |c: &Claim| {
            known.contains_key(&c.id)
                && !matches!(c.verdict, Verdict::NotMeasured | Verdict::Measured)
        };
        let judged: Vec<&str> = self
            .claims
            .iter()
            .filter(|c| judged_here(c))
            .map(|c| c.id.as_str())
            .collect();
        // The file changed after the rows, but not in what any verdict here
        // depends on: the provenance says so.
        if !r.beside_verdict.is_empty()
            && !judged.is_empty()
            && judged.iter().all(|id| beside(id).is_empty())
        {
            r.words = format!(
                "{}; none of these changes touches a claim judged here (its entry or the shared sections): each verdict is registered claim by claim",
                r.words
            );
        }
        let texts: Vec<(usize, String)> = self
            .claims
            .iter()
            .enumerate()
            .filter(|(_, c)| judged_here(c) && !beside(&c.id).is_empty())
            .map(|(i, c)| (i, format!("{} [{}]", c.verdict_text, beside(&c.id))))
            .collect();
        for (i, t) in texts {
            self.claims[i].verdict_text = t;
        }
        self.registration = Some(r);
    }

    pub fn begin(
        rows: &[Row],
        sources: Vec<PathBuf>,
        combine: bool,
        est: &Estimator,
    ) -> Result<Analysis, AnalysisError> {
        let experiments = check_rows(rows, combine)?;
        let mut warnings = Vec::new();
        let commits: BTreeSet<&str> = rows
            .iter()
            .map(|r| r.common().git_commit.as_str())
            .collect();
        let commit_list: Vec<String> = commits.iter().map(|c| c.to_string()).collect();
        if commits.len() > 1 {
            warnings.push(format!(
                "rows come from {} different commits ({}): results may not be comparable",
                commits.len(),
                commits.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(Analysis {
            experiments,
            sources,
            rows: rows.len(),
            cells: rows
                .iter()
                .map(|r| (&r.common().experiment, &r.common().config_hash))
                .collect::<BTreeSet<_>>()
                .len(),
            resamples: RESAMPLES,
            estimator: *est,
            commits: commit_list,
            parts: Parts::default(),
            claims: Vec::new(),
            registration: None,
            warnings,
        })
    }

    /// The whole analysis as compact JSON (pretty-printed, the horizon sweep's was
    /// 2.9 MB; compact, 1.6 MB).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("analyses serialise")
    }
}

/// The experiments in `rows`; refuses mixed experiments (without `combine`), two
/// configurations under one run id, and duplicated (run, step) rows.
fn check_rows(rows: &[Row], combine: bool) -> Result<Vec<String>, AnalysisError> {
    if rows.is_empty() {
        return Err(AnalysisError::Empty);
    }
    let experiments: Vec<String> = rows
        .iter()
        .map(|r| r.common().experiment.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if experiments.len() > 1 && !combine {
        return Err(AnalysisError::Mixed {
            n: experiments.len(),
            names: experiments.join(", "),
        });
    }
    let mut configs: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let mut steps: BTreeSet<(&str, &str, usize)> = BTreeSet::new();
    for r in rows.iter().map(Row::common) {
        let prev = configs
            .entry((&r.experiment, &r.run_id))
            .or_insert(&r.config_hash);
        if *prev != r.config_hash {
            return Err(AnalysisError::Conflict {
                experiment: r.experiment.clone(),
                run_id: r.run_id.clone(),
                a: prev.to_string(),
                b: r.config_hash.clone(),
            });
        }
        if !steps.insert((&r.experiment, &r.run_id, r.step)) {
            return Err(AnalysisError::Duplicate {
                run_id: r.run_id.clone(),
                step: r.step,
            });
        }
    }
    Ok(experiments)
}
