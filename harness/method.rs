//! What produced a run (the results' `method` column) and which claim it tests.
//!
//! A [`Method`] is a name with its family and its place in every table. The
//! methods the analysis names by role (uniform, the baseline; JEST and
//! independent prioritisation, the claims' subjects; the oracle, the ceiling;
//! SWIM's variants and its Adam baseline) are the associated constants below; a
//! selector the analysis does not single out defines its method in its own module
//! (`select::registry` lists every selector, `swim::SwimMethod::ALL` every fitting method,
//! and `log::methods` reads any of them back from a results file).

use serde::{Deserialize, Serialize};

/// What produced a run's results (the results' `method` column): the selector of a
/// JEST run, with independent prioritisation's mode, or the fitting method of a
/// SWIM run. Ordered by `rank` (tables and plots list methods in that order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Method {
    rank: u16,
    name: &'static str,
    family: Family,
}

impl Method {
    pub const UNIFORM: Method = Method::new(0, "uniform", Family::Jest);
    pub const INDEPENDENT_TOPK: Method = Method::new(1, "independent_topk", Family::Jest);
    pub const INDEPENDENT_SAMPLE: Method = Method::new(2, "independent_sample", Family::Jest);
    pub const JEST: Method = Method::new(3, "jest", Family::Jest);
    pub const ORACLE: Method = Method::new(4, "oracle", Family::Jest);
    pub const SWIM: Method = Method::new(5, "swim", Family::Swim);
    pub const U_SWIM: Method = Method::new(6, "u_swim", Family::Swim);
    pub const A_SWIM: Method = Method::new(7, "a_swim", Family::Swim);
    pub const ELM: Method = Method::new(8, "elm", Family::Swim);
    pub const ELM_UNSCALED: Method = Method::new(9, "elm_unscaled", Family::Swim);
    pub const ADAM: Method = Method::new(10, "adam", Family::Swim);

    /// A method: its place in tables (unique among all methods; a test checks),
    /// the name its results carry, its family.
    pub const fn new(rank: u16, name: &'static str, family: Family) -> Method {
        Method { rank, name, family }
    }

    pub fn as_str(self) -> &'static str {
        self.name
    }

    pub fn rank(self) -> u16 {
        self.rank
    }

    pub fn is_independent(self) -> bool {
        self == Method::INDEPENDENT_TOPK || self == Method::INDEPENDENT_SAMPLE
    }

    pub fn family(self) -> Family {
        self.family
    }
}

impl Default for Method {
    fn default() -> Self {
        Method::UNIFORM
    }
}

/// Saved as its name (read back by `log::methods`, which knows every family's).
impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
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

impl Family {
    /// Every family, in the order results files lay them out.
    pub const ALL: [Family; 2] = [Family::Jest, Family::Swim];

    /// Its name in results (the `family` column, as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Jest => "jest",
            Family::Swim => "swim",
        }
    }
}
