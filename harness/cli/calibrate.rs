//! `jestbench calibrate`: the verdict engine on curves whose speed-up is known.

use std::path::PathBuf;

use super::UsageError;
use crate::calibrate;

#[derive(clap::Args, Debug)]
pub struct CalibrateArgs {
    /// Replicates per setting (each a whole synthetic experiment, analysed under
    /// every candidate estimator).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(10..=100_000))]
    pub replicates: u32,
    /// The committed experiments' settings only, at k = 2 and 4.5.
    #[arg(long)]
    pub quick: bool,
    /// Write the table between the calibration markers of this Markdown file
    /// (created if absent), e.g. docs/statistics.md.
    #[arg(long)]
    pub doc: Option<PathBuf>,
    /// The situations verdicts are taken in (docs/methods.md §7): plateaus, late
    /// rises, higher ceilings, the forward budget rule; 3 and 10 seeds, the chosen
    /// estimator, verdicts before and after abstention. With --doc, written
    /// between the `situations` markers.
    #[arg(long)]
    pub situations: bool,
    /// With --situations: write the coverage table the verdicts read (the
    /// committed one is harness/analysis/coverage.csv).
    #[arg(long, value_name = "FILE", requires = "situations")]
    pub coverage: Option<PathBuf>,
    /// Two-level noise (docs/methods.md §7): worlds × learners with world-level
    /// noise, the chosen estimator nested over worlds and flat. With --doc,
    /// written between the `two-level` markers.
    #[arg(long, conflicts_with_all = ["situations", "quick"])]
    pub worlds: bool,
    /// Write replicate 0 of every setting as a results folder under this folder
    /// (`jestbench report` reads them like any run's).
    #[arg(long)]
    pub examples: Option<PathBuf>,
}

pub fn calibrate(args: CalibrateArgs) -> anyhow::Result<()> {
    if let Some(doc) = &args.doc {
        if doc.is_dir() {
            return Err(UsageError(format!(
                "--doc {}: a folder, not a Markdown file",
                doc.display()
            ))
            .into());
        }
    }
    if args.situations {
        return situations(&args);
    }
    let designs = if args.worlds {
        calibrate::two_level()
    } else {
        calibrate::suite(args.quick)
    };
    let chosen = calibrate::ESTIMATORS
        .iter()
        .position(|(_, e)| *e == crate::stats::Estimator::CHOSEN)
        .expect("the chosen estimator is among those compared");
    let estimators: &[(&str, crate::stats::Estimator)] = if args.worlds {
        &calibrate::ESTIMATORS[chosen..=chosen]
    } else {
        &calibrate::ESTIMATORS
    };
    let reps = args.replicates as usize;
    let start = std::time::Instant::now();
    let settings = calibrate::run(&designs, estimators, reps, &|i, n| {
        eprintln!("calibrate: setting {} of {n}", i + 1);
    });
    let command = format!(
        "jestbench calibrate --replicates {reps}{}{}",
        if args.quick {
            " --quick"
        } else if args.worlds {
            " --worlds"
        } else {
            ""
        },
        args.doc
            .as_ref()
            .map_or(String::new(), |d| format!(" --doc {}", d.display()))
    );
    let table = calibrate::markdown(&settings, &command);
    say!("{table}");
    eprintln!(
        "calibrate: {} settings × {reps} replicates in {:.0} s",
        designs.len(),
        start.elapsed().as_secs_f64()
    );
    if let Some(dir) = &args.examples {
        for (i, d) in designs.iter().enumerate() {
            calibrate::write_example(d, &dir.join(format!("setting-{i:02}")))?;
        }
        eprintln!("calibrate: example results folders under {}", dir.display());
    }
    if let Some(doc) = &args.doc {
        let old = match std::fs::read_to_string(doc) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", doc.display())),
        };
        if let Some(dir) = doc.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let name = if args.worlds {
            "two-level"
        } else {
            "calibration"
        };
        std::fs::write(doc, calibrate::splice_named(&old, &table, name))
            .map_err(|e| anyhow::anyhow!("{}: {e}", doc.display()))?;
        eprintln!("calibrate: table written into {}", doc.display());
    }
    Ok(())
}

/// `jestbench calibrate --situations`.
fn situations(args: &CalibrateArgs) -> anyhow::Result<()> {
    let designs = calibrate::situations::designs();
    let reps = args.replicates as usize;
    let min = crate::analysis::claims::protocol::active().min_coverage;
    let start = std::time::Instant::now();
    let (table, records) = calibrate::situations::run(&designs, reps, min, &|i, n| {
        eprintln!("calibrate: design {} of {n}", i + 1);
    });
    let command = format!(
        "jestbench calibrate --situations --replicates {reps}{}{}",
        args.coverage
            .as_ref()
            .map_or(String::new(), |d| format!(" --coverage {}", d.display())),
        args.doc
            .as_ref()
            .map_or(String::new(), |d| format!(" --doc {}", d.display()))
    );
    let text = calibrate::situations::markdown(&table, &records, min, &command);
    say!("{text}");
    eprintln!(
        "calibrate: {} designs × {reps} replicates in {:.0} s",
        designs.len(),
        start.elapsed().as_secs_f64()
    );
    if let Some(path) = &args.coverage {
        std::fs::write(path, table.csv())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        eprintln!("calibrate: coverage table written to {}", path.display());
    }
    if let Some(doc) = &args.doc {
        let old = match std::fs::read_to_string(doc) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", doc.display())),
        };
        std::fs::write(doc, calibrate::splice_named(&old, &text, "situations"))
            .map_err(|e| anyhow::anyhow!("{}: {e}", doc.display()))?;
        eprintln!("calibrate: table written into {}", doc.display());
    }
    Ok(())
}
