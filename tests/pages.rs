//! The pages a reader opens, checked as committed (issue 43): every report page
//! light (at most 1.5 MB with its figures), with a viewport and unique ids, its
//! figures present; every relative link and every "§" cited in README, docs/,
//! the reports and the experiment files resolving to a file (and heading) of this
//! repository; README's answer table the committed board's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// The committed report pages (the local quickstart report is not committed).
fn report_pages(ext: &str) -> Vec<PathBuf> {
    let reports = root().join("reports");
    let mut out = Vec::new();
    files(&reports, ext, &mut out);
    out.retain(|f| !f.starts_with(reports.join("quickstart")));
    out.sort();
    out
}

/// The values of `attr="…"` in an HTML text.
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!(" {attr}=\"");
    html.match_indices(&key)
        .filter_map(|(i, _)| {
            let rest = &html[i + key.len()..];
            rest.find('"').map(|e| &rest[..e])
        })
        .collect()
}

/// The problems of one report page: its weight with the figures it shows, its
/// viewport, repeated ids, missing figures.
fn page_problems(path: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(path).unwrap();
    let dir = path.parent().unwrap();
    let mut problems = Vec::new();
    if !html.contains("<meta name=\"viewport\"") {
        problems.push("no viewport meta".to_string());
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for id in attrs(&html, "id") {
        *seen.entry(id).or_default() += 1;
    }
    let mut repeated: Vec<&str> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(i, _)| *i)
        .collect();
    repeated.sort();
    if !repeated.is_empty() {
        problems.push(format!("ids used more than once: {repeated:?}"));
    }
    let mut weight = html.len() as u64;
    for src in attrs(&html, "src") {
        match std::fs::metadata(dir.join(src)) {
            Ok(m) => weight += m.len(),
            Err(_) => problems.push(format!("figure {src} is missing")),
        }
    }
    if weight > 1_500_000 {
        problems.push(format!("{weight} bytes with its figures (over 1.5 MB)"));
    }
    problems
}

