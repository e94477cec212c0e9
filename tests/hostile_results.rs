//! Hostile and broken results, reports and merges (issue 39's table, a test per
//! row): no script in a page, no file deleted that a report did not write, nothing
//! half-counted, nothing read without bound, nothing that panics or hangs.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{jest_evaluations, jestbench, stderr, stdout, write, TINY};

/// The minimal (foreign) results schema with one row per (method, seed, step) of
/// each setting: uniform linear, JEST twice as fast.
fn minimal_results(dir: &Path, settings: &[&str]) -> PathBuf {
    let mut text = String::from(
        "experiment,method,filter_ratio,seed,step,eval_score,setting,flops,seconds,batch_size,super_batch\n",
    );
    for setting in settings {
        // A CSV field, quoted: settings may hold anything but a quote.
        let field = format!("\"{setting}\"");
        for seed in 0..3 {
            for step in (0..=1000).step_by(100) {
                let off = 0.01 * seed as f64;
                let u = 0.6 * step as f64 / 1000.0 + off;
                let j = (1.2 * step as f64 / 1000.0).min(0.97) + off;
                text += &format!("hostile,uniform,0.5,{seed},{step},{u},{field},,,,\n");
                text += &format!("hostile,jest,0.5,{seed},{step},{j},{field},,,,\n");
            }
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    write(dir, "results.csv", &text);
    dir.to_path_buf()
}

/// Runs the binary, killing it after `limit` (a hang is a failure, not a stall).
fn jestbench_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().ok();
            panic!("jestbench {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn no_panic(o: &Output) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && o.status.code().is_some_and(|c| c != 101),
        "{err}"
    );
}

/// The experiment `text` run as two shards, into `dir/s0` and `dir/s1`.
fn two_shards(dir: &Path, text: &str) -> Vec<PathBuf> {
    let exp = write(dir, "sharded.yaml", text);
    (0..2)
        .map(|i| {
            let out = dir.join(format!("s{i}"));
            let o = jestbench(&[
                "run",
                exp.to_str().unwrap(),
                "--shard",
                &format!("{i}/2"),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            out
        })
        .collect()
}

/// TINY run whole into `dir/out`, without a report: the folder.
fn tiny_run(dir: &Path) -> PathBuf {
    let exp = write(dir, "tiny.yaml", TINY);
    let out = dir.join("out");
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--no-report",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

const JS: &str = "k=[x](javascript:alert(document.domain))";

#[test]
fn user_text_never_becomes_a_script_link_and_every_page_has_a_csp() {
    let dir = tempfile::tempdir().unwrap();
    let res = minimal_results(
        &dir.path().join("r"),
        &[
            JS,
            "k=a<b",
            "k=a>b",
            "k=a\u{1}b",
            "k=[y](JaVaScRiPt:alert(1))",
        ],
    );
    let reports = dir.path().join("reports");
    let out = reports.join("hostile");
    let o = jestbench(&[
        "report",
        res.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = jestbench(&["index", reports.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for page in [out.join("report.html"), reports.join("index.html")] {
        let html = std::fs::read_to_string(&page).unwrap();
        let lower = html.to_ascii_lowercase();
        assert!(
            !lower.contains("href=\"javascript") && !lower.contains("src=\"javascript"),
            "{}: a javascript: link",
            page.display()
        );
        assert!(
            html.contains("<meta http-equiv=\"Content-Security-Policy\"")
                && html.contains("script-src 'none'"),
            "{}: no CSP",
            page.display()
        );
        // Every link is a fragment, a relative path or http(s).
        for href in html.split("href=\"").skip(1) {
            let href = href.split('"').next().unwrap();
            assert!(
                jestbench::report::doc::safe_href(href),
                "{}: link {href}",
                page.display()
            );
        }
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.to_ascii_lowercase().contains("](javascript"), "{md}");
    // `check --junit` on results with a control character writes XML that parses.
    let res = minimal_results(&dir.path().join("r1"), &["k=a\u{1}b"]);
    let gates = write(
        dir.path(),
        "gates.yaml",
        "gates:\n  - jest.speedup_iterations.lower_ci >= 1.5\n  - jest.final_score.mean > uniform.final_score.mean\n",
    );
    let junit = dir.path().join("junit.xml");
    let o = jestbench(&[
        "check",
        res.to_str().unwrap(),
        "--gate",
        gates.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let xml = std::fs::read_to_string(&junit).unwrap();
    roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    // The control character is shown, not written: no line of the Markdown
    // starts a heading the report did not make, and every SVG is well-formed.
    assert!(md.contains("k=a\\x01b") && !md.contains('\u{1}'));
    for e in std::fs::read_dir(&out).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "svg") {
            let text = std::fs::read_to_string(&p).unwrap();
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}

#[test]
fn settings_that_slug_alike_get_their_own_figures_and_short_names() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!(
        "k={};q={};r={}",
        "a".repeat(90),
        "b".repeat(90),
        "c".repeat(90)
    );
    let res = minimal_results(&dir.path().join("r"), &["k=a<b", "k=a>b", &long]);
    let out = dir.path().join("rep");
    let o = jestbench(&[
        "report",
        res.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The report and the pages of its own it links (per-cell figures).
    let md: String = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let figures: Vec<&str> = md
        .match_indices("](")
        .filter_map(|(i, _)| md[i + 2..].split(')').next())
        .filter(|f| f.ends_with(".svg"))
        .collect();
    let curves: std::collections::BTreeSet<&str> = figures
        .iter()
        .copied()
        .filter(|f| f.contains("-curves-") && f.ends_with("-iterations.svg"))
        .collect();
    assert_eq!(curves.len(), 3, "one curve figure per setting: {curves:?}");
    for f in &figures {
        assert!(f.len() < 160, "{f}");
        assert!(out.join(f).is_file(), "{f} not written");
    }
    assert_ne!(
        jestbench::names::file_part("k=a<b"),
        jestbench::names::file_part("k=a>b")
    );
    assert!(jestbench::names::file_part(&"x".repeat(10_000)).len() <= 49);
}

#[test]
fn a_report_never_deletes_files_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let res = minimal_results(&dir.path().join("r"), &["k=1", "k=2"]);
    let res = res.to_str().unwrap();
    // A folder of one's own: refused, untouched.
    let own = dir.path().join("own");
    std::fs::create_dir_all(&own).unwrap();
    write(&own, "logo.svg", "<svg/>");
    let o = jestbench(&["report", res, "--out", own.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds files but no jestbench report"));
    assert_eq!(std::fs::read_dir(&own).unwrap().count(), 1);
    assert!(own.join("logo.svg").is_file());
    // `--out .` from a folder of one's own files: refused too.
    let o = Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .current_dir(&own)
        .args(["report", res, "--out", "."])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(own.join("logo.svg").is_file());
    // A report folder: a new report replaces its files, keeps the others.
    let rep = dir.path().join("rep");
    let o = jestbench(&["report", res, "--out", rep.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    write(&rep, "logo.svg", "<svg/>");
    write(&rep, "notes.md", "mine");
    let before: Vec<String> = std::fs::read_to_string(rep.join("report-files.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(before.iter().any(|f| f.contains("k-2")), "{before:?}");
    let fewer = minimal_results(&dir.path().join("r2"), &["k=1"]);
    let o = jestbench(&[
        "report",
        fewer.to_str().unwrap(),
        "--out",
        rep.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(rep.join("logo.svg").is_file() && rep.join("notes.md").is_file());
    // The figures of the setting gone are gone (the earlier report's own).
    for f in before.iter().filter(|f| f.contains("k-2")) {
        assert!(!rep.join(f).exists(), "{f} left behind");
    }
}

#[test]
fn a_merge_takes_the_folders_lock_and_writes_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let shards = two_shards(dir.path(), TINY);
    let merged = dir.path().join("merged");
    // Another merge (or run) holds the output folder: this one is turned away
    // and writes nothing.
    {
        let _held = jestbench::log::lock(&merged).unwrap();
        let o = jestbench(&[
            "merge",
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(3), "busy");
        assert!(
            stderr(&o).contains("another jestbench run is writing"),
            "{}",
            stderr(&o)
        );
        assert!(jestbench::log::layout_of(&merged).unwrap().is_none());
    }
    // Two merges at once into one folder: one writes, the other is refused, and
    // the folder holds one whole merge.
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_jestbench"))
            .args([
                "merge",
                shards[0].to_str().unwrap(),
                shards[1].to_str().unwrap(),
                "--out",
                merged.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    let ok = [a.wait().unwrap().success(), b.wait().unwrap().success()];
    assert_eq!(ok.iter().filter(|x| **x).count(), 1, "{ok:?}");
    let read = jestbench::log::read_folder(&merged, &jestbench::family::schemas()).unwrap();
    assert!(read.torn.is_empty() && read.incomplete.is_empty() && read.unfinished.is_empty());
    assert_eq!(read.summaries.len(), 2);
    let leftovers: Vec<_> = std::fs::read_dir(&merged)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_shard_missing_a_runs_rows_is_not_merged_and_not_reported_as_complete() {
    let dir = tempfile::tempdir().unwrap();
    let text = TINY.to_string() + "sweep:\n  train.lr: [0.001, 0.002]\n";
    let shards = two_shards(dir.path(), &text);
    // Shard 0 copied without its run's last rows.
    let results = jest_evaluations(&shards[0]);
    let text = std::fs::read_to_string(&results).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cut = lines[..lines.len() - 2].join("\n") + "\n";
    std::fs::write(&results, cut).unwrap();
    let merged = dir.path().join("merged");
    let o = jestbench(&[
        "merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("its run row ends at step 150, but its evaluations end at step 50"),
        "{}",
        stderr(&o)
    );
    assert!(jestbench::log::layout_of(&merged).unwrap().is_none());
    // `report` on the cut shard says which run it leaves out.
    let rep = dir.path().join("rep");
    let o = jestbench(&[
        "report",
        shards[0].to_str().unwrap(),
        "--out",
        rep.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("1 runs left out, their evaluations do not end where their run row says"),
        "{err}"
    );
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap_or_default();
    assert!(md.contains("runs left out"), "the report itself says so");
}

#[test]
fn a_run_whose_last_row_was_torn_after_its_summary_is_redone_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let out = tiny_run(dir.path());
    let results = jest_evaluations(&out);
    let whole = std::fs::read_to_string(&results).unwrap();
    // The last row (the last run's step 150, already in runs.csv) torn.
    std::fs::write(&results, &whole[..whole.len() - 20]).unwrap();
    // The same command again: `tiny_run` resumes into the same folder.
    let again_out = tiny_run(dir.path());
    assert_eq!(again_out, out);
    let again = std::fs::read_to_string(&results).unwrap();
    let key = |t: &str| -> Vec<String> {
        let mut v: Vec<String> = t
            .lines()
            .map(|l| l.split(',').take(20).collect::<Vec<_>>().join(","))
            .filter(|l| !l.contains("seconds"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(again.lines().count(), whole.lines().count());
    let steps = |t: &str| t.lines().filter(|l| l.contains(",150,")).count();
    assert_eq!(steps(&again), steps(&whole), "every run has its last row");
    assert_eq!(key(&again).len(), key(&whole).len());
}

#[test]
fn report_warns_about_a_folder_being_written_and_unfinished_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = tiny_run(dir.path());
    // A run of the folder still going: its run row not yet written.
    let summary = out.join(jestbench::log::RUNS_FILE);
    let text = std::fs::read_to_string(&summary).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&summary, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let _held = jestbench::log::lock(&out).unwrap();
    let rep = dir.path().join("rep");
    let o = jestbench(&[
        "report",
        out.to_str().unwrap(),
        "--out",
        rep.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("a jestbench run is writing into this folder now"),
        "{err}"
    );
    assert!(err.contains("1 runs left out, not finished"), "{err}");
}

#[test]
fn results_that_are_not_regular_files_or_too_large_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let limit = Duration::from_secs(60);
    // A link to a device: never read until memory runs out.
    let zero = dir.path().join("zero");
    std::fs::create_dir_all(&zero).unwrap();
    std::os::unix::fs::symlink("/dev/zero", zero.join("results.csv")).unwrap();
    let o = jestbench_within(
        &["report", zero.to_str().unwrap(), "--out", "/nonexistent/x"],
        limit,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("outside its folder"), "{}", stderr(&o));
    // A FIFO: never waited on.
    let fifo = dir.path().join("fifo");
    std::fs::create_dir_all(&fifo).unwrap();
    let p = fifo.join("results.csv");
    let made = Command::new("mkfifo").arg(&p).status().unwrap();
    assert!(made.success());
    let o = jestbench_within(
        &["report", fifo.to_str().unwrap(), "--out", "/nonexistent/x"],
        limit,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    // A link to a file elsewhere (/etc/passwd): refused, not followed.
    let passwd = dir.path().join("passwd");
    std::fs::create_dir_all(&passwd).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", passwd.join("results.csv")).unwrap();
    let o = jestbench_within(
        &[
            "report",
            passwd.to_str().unwrap(),
            "--out",
            "/nonexistent/x",
        ],
        limit,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Larger than any analysis here can hold (a sparse file: no disk used):
    // refused from its size, before a byte is read.
    let big = dir.path().join("big");
    std::fs::create_dir_all(&big).unwrap();
    let f = std::fs::File::create(big.join("results.csv")).unwrap();
    f.set_len(jestbench::log::MAX_RESULTS_BYTES + 1).unwrap();
    let o = jestbench_within(
        &["report", big.to_str().unwrap(), "--out", "/nonexistent/x"],
        limit,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("report fewer folders at a time"),
        "{}",
        stderr(&o)
    );
    no_panic(&o);
}

/// A .npy header claiming `shape`, followed by `data` bytes of f4.
fn npy(path: &Path, shape: &str, data: usize) {
    let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
    let mut header = dict.into_bytes();
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(b"\x93NUMPY\x01\x00").unwrap();
    f.write_all(&(header.len() as u16).to_le_bytes()).unwrap();
    f.write_all(&header).unwrap();
    f.write_all(&vec![0u8; data]).unwrap();
}

/// `jestbench select` with `npy` as all four embeddings (learner and reference).
fn select_on(npy: &str, flags: &[&str]) -> Output {
    let mut args = vec![
        "select",
        "--learner-a",
        npy,
        "--learner-b",
        npy,
        "--reference-a",
        npy,
        "--reference-b",
        npy,
    ];
    args.extend_from_slice(flags);
    jestbench_within(&args, Duration::from_secs(60))
}

#[test]
fn npy_shapes_are_checked_before_anything_is_allocated() {
    let dir = tempfile::tempdir().unwrap();
    for (name, shape) in [
        ("wrap", "(4294967296, 4294967296)"),
        ("huge", "(3, 6100000000000000000)"),
        ("short", "(1000, 8)"),
    ] {
        let p = dir.path().join(format!("{name}.npy"));
        npy(&p, shape, 64);
        let p = p.to_str().unwrap();
        let o = select_on(p, &["--b", "2", "--n-chunks", "2"]);
        no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{name}.npy")),
            "{}",
            stderr(&o)
        );
        // The same file as an experiment's data: validate refuses it too.
        let exp = TINY.replace(
            "  synthetic:\n    concepts: 12\n    latent_dim: 6\n    dim_a: 10\n    dim_b: 8\n    pool: 1500\n    curated: 300\n    eval_concepts: 6\n    eval_per_concept: 20\n",
            &format!("  files:\n    a: {p}\n    b: {p}\n"),
        );
        let e = write(dir.path(), &format!("{name}.yaml"), &exp);
        let o = jestbench_within(
            &["validate", e.to_str().unwrap(), "--no-estimate"],
            Duration::from_secs(60),
        );
        no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
    }
}

#[test]
fn select_needs_no_score_matrix_and_refuses_to_print_one_larger_than_memory() {
    let dir = tempfile::tempdir().unwrap();
    // 1,000,000 candidates of width 2: 8 MB of input. Selection scores them
    // through the fused path (O(B·e) memory); their B×B matrix (3.6 TiB of f32)
    // is refused before it is allocated.
    let p = dir.path().join("many.npy");
    let rows = 1_000_000usize;
    npy(&p, &format!("({rows}, 2)"), rows * 2 * 4);
    let p = p.to_str().unwrap();
    let o = select_on(p, &["--b", "64"]);
    no_panic(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("not computed for B = 1000000"), "{out}");
    let o = select_on(p, &["--b", "64", "--dump-scores"]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("B = 1000000 candidates: their B×B score matrix (f32) take"),
        "{}",
        stderr(&o)
    );
    // Embeddings of width 0 are named, not divided by.
    let empty = dir.path().join("empty.npy");
    npy(&empty, "(10, 0)", 0);
    let o = select_on(empty.to_str().unwrap(), &["--b", "4", "--n-chunks", "2"]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("width 0"), "{}", stderr(&o));
}

#[test]
fn compare_reads_only_results_inside_the_folders_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let res = minimal_results(&dir.path().join("results/h"), &["k=1"]);
    let rep = dir.path().join("reports/h");
    let o = jestbench(&[
        "report",
        res.to_str().unwrap(),
        "--out",
        rep.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = rep.join("analysis.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for evil in ["/etc/passwd", "../../../../etc/passwd", "/dev/zero"] {
        v["sources"] = serde_json::json!([evil]);
        std::fs::write(&json, v.to_string()).unwrap();
        let o = jestbench_within(
            &["compare", rep.to_str().unwrap(), res.to_str().unwrap()],
            Duration::from_secs(60),
        );
        assert_eq!(o.status.code(), Some(2), "{evil}: {}", stderr(&o));
        assert!(
            stderr(&o)
                .contains("compare reads results only inside the folder that holds the reports"),
            "{evil}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn experiment_files_that_would_take_minutes_or_gigabytes_are_refused_first() {
    let dir = tempfile::tempdir().unwrap();
    let limit = Duration::from_secs(30);
    let check = |name: &str, text: &str, expect: &str| {
        let p = write(dir.path(), name, text);
        let start = Instant::now();
        let o = jestbench_within(&["validate", p.to_str().unwrap(), "--no-estimate"], limit);
        no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{name}: {}", stderr(&o));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{name}: {:?}",
            start.elapsed()
        );
    };
    // 10^7 seeds (79 MB): over the file size limit, before any parsing.
    let mut seeds = String::from("seeds: [");
    for i in 0..700_000u64 {
        seeds += &format!("{},", 1_000_000_000_000 + i);
    }
    seeds += "0]\n";
    let many = TINY.replace("seeds: [1, 2]\n", &seeds);
    check(
        "many-seeds.yaml",
        &many,
        "bytes; an experiment file is a few KiB",
    );
    // 200,000 seeds (2 MB, under the size limit): the run limit, before the
    // duplicate check or the sweep.
    let mut seeds = String::from("seeds: [");
    for i in 0..200_000u64 {
        seeds += &format!("{i},");
    }
    seeds += "200000]\n";
    let seeds200k = TINY.replace("seeds: [1, 2]\n", &seeds);
    check(
        "seeds-200k.yaml",
        &seeds200k,
        "seeds: 200001 seeds exceed the limit of 100000 runs",
    );
    // 100,000 levels of flow nesting (200 KB).
    let deep = format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let nested = TINY.replace("sweep:", "x:") + &format!("extra: {deep}");
    check("nested.yaml", &nested, "nested more than 32 deep");
    // 2^63 steps: refused, not estimated as 0 s and run forever.
    let steps = TINY.replace("  steps: 150\n", "  steps: 9223372036854775808\n");
    check(
        "steps.yaml",
        &steps,
        "train.steps: must be at most 1073741824",
    );
}

#[test]
fn yaml_boms_are_read_and_tags_refused_at_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let bom = write(dir.path(), "bom.yaml", &format!("\u{feff}{TINY}"));
    let o = jestbench(&["validate", bom.to_str().unwrap(), "--no-estimate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (name, tagged) in [("str", "!!str 150"), ("custom", "!custom 150")] {
        let text = TINY.replace("  steps: 150\n", &format!("  steps: {tagged}\n"));
        let p = write(dir.path(), &format!("{name}.yaml"), &text);
        let o = jestbench(&["validate", p.to_str().unwrap(), "--no-estimate"]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        let line = TINY.lines().position(|l| l == "  steps: 150").unwrap() + 1;
        assert!(
            err.contains(&format!("{name}.yaml:{line}:"))
                && err.contains("train.steps: the YAML tag"),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_closed_stdout_ends_printing_not_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "tiny.yaml", TINY);
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .args([
            "run",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--no-report",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before anything is printed (`| head -0`).
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    no_panic(&o);
    assert_eq!(
        std::fs::read_to_string(out.join(jestbench::log::RUNS_FILE))
            .unwrap()
            .lines()
            .count(),
        3
    );
}

#[test]
fn flags_that_would_do_nothing_or_fail_every_task_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "tiny.yaml", TINY);
    let e = exp.to_str().unwrap();
    let out = dir.path().join("out");
    let o = jestbench(&["run", e, "--only", "typo", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--only: no run of `tiny` has the id \"typo\""),
        "{}",
        stderr(&o)
    );
    assert!(jestbench::log::layout_of(&out).unwrap().is_none());
    let slurm_out = dir.path().join("slurm");
    let s = slurm_out.to_str().unwrap();
    for (flags, expect) in [
        (
            vec!["--time", "00:00:00"],
            "--time: found \"00:00:00\": a time limit of zero",
        ),
        (vec!["--time", "0-00:00:00"], "a time limit of zero"),
    ] {
        let mut args = vec!["slurm", e, "--shards", "1", "--out", s];
        args.extend(flags);
        let o = jestbench(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
    }
    if !cfg!(feature = "cuda") {
        let o = jestbench(&["slurm", e, "--shards", "1", "--out", s, "--gpus", "1"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("built without CUDA"), "{}", stderr(&o));
    }
    assert!(!slurm_out.exists(), "nothing written for a refused flag");
}
