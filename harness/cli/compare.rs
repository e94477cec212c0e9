//! `jestbench compare OLD NEW`: what changed between two results folders' (or two
//! reports') claims.

use std::path::{Path, PathBuf};

use super::report::analyse_quiet;
use super::UsageError;
use crate::analysis::change;
use crate::report::change as show;

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The earlier results folder (or a results file, or a report folder: the
    /// results its analysis.json names are read again).
    pub old: PathBuf,
    /// The later results folder (or a results file, or a report folder).
    pub new: PathBuf,
    /// Write the Markdown summary here (a CI job page, a review).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write JUnit XML here: one test case per claim row, a regression a failure.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Exit 1 when any claim row regressed (its change's interval lies on the
    /// claim's wrong side of no change).
    #[arg(long)]
    pub fail_on_regression: bool,
}

/// Claim rows regressed under `--fail-on-regression` (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0} claim rows regressed")]
pub struct Regressed(pub usize);

/// The results behind `path`: itself, or for a report folder (an analysis.json and
/// no results) the results files its analysis names, each as recorded
/// (relative to where the report was made) or else relative to the folder above
/// the reports folder (`reports/NAME` → `results/...`).
fn results_of(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let json = path.join(crate::report::ANALYSIS_JSON);
    if !path.is_dir() || crate::log::layout_of(path).is_ok_and(|l| l.is_some()) || !json.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let bad = |m: String| super::UsageError(format!("{}: {m}", json.display()));
    let text = crate::log::read_regular(&json, 64 << 20).map_err(|e| bad(e.to_string()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let sources = v["sources"]
        .as_array()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("names no results files (`sources`)".into()))?;
    let root = path
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    sources
        .iter()
        .map(|s| {
            let s = PathBuf::from(s.as_str().unwrap_or_default());
            // Only a file inside the folder that holds the reports folder (the
            // project's root, where `results/` is): never a `..` out of it, an
            // absolute path elsewhere, or a link that leads out.
            let refuse = || {
                bad(format!(
                    "its results file {} is not inside {}: compare reads results only inside the folder that holds the reports",
                    crate::names::shown(&s.display().to_string()),
                    root.display()
                ))
            };
            let plain = !s.as_os_str().is_empty()
                && s.components().all(|c| {
                    matches!(
                        c,
                        std::path::Component::Normal(_)
                            | std::path::Component::RootDir
                            | std::path::Component::Prefix(_)
                    )
                });
            if !plain {
                return Err(refuse().into());
            }
            let inside_root = |p: &Path| {
                std::fs::canonicalize(p)
                    .ok()
                    .zip(std::fs::canonicalize(root).ok())
                    .is_some_and(|(p, r)| p.starts_with(r))
            };
            let mut candidates = if s.is_absolute() {
                vec![s.clone()]
            } else {
                vec![s.clone(), root.join(&s)]
            };
            // A report made before results layout 2 names `.../results.csv`; a
            // folder since migrated holds the same runs as tables.
            if s.file_name() == Some(crate::log::RESULTS_FILE.as_ref()) {
                let folders: Vec<PathBuf> = candidates
                    .iter()
                    .filter_map(|c| c.parent().map(Path::to_path_buf))
                    .filter(|d| !d.as_os_str().is_empty())
                    .collect();
                candidates.extend(folders);
            }
            // Anything there but a folder without results (a report's old
            // `results.csv` path whose folder was emptied is not a source).
            let holds_results = |p: &&PathBuf| {
                p.exists()
                    && (!p.is_dir() || crate::log::layout_of(p).is_ok_and(|l| l.is_some()))
            };
            match candidates.iter().find(holds_results) {
                Some(p) if inside_root(p) => Ok(p.clone()),
                Some(_) => Err(refuse().into()),
                None => Err(bad(format!(
                    "its results file {} is not here (nor under {})",
                    s.display(),
                    root.display()
                ))
                .into()),
            }
        })
        .collect()
}

pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let old = analyse_quiet(&results_of(&args.old)?)?;
    let new = analyse_quiet(&results_of(&args.new)?)?;
    // Two different experiments have no rows in common to compare: said, and
    // refused where the comparison gates a merge.
    let (mut eo, mut en) = (old.experiments.clone(), new.experiments.clone());
    eo.sort();
    en.sort();
    if eo != en {
        let msg = format!(
            "OLD holds {} and NEW holds {}: different experiments, so their claim rows are not measurements of the same thing",
            plural(eo.len(), "experiment", &eo),
            plural(en.len(), "experiment", &en)
        );
        if args.fail_on_regression {
            return Err(UsageError(format!(
                "{msg}; --fail-on-regression compares one experiment's results before and after a change"
            ))
            .into());
        }
        eprintln!("warning: {msg}");
    }
    let c = change::change(&old, &new);
    say!(
        "{:<44} {:>8}   {:<8} {:<30} {:<10} verdict",
        "claim",
        "OLD",
        "NEW",
        "change (95% CI)",
        "movement"
    );
    for l in show::lines(&c) {
        say!("{}", crate::report::doc::clean(&l));
    }
    for x in &c.cells_only_old {
        say!("only in OLD: {}", crate::report::doc::clean(x));
    }
    for x in &c.cells_only_new {
        say!("only in NEW: {}", crate::report::doc::clean(x));
    }
    let (o, n) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let write = |p: &PathBuf, text: String| -> anyhow::Result<()> {
        std::fs::write(p, text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
    };
    if let Some(p) = &args.markdown {
        write(p, show::markdown(&c, &o, &n))?;
    }
    if let Some(p) = &args.junit {
        write(p, show::junit(&c))?;
    }
    let regressed = c.regressions();
    let changed = c.rows.iter().filter(|r| r.verdict_changed()).count();
    say!(
        "{} claim {}; {regressed} regressed; {changed} {} changed",
        c.rows.len(),
        if c.rows.len() == 1 { "row" } else { "rows" },
        if changed == 1 { "verdict" } else { "verdicts" }
    );
    if args.fail_on_regression && regressed > 0 {
        return Err(Regressed(regressed).into());
    }
    Ok(())
}

/// "1 experiment (a)", "2 experiments (a, b)".
fn plural(n: usize, word: &str, names: &[String]) -> String {
    format!(
        "{n} {word}{} ({})",
        if n == 1 { "" } else { "s" },
        names.join(", ")
    )
}
