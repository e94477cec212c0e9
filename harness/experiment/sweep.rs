//! Sweep expansion: `sweep: {train.lr: [a, b], train.batch_size: [c, d]}` becomes the
//! cartesian product of the lists (first key outermost), each cell the base document
//! with those scalar keys set.

use serde_yaml::{Mapping, Value};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{config_hash, Cell, ExperimentError};

/// What one expanded cell costs in memory, at most (document, configuration, hash).
const CELL_BYTES: f64 = 8192.0;

/// Keys of the file that are not part of a run's configuration.
const NOT_CONFIG: [&str; 5] = ["name", "seeds", "replicates", "sweep", "extra_seeds"];

pub(super) fn expand<T: DeserializeOwned + Serialize>(
    document: &Value,
    sweep: &Mapping,
    seeds: usize,
    max_runs: usize,
    err: &dyn Fn(&str, String) -> ExperimentError,
) -> Result<Vec<Cell<T>>, ExperimentError> {
    let mut base = document.as_mapping().cloned().unwrap_or_default();
    for k in NOT_CONFIG {
        base.remove(k);
    }
    let base = Value::Mapping(base);

    // Collect and check the axes.
    let mut axes: Vec<(String, Vec<Value>)> = Vec::new();
    for (k, v) in sweep {
        let key = match k {
            Value::String(s) => s.clone(),
            other => {
                return Err(err(
                    "sweep",
                    format!("sweep keys must be dotted key names, found {other:?}"),
                ))
            }
        };
        let at = format!("sweep.{key}");
        if NOT_CONFIG.contains(&key.split('.').next().unwrap_or("")) {
            return Err(err(
                &at,
                format!("`{key}` cannot be swept (seeds are listed in `seeds` or drawn by `replicates`)"),
            ));
        }
        let values = match v {
            Value::Sequence(s) => s.clone(),
            _ => return Err(err(&at, "expected a list of values to sweep over".into())),
        };
        if values.is_empty() {
            return Err(err(&at, "empty sweep list: give at least one value".into()));
        }
        for value in &values {
            if matches!(
                value,
                Value::Mapping(_) | Value::Sequence(_) | Value::Tagged(_)
            ) {
                return Err(err(
                    &at,
                    format!("sweep values must be scalars, found {}", show(value)),
                ));
            }
        }
        for (i, a) in values.iter().enumerate() {
            if values[..i].contains(a) {
                return Err(err(&at, format!("duplicate sweep value {}", show(a))));
            }
        }
        // Each value alone on the base must give a valid configuration, so a bad
        // key or type is reported at the sweep key that causes it.
        for value in &values {
            let mut doc = base.clone();
            set_path(&mut doc, &key, value.clone()).map_err(|m| err(&at, m))?;
            if let Err(e) = serde_yaml::from_value::<T>(doc) {
                return Err(err(&at, format!("{} (value {})", strip(e), show(value))));
            }
        }
        axes.push((key, values));
    }

    // Count before expanding: the product of the list lengths, times the seeds.
    let cells_wanted = axes
        .iter()
        .fold(1u128, |n, (_, v)| n.saturating_mul(v.len() as u128));
    let runs = cells_wanted.saturating_mul(seeds as u128);
    if runs > max_runs as u128 {
        let lists: Vec<String> = axes
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.len()))
            .collect();
        return Err(err(
            "sweep",
            format!(
                "{runs} runs ({cells_wanted} cells × {seeds} seeds; {}) exceed the limit of {max_runs}; pass --max-runs to raise it",
                lists.join(", ")
            ),
        ));
    }
    // Each expanded cell holds a document and a configuration: a few KiB.
    let bytes = cells_wanted as f64 * CELL_BYTES;
    if let Some(available) = crate::system::available_bytes() {
        if bytes > available {
            return Err(err(
                "sweep",
                format!(
                    "{cells_wanted} cells would need about {:.1} GiB to expand, more than the {:.1} GiB available",
                    bytes / f64::from(1u32 << 30),
                    available / f64::from(1u32 << 30)
                ),
            ));
        }
    }
    // Cartesian product, first axis outermost.
    let mut cells = Vec::new();
    let total = cells_wanted as usize;
    for flat in 0..total {
        let mut doc = base.clone();
        let mut swept = Vec::with_capacity(axes.len());
        let mut rest = flat;
        let mut choice = vec![0; axes.len()];
        for (i, (_, values)) in axes.iter().enumerate().rev() {
            choice[i] = rest % values.len();
            rest /= values.len();
        }
        for (i, (key, values)) in axes.iter().enumerate() {
            let value = &values[choice[i]];
            let at = format!("sweep.{key}");
            set_path(&mut doc, key, value.clone()).map_err(|m| err(&at, m))?;
            swept.push((key.clone(), show(value)));
        }
        let config: T = serde_yaml::from_value(doc).map_err(|e| {
            err(
                "sweep",
                format!("{} (sweeping {})", strip(e), label(&swept)),
            )
        })?;
        let config_hash = config_hash(&config);
        cells.push(Cell {
            config,
            swept,
            config_hash,
        });
    }
    Ok(cells)
}

/// A sweep value as cells record it (`Cell::swept`).
pub(super) fn shown(value: &Value) -> String {
    show(value)
}

fn strip(e: serde_yaml::Error) -> String {
    let mut msg = e.to_string();
    if let Some(i) = msg.rfind(" at line ") {
        msg.truncate(i);
    }
    super::words::plain(&msg)
}

fn label(swept: &[(String, String)]) -> String {
    swept
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sets a dotted key, creating missing mappings on the way.
fn set_path(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("`{path}` is not a dotted key name"));
    }
    let mut node = doc;
    for (i, part) in parts.iter().enumerate() {
        let map = match node {
            Value::Mapping(m) => m,
            Value::Null => {
                *node = Value::Mapping(Mapping::new());
                node.as_mapping_mut().expect("just set")
            }
            other => {
                return Err(format!(
                    "`{}` is {}, not a section with keys",
                    parts[..i].join("."),
                    show(other)
                ))
            }
        };
        let key = Value::String(part.to_string());
        if i + 1 == parts.len() {
            if let Some(Value::Mapping(_) | Value::Sequence(_)) = map.get(&key) {
                return Err(format!("`{path}` is a section or list, not a scalar key"));
            }
            map.insert(key, value);
            return Ok(());
        }
        node = map.entry(key).or_insert(Value::Null);
    }
    unreachable!("the loop returns on the last part")
}

/// A scalar as the user would write it.
pub(super) fn show(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}
