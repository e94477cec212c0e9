//! Every family's methods, as a results file names them: the selectors'
//! (`select::SELECTORS`) and SWIM's fitting methods (`swim::SwimMethod`).

use crate::method::Method;
use crate::select::SELECTORS;
use crate::swim::SwimMethod;

/// Every method of every family, in table order.
pub fn all() -> Vec<Method> {
    let mut all: Vec<Method> = SELECTORS
        .iter()
        .flat_map(|r| r.methods.iter().map(|m| m.0))
        .chain(SwimMethod::ALL.iter().map(|m| m.method()))
        .collect();
    all.sort();
    all
}

/// The method named `name`.
pub fn parse(name: &str) -> Result<Method, String> {
    let all = all();
    all.iter()
        .copied()
        .find(|m| m.as_str() == name)
        .ok_or_else(|| {
            let names: Vec<_> = all.iter().map(|m| m.as_str()).collect();
            format!(
                "unknown method `{name}`; expected one of {}",
                names.join(", ")
            )
        })
}

/// Reads a `method` column (serde's `deserialize_with`).
pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Method, D::Error> {
    let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    parse(&s).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_has_its_own_name_and_rank_and_reads_back() {
        let all = all();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.as_str(), b.as_str());
                assert_ne!(a.rank(), b.rank(), "{a} and {b} share a rank");
            }
            assert_eq!(parse(a.as_str()), Ok(*a));
            assert!(crate::names::is_identifier(a.as_str()), "{a}");
        }
        assert!(parse("magic").unwrap_err().contains("uniform"));
    }
}
