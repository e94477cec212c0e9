//! Quality gates for CI: `METHOD[KEY=VALUE,...].METRIC.STAT OP RHS`, where RHS is a
//! number or another `METHOD.METRIC.STAT`. For example
//! `jest.speedup_iterations.lower_ci >= 1.5` or
//! `jest.selected_learnability.mean > independent_topk.selected_learnability.mean`.
//!
//! Metrics: `speedup_iterations`, `speedup_flops` (paper accounting),
//! `speedup_flops_executed`, `speedup_seconds` (to uniform's final score), and
//! `final_score`, `selected_learnability` (seed means). Stats: `mean` (the point
//! estimate), `lower_ci`, `upper_ci`. A method matching several cells needs filters.

use serde::Deserialize;

use super::cells::Axis;
use super::compare::Target;
use super::Analysis;
use crate::method::Method;
use crate::stats::Interval;

/// A gates file: `gates: [ "...", ... ]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatesFile {
    pub gates: Vec<String>,
}

/// The outcome of one gate.
#[derive(Debug, Clone, PartialEq)]
pub struct GateResult {
    pub gate: String,
    pub passed: bool,
    /// The values compared, in words.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Operand {
    method: Method,
    filters: Vec<(String, String)>,
    metric: String,
    stat: String,
}

fn parse_operand(s: &str) -> Result<Operand, String> {
    let s = s.trim();
    let (head, rest) = match s.find('[') {
        Some(i) => {
            let j = s[i..]
                .find(']')
                .ok_or_else(|| format!("`{s}`: unclosed `[`"))?
                + i;
            (format!("{}{}", &s[..i], &s[j + 1..]), Some(&s[i + 1..j]))
        }
        None => (s.to_string(), None),
    };
    let parts: Vec<&str> = head.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "`{s}`: expected METHOD[KEY=VALUE].METRIC.STAT, e.g. jest.speedup_iterations.lower_ci"
        ));
    }
    let filters = match rest {
        None => Vec::new(),
        Some(f) => f
            .split(',')
            .map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .ok_or_else(|| format!("`{s}`: filter `{kv}` is not KEY=VALUE"))
            })
            .collect::<Result<_, _>>()?,
    };
    let metrics = [
        "speedup_iterations",
        "speedup_flops",
        "speedup_flops_executed",
        "speedup_seconds",
        "final_score",
        "selected_learnability",
    ];
    if !metrics.contains(&parts[1]) {
        return Err(format!(
            "`{s}`: unknown metric `{}`; expected one of {}",
            parts[1],
            metrics.join(", ")
        ));
    }
    if !["mean", "lower_ci", "upper_ci"].contains(&parts[2]) {
        return Err(format!(
            "`{s}`: unknown statistic `{}`; expected mean, lower_ci or upper_ci",
            parts[2]
        ));
    }
    let methods = crate::select::methods();
    let method = methods
        .iter()
        .copied()
        .find(|m| m.as_str() == parts[0])
        .ok_or_else(|| {
            let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
            format!(
                "`{s}`: method: unknown method `{}`; expected one of {}",
                parts[0],
                names.join(", ")
            )
        })?;
    Ok(Operand {
        method,
        filters,
        metric: parts[1].to_string(),
        stat: parts[2].to_string(),
    })
}

#[derive(Debug)]
enum Rhs {
    Number(f64),
    Operand(Operand),
}

const OPS: [&str; 5] = [">=", "<=", ">", "<", "=="];

/// Parses one gate; errors say what is wrong with it.
fn parse(gate: &str) -> Result<(Operand, &'static str, Rhs), String> {
    let (i, op) = OPS
        .iter()
        .filter_map(|op| gate.find(op).map(|i| (i, *op)))
        .min_by_key(|(i, op)| (*i, std::cmp::Reverse(op.len())))
        .ok_or_else(|| format!("`{gate}`: no comparison (one of {})", OPS.join(" ")))?;
    let lhs = parse_operand(&gate[..i])?;
    let rhs_text = gate[i + op.len()..].trim();
    let rhs = match rhs_text.parse::<f64>() {
        Ok(v) => Rhs::Number(v),
        Err(_) => Rhs::Operand(parse_operand(rhs_text)?),
    };
    Ok((lhs, op, rhs))
}

