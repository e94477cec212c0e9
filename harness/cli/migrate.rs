//! `jestbench migrate FOLDER...`: results folders of layout 1 (`results.csv` and
//! `summary.csv`) converted in place to layout 2's tables (`runs.csv`,
//! `evaluations-<family>.csv[.gz]`), each checked to read back as the same rows
//! before the old files go.

use std::path::PathBuf;

use super::UsageError;
use crate::log;

#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// Results folders to convert (a folder already in layout 2 is left as it is).
    #[arg(required = true)]
    pub folders: Vec<PathBuf>,
}

pub fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    for dir in &args.folders {
        if !dir.is_dir() {
            return Err(UsageError(format!("{}: not a results folder", dir.display())).into());
        }
        match log::migrate(dir, &crate::family::schemas()).map_err(|e| match e {
            log::LogError::Format { .. } => anyhow::Error::from(UsageError(e.to_string())),
            e => e.into(),
        })? {
            None => say!(
                "{}: already in layout 2 (or holds no results); left as it is",
                dir.display()
            ),
            Some(m) => {
                say!(
                    "{}: {} runs, {} evaluation rows; {} → {} bytes{}",
                    dir.display(),
                    m.runs,
                    m.rows,
                    m.bytes_before,
                    m.bytes_after,
                    if m.unfinished > 0 {
                        format!(
                            "; {} runs not finished kept as evaluations without a run row (a run resumed redoes them)",
                            m.unfinished
                        )
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    Ok(())
}
