//! What produced a run (the results' `method` column) and which claim it tests.
//!
//! A [`Method`] is a name with its family and its place in every table; a
//! [`Family`] is a registered name. Neither names a family here: each family
//! defines its own as associated constants in its own module (JEST's selectors in
//! `select`: `Method::UNIFORM`, `Method::JEST`...; SWIM's fitting methods in
//! `swim`), and its results schema lists them (`log::Schema::methods`), which is
//! how a results file's `method` column reads back.

use serde::Serialize;

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

    pub fn family(self) -> Family {
        self.family
    }
}

/// The most methods of other tools' own names one process reads (each is kept
/// for the process's life).
pub const MAX_CUSTOM: usize = 4096;

/// The rank of every method another tool names: after every built-in one (a
/// method's order is its rank, then its name).
const CUSTOM_RANK: u16 = 1000;

impl Method {
    /// A method another tool names (the minimal schema's `method` column: a
    /// selector of the researcher's own), in `family`: ranked after every built-in
    /// method, and among themselves by name (whatever order they were read in);
    /// the same name is the same method. Each name is kept for the process's
    /// life; fails past [`MAX_CUSTOM`] names.
    pub fn custom(name: &str, family: Family) -> Result<Method, String> {
        static CUSTOM: std::sync::Mutex<Vec<Method>> = std::sync::Mutex::new(Vec::new());
        let mut known = CUSTOM.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = known.iter().find(|m| m.name == name && m.family == family) {
            return Ok(*m);
        }
        if known.len() >= MAX_CUSTOM {
            return Err(format!(
                "`{name}`: more than {MAX_CUSTOM} method names of your own in one process"
            ));
        }
        let m = Method::new(
            CUSTOM_RANK,
            Box::leak(name.to_string().into_boxed_str()),
            family,
        );
        known.push(m);
        Ok(m)
    }

    /// Whether another tool named it ([`Method::custom`]).
    pub fn is_custom(self) -> bool {
        self.rank == CUSTOM_RANK
    }
}

/// A placeholder (rows built field by field start from it): no family's method.
impl Default for Method {
    fn default() -> Self {
        Method::new(u16::MAX, "", Family::new(""))
    }
}

/// Saved as its name (read back through its family's results schema, `log::Schema::methods`).
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

/// Which family of experiments a run belongs to, by its registered name (the
/// results' `family` column): each family defines its own (`Family::JEST` beside
/// the selectors, `Family::SWIM` beside the sampled networks, any other in its
/// own module) and lists itself in `family::FAMILIES`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Family(&'static str);

impl Family {
    pub const fn new(name: &'static str) -> Family {
        Family(name)
    }

    /// Its name in results (the `family` column).
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl Serialize for Family {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
