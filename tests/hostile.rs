//! Experiment files, flags and results from other people: every value that reaches
//! a file name, a path or a Slurm job script is refused with a clear error or
//! written harmlessly. A generated script always has exactly its template's lines,
//! passes `bash -n`, and when run hands the binary exactly the arguments meant.

use std::path::{Path, PathBuf};
use std::process::Command;

use jestbench::run::cluster::{sbatch_script, SlurmJob};

use crate::util::{jestbench, stderr, write, TINY};

/// Values a hostile file or flag might hold.
const HOSTILE: [&str; 12] = [
    "q\ntouch PWNED\n#",
    "a\rb",
    "$(touch PWNED)",
    "`touch PWNED`",
    "a'b",
    "a\"b",
    "a;touch PWNED",
    "a b",
    "../../escaped",
    "/some/dir",
    "..",
    "-rf",
];

fn with_name(name: &str) -> String {
    // A YAML double-quoted scalar holding `name` exactly.
    let quoted = serde_yaml::to_string(&name.to_string()).unwrap();
    TINY.replacen("name: tiny\n", &format!("name: {}", quoted), 1)
}

/// Runs the binary in `cwd` (so a default output folder would land there).
fn jestbench_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

/// Every file and folder under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            if p.is_dir() {
                todo.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn experiment_names_that_are_not_identifiers_are_refused_before_anything_is_written() {
    let root = tempfile::tempdir().unwrap();
    let cwd = root.path().join("a/b");
    std::fs::create_dir_all(&cwd).unwrap();
    for (i, name) in HOSTILE.iter().enumerate() {
        let file = write(&cwd, &format!("e{i}.yaml"), &with_name(name));
        let before = tree(root.path());
        for cmd in ["validate", "run", "slurm"] {
            let f = file.to_str().unwrap();
            let args: Vec<&str> = match cmd {
                "slurm" => vec![cmd, f, "--shards", "1"],
                _ => vec![cmd, f],
            };
            let o = jestbench_in(&cwd, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{cmd} {name:?}: {err}");
            assert!(
                err.contains(&format!("e{i}.yaml:1:1: name: must be 1 to 64 letters"))
                    && err.contains(&format!("{name:?}")),
                "{cmd} {name:?}: {err}"
            );
            assert_eq!(err.lines().count(), 1, "one line, the value escaped: {err}");
        }
        assert_eq!(tree(root.path()), before, "{name:?} wrote something");
    }
    assert!(!root.path().join("PWNED").exists() && !cwd.join("PWNED").exists());
}

#[test]
fn data_paths_with_control_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = "name: files\nseeds: [1]\ndataset:\n  seed: 1\n  files:\n    a: \"a.csv\\ntouch PWNED\"\n    b: b.csv\nmodel:\n  hidden: [8]\n  embed: 4\ntrain:\n  steps: 10\n  batch_size: 8\neval:\n  every: 5\n";
    let f = write(dir.path(), "e.yaml", text);
    let o = jestbench(&["validate", f.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("dataset.files.a: must not hold control characters ('\\n' found)"),
        "{err}"
    );
}

#[test]
fn results_whose_experiment_is_not_an_identifier_are_refused_by_report() {
    let dir = tempfile::tempdir().unwrap();
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/results/truncated.csv");
    let text = std::fs::read_to_string(good).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    let col = header.split(',').position(|c| c == "experiment").unwrap();
    let first = rest.lines().next().unwrap();
    let old = first.split(',').nth(col).unwrap();
    for bad in ["../../escaped", "/abs", "\"a\nb\""] {
        let hostile = format!("{header}\n{}\n", first.replacen(old, bad, 1));
        let f = write(dir.path(), "results.csv", &hostile);
        let o = jestbench(&["report", f.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains("line 2: column `experiment`: must be 1 to 64 letters"),
            "{bad}: {err}"
        );
    }
}

fn job(dir: &Path) -> SlurmJob {
    SlurmJob {
        experiment_name: "tiny".into(),
        exe: dir.join("bin/jestbench"),
        experiment: dir.join("exp/tiny.yaml"),
        out: dir.join("out"),
        workdir: dir.to_path_buf(),
        shards: 3,
        partition: Some("debug".into()),
        time: "01:00:00".into(),
        cpus_per_task: 2,
        gpus: 1,
    }
}

/// The template's lines, in order: a script must have exactly these, each a single
/// directive or comment line, and its `#SBATCH` values must be one word each.
fn assert_template(script: &str, job: &SlurmJob) {
    let mut want = vec![
        "#!/bin/bash",
        "# A job array of ",
        "# Merge when done:  ",
        "#SBATCH --job-name=jestbench-",
        "#SBATCH --array=0-",
        "#SBATCH --output=",
        "#SBATCH --error=",
        "#SBATCH --chdir=",
        "#SBATCH --cpus-per-task=",
        "#SBATCH --time=",
    ];
    if job.partition.is_some() {
        want.push("#SBATCH --partition=");
    }
    if job.gpus > 0 {
        want.push("#SBATCH --gpus=");
    }
    want.extend(["set -euo pipefail", "exec "]);
    let lines: Vec<&str> = script.lines().collect();
    assert_eq!(lines.len(), want.len(), "{script}");
    assert!(script.ends_with('\n') && !script.contains('\r'));
    for (line, prefix) in lines.iter().zip(&want) {
        assert!(line.starts_with(prefix), "{line:?} is not {prefix:?}…");
        if let Some(d) = line.strip_prefix("#SBATCH ") {
            assert!(!d.contains(char::is_whitespace), "{line:?}: one word");
            assert!(!d.contains(['"', '\'', '\\']), "{line:?}");
        }
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
    let n = Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        n.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&n.stderr)
    );
}

/// Runs the script with bash as task 1, its binary a stub that records its
/// arguments: returns them.
fn run_script(script: &str, job: &SlurmJob) -> Vec<String> {
    let exe = &job.exe;
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    let record = exe.with_file_name("argv");
    std::fs::write(
        exe,
        format!(
            "#!/bin/bash\nprintf '%s\\0' \"$@\" > '{}'\n",
            record.to_str().unwrap().replace('\'', "'\\''")
        ),
    )
    .unwrap();
    Command::new("chmod").arg("+x").arg(exe).status().unwrap();
    let o = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("SLURM_ARRAY_TASK_ID", "1")
        .current_dir(&job.workdir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let raw = std::fs::read(&record).unwrap();
    String::from_utf8(raw)
        .unwrap()
        .split_terminator('\0')
        .map(String::from)
        .collect()
}

#[test]
fn the_plain_job_script_has_its_template_and_runs_the_shard() {
    let dir = tempfile::tempdir().unwrap();
    let j = job(dir.path());
    let s = sbatch_script(&j).unwrap();
    assert_template(&s, &j);
    let argv = run_script(&s, &j);
    let out = j.out.to_str().unwrap();
    assert_eq!(
        argv,
        [
            "run",
            j.experiment.to_str().unwrap(),
            "--shard",
            "1/3",
            "--out",
            &format!("{out}/shard-1"),
            "--jobs",
            "2",
            "--quiet",
            "--device",
            "cuda"
        ]
    );
}

#[test]
fn hostile_values_in_every_field_of_the_job_script_are_refused_or_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    let mut refused = 0;
    let mut harmless = 0;
    for (i, v) in HOSTILE.iter().enumerate() {
        let sub = base.join(format!("case{i}"));
        std::fs::create_dir_all(&sub).unwrap();
        // One field at a time; paths take the value as a folder name inside `sub`.
        let in_sub = |v: &str| sub.join(v.replace('/', "_")).join("x");
        let variants: Vec<(&str, SlurmJob)> = vec![
            (
                "name",
                SlurmJob {
                    experiment_name: v.to_string(),
                    ..job(&sub)
                },
            ),
            (
                "partition",
                SlurmJob {
                    partition: Some(v.to_string()),
                    ..job(&sub)
                },
            ),
            (
                "time",
                SlurmJob {
                    time: v.to_string(),
                    ..job(&sub)
                },
            ),
            (
                "exe",
                SlurmJob {
                    exe: in_sub(v).join("jestbench"),
                    ..job(&sub)
                },
            ),
            (
                "experiment",
                SlurmJob {
                    experiment: in_sub(v).join("e.yaml"),
                    ..job(&sub)
                },
            ),
            (
                "out",
                SlurmJob {
                    out: in_sub(v),
                    ..job(&sub)
                },
            ),
            (
                "workdir",
                SlurmJob {
                    workdir: in_sub(v),
                    ..job(&sub)
                },
            ),
        ];
        for (field, j) in variants {
            match sbatch_script(&j) {
                Err(e) => {
                    let msg = e.to_string();
                    assert!(
                        !msg.contains('\n') && !msg.contains('\r'),
                        "{field} {v:?}: {msg}"
                    );
                    refused += 1;
                }
                Ok(s) => {
                    assert_template(&s, &j);
                    if field == "workdir" {
                        std::fs::create_dir_all(&j.workdir).unwrap();
                    }
                    let argv = run_script(&s, &j);
                    assert_eq!(argv[1], j.experiment.to_str().unwrap(), "{field} {v:?}");
                    assert_eq!(argv[5], format!("{}/shard-1", j.out.to_str().unwrap()));
                    harmless += 1;
                }
            }
        }
    }
    // Walk the tree: no stub ever ran a hostile command.
    assert!(
        tree(&base)
            .iter()
            .all(|p| p.file_name().unwrap() != "PWNED"),
        "a value ran as a command"
    );
    // Names, partitions and times are refused outright; quotes, `$(…)` and `;`
    // in the binary's and the experiment's paths are quoted harmlessly.
    assert!(
        refused >= 3 * HOSTILE.len() && harmless >= 10,
        "{refused} refused, {harmless} harmless"
    );
}

#[test]
fn slurm_refuses_flags_it_cannot_write_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "tiny.yaml", TINY);
    let e = exp.to_str().unwrap();
    let spaced = dir.path().join("out dir");
    let percent = dir.path().join("out%j");
    let cases: [(&[&str], &str); 5] = [
        (
            &["--partition", "p\ntouch PWNED2"],
            "--partition: expected a partition name",
        ),
        (&["--time", "1:00:00\n#"], "--time: expected HH:MM:SS"),
        (&["--time", "01:99:00"], "--time: expected HH:MM:SS"),
        (&["--out", spaced.to_str().unwrap()], "--out: "),
        (
            &["--out", percent.to_str().unwrap()],
            "sbatch cannot take '%'",
        ),
    ];
    for (flags, want) in cases {
        let mut args = vec!["slurm", e, "--shards", "2"];
        args.extend_from_slice(flags);
        let o = jestbench(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(want), "{flags:?}: {err}");
    }
    assert!(
        !spaced.exists() && !percent.exists(),
        "a refused job created its folder"
    );
    let o = jestbench(&["slurm", e, "--shards", "2", "--gpus", "100000"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