/// Checks every gate against a report. Errors are malformed gates or gates that
/// name nothing (or several things) in the results.
pub fn check(report: &Analysis, gates: &[String]) -> Result<Vec<GateResult>, String> {
    gates
        .iter()
        .map(|g| {
            let (lhs, op, rhs) = parse(g)?;
            let l = value(report, &lhs).map_err(|e| format!("`{g}`: {e}"))?;
            let r = match &rhs {
                Rhs::Number(v) => *v,
                Rhs::Operand(o) => value(report, o).map_err(|e| format!("`{g}`: {e}"))?,
            };
            let passed = match op {
                ">=" => l >= r,
                "<=" => l <= r,
                ">" => l > r,
                "<" => l < r,
                _ => l == r,
            };
            Ok(GateResult {
                gate: g.clone(),
                passed,
                detail: format!("{l:.4} {op} {r:.4}"),
            })
        })
        .collect()
}

/// The value an operand names (NaN where a speed-up target was never reached).
fn value(report: &Analysis, o: &Operand) -> Result<f64, String> {
    let matches: Vec<usize> = (0..report.jest().cells.len())
        .filter(|&i| {
            let c = &report.jest().cells[i];
            c.method == o.method
                && o.filters
                    .iter()
                    .all(|(k, v)| c.sweep.iter().any(|(ck, cv)| ck == k && cv == v))
        })
        .collect();
    let i = match matches.as_slice() {
        [i] => *i,
        [] => {
            return Err(format!(
                "no results for method `{}` with filters {:?}",
                o.method, o.filters
            ))
        }
        many => {
            let settings: Vec<String> = many
                .iter()
                .map(|&i| report.jest().cells[i].setting.clone())
                .collect();
            return Err(format!(
                "method `{}` matches {} cells ({}); add a filter such as {}[{}]",
                o.method,
                many.len(),
                settings.join(" | "),
                o.method,
                settings[0].split(';').next().unwrap_or("KEY=VALUE")
            ));
        }
    };
    let cell = &report.jest().cells[i];
    let interval: Interval = match o.metric.as_str() {
        "final_score" => cell
            .final_score
            .ok_or_else(|| format!("`{}` has no completed runs", cell.label()))?,
        "selected_learnability" => cell
            .learnability
            .ok_or_else(|| format!("`{}` has no selected_learnability values", cell.label()))?,
        metric => {
            let axis = match metric {
                "speedup_iterations" => Axis::Iterations,
                "speedup_flops" => Axis::FlopsPaper,
                "speedup_flops_executed" => Axis::FlopsExecuted,
                _ => Axis::Seconds,
            };
            let comp = report
                .jest()
                .comparisons
                .iter()
                .find(|c| c.method == i)
                .ok_or_else(|| {
                    format!(
                        "`{}` has no uniform baseline to compute a speed-up against",
                        cell.label()
                    )
                })?;
            match comp.speedup(Target::Final, axis).interval {
                // A censored speed-up has no mean; its interval's ends still bound it.
                Some(iv) => Interval {
                    point_estimate: iv.point.value().unwrap_or(f64::NAN),
                    lower_bound: iv.lower_bound,
                    upper_bound: iv.upper_bound,
                    confidence_level: iv.confidence_level,
                    undefined_share: iv.undefined_share,
                },
                None => return Ok(f64::NAN),
            }
        }
    };
    Ok(match o.stat.as_str() {
        "mean" => interval.point_estimate,
        "lower_ci" => interval.lower_bound,
        _ => interval.upper_bound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gates_and_names_what_is_wrong() {
        let (l, op, r) =
            parse("jest[train.filter_ratio=0.8].speedup_iterations.lower_ci >= 1.5").unwrap();
        assert_eq!(l.method, Method::JEST);
        assert_eq!(l.filters, vec![("train.filter_ratio".into(), "0.8".into())]);
        assert_eq!(
            (l.metric.as_str(), l.stat.as_str(), op),
            ("speedup_iterations", "lower_ci", ">=")
        );
        assert!(matches!(r, Rhs::Number(v) if v == 1.5));
        let (_, op, r) =
            parse("jest.selected_learnability.mean > independent_topk.selected_learnability.mean")
                .unwrap();
        assert_eq!(op, ">");
        assert!(matches!(r, Rhs::Operand(o) if o.method == Method::INDEPENDENT_TOPK));
        assert!(parse("jest.speed.mean > 1")
            .unwrap_err()
            .contains("unknown metric `speed`"));
        assert!(parse("jest.final_score.median > 1")
            .unwrap_err()
            .contains("unknown statistic"));
        assert!(parse("jest.final_score.mean")
            .unwrap_err()
            .contains("no comparison"));
        assert!(parse("jest.final_score > 1")
            .unwrap_err()
            .contains("expected METHOD"));
    }
}
