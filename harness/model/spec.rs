//! The two towers' settings, which the experiment file's `model` section fills.

use serde::{Deserialize, Serialize};

/// Two towers: an MLP per modality, a linear projection to `embed`, L2-normalised.
///
/// A file gives either `hidden` and `embed`, or `width` (and `depth`, default 1):
/// `depth` hidden layers of `width` units and an embedding of `width / 2` (the
/// 128 / 64 shape of every experiment, scaled as one), the form a scale ladder
/// sweeps. Both forms become `hidden` and `embed`, so a configuration's hash is
/// that of its towers however the file wrote them.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(try_from = "ModelFile")]
pub struct ModelSpec {
    /// Hidden widths of each tower's MLP (ReLU between layers).
    pub hidden: Vec<usize>,
    /// Embedding width e.
    pub embed: usize,
    /// SigLIP temperature t at init (the parameter is t' = ln t).
    #[serde(default = "default_temperature")]
    pub temperature_init: f64,
    /// SigLIP bias c at init.
    #[serde(default = "default_bias")]
    pub bias_init: f64,
}

impl ModelSpec {
    /// The towers of the `width` form: `depth` hidden layers of `width` units and
    /// an embedding of `width / 2` (`hidden`, `embed`).
    pub fn ladder(width: usize, depth: usize) -> (Vec<usize>, usize) {
        (vec![width; depth], width / 2)
    }
}

fn default_temperature() -> f64 {
    10.0
}
fn default_bias() -> f64 {
    -10.0
}

/// The `model` section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    #[serde(default)]
    hidden: Option<Vec<usize>>,
    #[serde(default)]
    embed: Option<usize>,
    #[serde(default)]
    width: Option<usize>,
    #[serde(default)]
    depth: Option<usize>,
    #[serde(default = "default_temperature")]
    temperature_init: f64,
    #[serde(default = "default_bias")]
    bias_init: f64,
}

impl TryFrom<ModelFile> for ModelSpec {
    type Error = String;

    fn try_from(m: ModelFile) -> Result<ModelSpec, String> {
        let (hidden, embed) = match (m.hidden, m.embed, m.width) {
            (Some(hidden), Some(embed), None) => {
                if m.depth.is_some() {
                    return Err(
                        "model.depth: `depth` goes with `width`; with `hidden`, list the layers"
                            .into(),
                    );
                }
                (hidden, embed)
            }
            (None, None, Some(width)) => {
                if width < 2 {
                    return Err(format!(
                        "model.width: must be at least 2 (the embedding is width / 2), found {width}"
                    ));
                }
                let depth = m.depth.unwrap_or(1);
                if depth > 64 {
                    return Err(format!("model.depth: must be at most 64, found {depth}"));
                }
                ModelSpec::ladder(width, depth)
            }
            (_, _, Some(_)) => {
                return Err(
                    "model: give `width` (and `depth`) or `hidden` and `embed`, not both".into(),
                )
            }
            (None, _, None) => return Err("model: missing field `hidden` (or give `width`)".into()),
            (Some(_), None, None) => return Err("model: missing field `embed`".into()),
        };
        Ok(ModelSpec {
            hidden,
            embed,
            temperature_init: m.temperature_init,
            bias_init: m.bias_init,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(y: &str) -> Result<ModelSpec, String> {
        serde_yaml::from_str::<ModelSpec>(y).map_err(|e| e.to_string())
    }

    #[test]
    fn width_and_depth_become_hidden_and_embed() {
        let m = parse("{width: 512, depth: 2}").unwrap();
        assert_eq!((m.hidden.clone(), m.embed), (vec![512, 512], 256));
        assert_eq!(m, parse("{hidden: [512, 512], embed: 256}").unwrap());
        // The serialised form (and so the configuration hash) is the resolved one.
        let y = serde_yaml::to_string(&m).unwrap();
        assert!(y.contains("hidden") && !y.contains("width"), "{y}");
        assert_eq!(parse("{width: 128}").unwrap().hidden, vec![128]);
        for (bad, says) in [
            ("{width: 128, hidden: [3], embed: 2}", "not both"),
            (
                "{hidden: [3], embed: 2, depth: 2}",
                "`depth` goes with `width`",
            ),
            ("{embed: 2}", "missing field `hidden`"),
            ("{hidden: [3]}", "missing field `embed`"),
            ("{width: 1}", "at least 2"),
            ("{width: 8, depth: 1000}", "at most 64"),
            ("{width: 8, wdith: 3}", "unknown field `wdith`"),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
