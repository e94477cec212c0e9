//! What produced a run (the results' `method` column) and which claim it tests.

use serde::{Deserialize, Serialize};

/// What produced a run's results (the results' `method` column): the selector of a
/// JEST run, with independent prioritisation's mode, or the fitting method of a
/// SWIM run.
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    #[default]
    Uniform,
    IndependentTopk,
    IndependentSample,
    Jest,
    Oracle,
    Swim,
    USwim,
    ASwim,
    Elm,
    ElmUnscaled,
    Adam,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Uniform => "uniform",
            Method::IndependentTopk => "independent_topk",
            Method::IndependentSample => "independent_sample",
            Method::Jest => "jest",
            Method::Oracle => "oracle",
            Method::Swim => "swim",
            Method::USwim => "u_swim",
            Method::ASwim => "a_swim",
            Method::Elm => "elm",
            Method::ElmUnscaled => "elm_unscaled",
            Method::Adam => "adam",
        }
    }

    /// Every method, in the order of the results' `method` column's enum.
    pub const ALL: [Method; 11] = [
        Method::Uniform,
        Method::IndependentTopk,
        Method::IndependentSample,
        Method::Jest,
        Method::Oracle,
        Method::Swim,
        Method::USwim,
        Method::ASwim,
        Method::Elm,
        Method::ElmUnscaled,
        Method::Adam,
    ];

    /// The method a results file or a gate names.
    pub fn parse(name: &str) -> Result<Method, String> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| {
                let all: Vec<_> = Method::ALL.iter().map(|m| m.as_str()).collect();
                format!(
                    "unknown method `{name}`; expected one of {}",
                    all.join(", ")
                )
            })
    }

    pub fn is_independent(self) -> bool {
        matches!(self, Method::IndependentTopk | Method::IndependentSample)
    }

    pub fn family(self) -> Family {
        match self {
            Method::Swim
            | Method::USwim
            | Method::ASwim
            | Method::Elm
            | Method::ElmUnscaled
            | Method::Adam => Family::Swim,
            _ => Family::Jest,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which claim a run belongs to: data selection (JEST) or sampled networks (SWIM).
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    #[default]
    Jest,
    Swim,
}