#[test]
fn every_report_page_is_light_has_a_viewport_unique_ids_and_its_figures() {
    let pages = report_pages("html");
    assert!(pages.len() > 15, "only {} pages", pages.len());
    let bad: Vec<String> = pages
        .iter()
        .filter_map(|p| {
            let problems = page_problems(p);
            (!problems.is_empty()).then(|| format!("{}: {}", p.display(), problems.join("; ")))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A Markdown heading's anchor as GitHub makes it, repeats numbered.
fn anchors(md: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    let mut fence = false;
    for l in md.lines() {
        if l.trim_start().starts_with("```") {
            fence = !fence;
        }
        if fence || !l.starts_with('#') {
            continue;
        }
        let text = l.trim_start_matches('#').trim().replace('`', "");
        let base = jestbench::report::doc::anchor(&text);
        let n = seen.entry(base.clone()).or_insert(0);
        out.push(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// The text of a page a reader reads, without code: fenced blocks and inline
/// code spans removed, one entry a line.
fn prose(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence = false;
    for l in text.lines() {
        if l.trim_start().starts_with("```") {
            fence = !fence;
            out.push(String::new());
            continue;
        }
        if fence {
            out.push(String::new());
            continue;
        }
        out.push(
            l.split('`')
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, p)| p)
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    out
}

/// The file a "§" on a line cites: the last `….md` named before it on the line
/// (found under the repository's root or docs/), else the page itself when it
/// is a methods page.
fn cited_doc(line: &str, at: usize, page: &Path, repo: &Path) -> Option<PathBuf> {
    let before = &line[..at];
    let end = before.rfind(".md")?;
    let start = before[..end]
        .rfind(|c: char| !(c.is_alphanumeric() || "_./-".contains(c)))
        .map_or(0, |i| i + 1);
    let name = &before[start..end + 3];
    let base = Path::new(name).file_name()?;
    let candidates = [
        repo.join(name),
        page.parent()?.join(name),
        repo.join("docs").join(base),
    ];
    candidates.into_iter().find(|p| p.is_file())
}

/// The problems of one page's links and "§" citations.
fn link_problems(page: &Path, text: &str, repo: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let md_page = page.extension().is_some_and(|x| x == "md");
    for (n, line) in prose(text).iter().enumerate() {
        let at = |what: String| format!("{}:{}: {what}", page.display(), n + 1);
        // Links: [text](target), relative targets only.
        if md_page {
            for (i, _) in line.match_indices("](") {
                let rest = &line[i + 2..];
                let Some(end) = rest.find(')') else { continue };
                let target = &rest[..end];
                if target.is_empty()
                    || target.contains(' ')
                    || target.starts_with("http://")
                    || target.starts_with("https://")
                    || target.starts_with("mailto:")
                {
                    continue;
                }
                let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
                let path = if file.is_empty() {
                    page.to_path_buf()
                } else {
                    page.parent().unwrap().join(file)
                };
                if !path.exists() {
                    problems.push(at(format!("link to {target}: no such file")));
                    continue;
                }
                if anchor.is_empty() || path.is_dir() {
                    continue;
                }
                let body = std::fs::read_to_string(&path).unwrap_or_default();
                let found = if path.extension().is_some_and(|x| x == "md") {
                    anchors(&body).iter().any(|a| a == anchor)
                } else {
                    attrs(&body, "id").contains(&anchor)
                };
                if !found {
                    problems.push(at(format!("link to {target}: no such anchor")));
                }
            }
        }
        // "§N": the document it cites must be here, with that section.
        for (i, _) in line.match_indices('§') {
            let num: String = line[i + '§'.len_utf8()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if num.is_empty() {
                problems.push(at("a § without a section number".into()));
                continue;
            }
            let doc = cited_doc(line, i, page, repo).or_else(|| {
                page.file_name()
                    .is_some_and(|f| f == "methods.md")
                    .then(|| page.to_path_buf())
            });
            let Some(doc) = doc else {
                problems.push(at(format!("§{num} cites no document of this repository")));
                continue;
            };
            let body = std::fs::read_to_string(&doc).unwrap_or_default();
            let heading = format!("§{num} ");
            if !body
                .lines()
                .any(|l| l.starts_with('#') && l.contains(&heading))
            {
                problems.push(at(format!("{} has no section §{num}", doc.display())));
            }
        }
    }
    problems
}

fn checked_pages(repo: &Path) -> Vec<PathBuf> {
    let mut pages = vec![repo.join("README.md")];
    files(&repo.join("docs"), "md", &mut pages);
    pages.extend(report_pages("md"));
    files(&repo.join("experiments"), "yaml", &mut pages);
    pages
}

#[test]
fn every_link_and_section_cited_resolves_in_the_repository() {
    let repo = root();
    let pages = checked_pages(&repo);
    assert!(pages.len() > 40, "only {} pages", pages.len());
    let mut bad = Vec::new();
    for p in &pages {
        let text = std::fs::read_to_string(p).unwrap();
        bad.extend(link_problems(p, &text, &repo));
    }
    assert!(
        bad.is_empty(),
        "{} problems:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn the_link_check_finds_a_missing_file_anchor_and_section() {
    let repo = root();
    let page = repo.join("docs").join("page.md");
    let text = "See [m](methods.md#6-verdicts) and docs/methods.md §6.\n\
        A [gone](nowhere.md), a [bad anchor](methods.md#no-such), methods.md §9, a bare §.\n\
        SPEC §6 names no document. `[code](not-checked.md)`\n";
    let p = link_problems(&page, text, &repo);
    assert_eq!(p.len(), 5, "{p:#?}");
    assert!(p[0].contains("nowhere.md: no such file"));
    assert!(p[1].contains("no such anchor"));
    assert!(p[2].contains("no section §9"));
    assert!(p[3].contains("without a section number"));
    assert!(p[4].contains("§6 cites no document"));
}

#[test]
fn readmes_answer_table_is_the_committed_boards() {
    let repo = root();
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let index = std::fs::read_to_string(repo.join("reports").join("index.md")).unwrap();
    let table = jestbench::report::index::answer_table(&index, "reports")
        .expect("reports/index.md has an answer table");
    let expected = jestbench::report::index::with_answer(&readme, &table)
        .expect("README.md marks its answer table");
    assert!(
        readme == expected,
        "README's answer table is not the board's: run `jestbench index reports --readme README.md`"
    );
    assert!(table.lines().count() >= 10, "{table}");
}
