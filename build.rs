//! Records the git commit the binary was built from (for the results' provenance).
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let commit = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(c) if !c.is_empty() => {
            // Dirty: a change to what the binary is built from (not to results,
            // reports or docs in the same tree).
            let dirty = git(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                "harness",
                "build.rs",
                "Cargo.toml",
                "Cargo.lock",
                "experiments",
            ])
            .map(|s| !s.is_empty())
            .unwrap_or(false);
            if dirty {
                format!("{c}-dirty")
            } else {
                c
            }
        }
        _ => "unknown".to_string(),
    };
    println!("cargo:rustc-env=JESTBENCH_GIT_COMMIT={commit}");
    for p in [".git/HEAD", ".git/index", ".git/refs/heads", "harness"] {
        if std::path::Path::new(p).exists() {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
