//! Every committed plot, parsed: the legend apart from the data, every data mark
//! inside the axes, no two series with one colour and mark (issue 28); no text
//! under 11 px and no plot wider than a page's column (pages show SVGs at their
//! own size), no two rows of a claims board alike, no series in a verdict's
//! colour, at most 8 data series in one panel (issue 43).

use std::path::{Path, PathBuf};

fn svgs(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            svgs(&p, out);
        } else if p.extension().is_some_and(|x| x == "svg") {
            out.push(p);
        }
    }
}

/// The claims board's verdict colours (holds, does not hold, open).
const VERDICT_COLOURS: [&str; 3] = ["#009E73", "#D55E00", "#777777"];

/// The problems of one SVG (empty: none).
pub fn check_svg(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let doc = match roxmltree::Document::parse(text) {
        Ok(d) => d,
        Err(e) => return vec![format!("not XML: {e}")],
    };
    let Some(meta) = doc
        .descendants()
        .find(|n| n.has_tag_name("metadata") && n.attribute("id") == Some("jestbench"))
    else {
        return vec!["no jestbench metadata".into()];
    };
    let m: serde_json::Value = serde_json::from_str(meta.text().unwrap_or("")).unwrap();
    let rect = |k: &str| -> [f64; 4] {
        let v = m[k].as_array().unwrap();
        [0, 1, 2, 3].map(|i| v[i].as_f64().unwrap())
    };
    let (plot, legend) = (rect("plot"), rect("legend"));
    // Text: never under 11 px; the picture never wider than the page's column.
    for n in doc.descendants() {
        if let Some(size) = n.attribute("font-size") {
            let px: f64 = size.trim_end_matches("px").parse().unwrap_or(0.0);
            if px < 11.0 {
                let text: String = n.descendants().filter_map(|t| t.text()).collect();
                problems.push(format!("text of {px:.1} px: {text:?}"));
            }
        }
    }
    if let Some(w) = doc.root_element().attribute("width") {
        let w: f64 = w.parse().unwrap_or(0.0);
        if w > 1060.0 {
            problems.push(format!(
                "{w} px wide: a page shrinks it, and its text with it"
            ));
        }
    }
    // A board's rows: each label once.
    let rows: Vec<&str> = m["rows"]
        .as_array()
        .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    for (i, r) in rows.iter().enumerate() {
        if rows[..i].contains(r) {
            problems.push(format!("two rows labelled {r:?}"));
        }
    }
    let overlaps =
        |a: [f64; 4], b: [f64; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    if legend[2] > legend[0] && overlaps(plot, legend) {
        problems.push(format!("legend {legend:?} overlaps the plot {plot:?}"));
    }
    // A heatmap's cells are coloured by value, not by series: its text and rows
    // are checked above, nothing more.
    if m["kind"] == "heatmap" {
        return problems;
    }
    let series = m["series"].as_array().unwrap();
    let mut seen: Vec<(String, String, bool)> = Vec::new();
    for s in series {
        let key = (
            s["colour"].as_str().unwrap().to_string(),
            s["mark"].as_str().unwrap().to_string(),
            s["reference"].as_bool().unwrap(),
        );
        if seen.contains(&key) {
            problems.push(format!(
                "two series share colour and mark {key:?}: {}",
                s["label"]
            ));
        }
        seen.push(key);
    }
    // A plot's series (not a board's verdicts): never a verdict's colour, at most
    // 8 of them in one panel.
    if rows.is_empty() {
        let data: Vec<&serde_json::Value> = series
            .iter()
            .filter(|s| !s["reference"].as_bool().unwrap())
            .collect();
        for s in &data {
            let c = s["colour"].as_str().unwrap().to_uppercase();
            if VERDICT_COLOURS.contains(&c.as_str()) {
                problems.push(format!("series {} in a verdict's colour {c}", s["label"]));
            }
        }
        if data.len() > 8 {
            problems.push(format!("{} data series in one panel", data.len()));
        }
    }
    let colours: Vec<String> = seen.iter().map(|k| k.0.to_uppercase()).collect();
    let inside = |x: f64, y: f64, tol: f64| {
        x >= plot[0] - tol && x <= plot[2] + tol && y >= plot[1] - tol && y <= plot[3] + tol
    };
    let in_legend = |x: f64, y: f64| {
        legend[2] > legend[0]
            && x >= legend[0]
            && x <= legend[2]
            && y >= legend[1]
            && y <= legend[3]
    };
    let mut marks = 0;
    for n in doc.descendants() {
        let colour = n
            .attribute("stroke")
            .filter(|c| *c != "none")
            .or(n.attribute("fill"))
            .unwrap_or("")
            .to_uppercase();
        if !colours.contains(&colour) {
            continue;
        }
        let mut pts: Vec<(f64, f64)> = Vec::new();
        let tol;
        match n.tag_name().name() {
            "polyline" | "polygon" => {
                tol = if n.tag_name().name() == "polygon" {
                    8.0
                } else {
                    2.5
                };
                for p in n.attribute("points").unwrap_or("").split_whitespace() {
                    let (x, y) = p.split_once(',').unwrap();
                    pts.push((x.parse().unwrap(), y.parse().unwrap()));
                }
            }
            "circle" => {
                tol = 1.0;
                pts.push((
                    n.attribute("cx").unwrap().parse().unwrap(),
                    n.attribute("cy").unwrap().parse().unwrap(),
                ));
            }
            "rect" => {
                tol = 4.0;
                let f = |k: &str| n.attribute(k).unwrap().parse::<f64>().unwrap();
                pts.push((f("x"), f("y")));
            }
            _ => continue,
        }
        if pts.iter().all(|p| in_legend(p.0, p.1)) {
            continue;
        }
        marks += 1;
        if let Some(p) = pts.iter().find(|p| !inside(p.0, p.1, tol)) {
            problems.push(format!(
                "a {} mark ({colour}) at {p:?} lies outside the plot {plot:?}",
                n.tag_name().name()
            ));
        }
    }
    if marks == 0 {
        problems.push("an empty plot: no data mark inside it".into());
    }
    problems
}

#[test]
fn every_committed_plot_keeps_its_data_inside_its_axes_and_its_legend_apart() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    let mut files = Vec::new();
    svgs(&root, &mut files);
    files.sort();
    // The local quickstart report is not committed (git ignores it).
    files.retain(|f| !f.starts_with(root.join("quickstart")));
    assert!(
        files.len() > 100,
        "only {} SVGs under reports/",
        files.len()
    );
    let mut bad = Vec::new();
    for f in &files {
        let problems = check_svg(&std::fs::read_to_string(f).unwrap());
        if !problems.is_empty() {
            bad.push(format!("{}: {}", f.display(), problems.join("; ")));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} plots:\n{}",
        bad.len(),
        files.len(),
        bad.join("\n")
    );
}

#[test]
fn the_plot_check_fails_on_a_legend_over_data_a_mark_outside_and_a_repeated_style() {
    // The checker itself, on hand-made SVGs: each fault is found.
    let svg = |legend: &str, extra: &str, series: &str| {
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="440"><polyline fill="none" stroke="#1F77B4" points="100,100 200,150 "/>{extra}<metadata id="jestbench">{{"plot":[68,40,708,400],"legend":{legend},"series":[{series}]}}</metadata></svg>"##
        )
    };
    let one = r##"{"label":"jest","colour":"#1F77B4","mark":"none","reference":false}"##;
    assert!(check_svg(&svg("[720,0,1000,440]", "", one)).is_empty());
    let p = check_svg(&svg("[500,0,1000,440]", "", one));
    assert!(p.iter().any(|m| m.contains("overlaps")), "{p:?}");
    let p = check_svg(&svg(
        "[720,0,1000,440]",
        r##"<circle cx="300" cy="420" r="3" fill="#1F77B4"/>"##,
        one,
    ));
    assert!(p.iter().any(|m| m.contains("outside")), "{p:?}");
    let p = check_svg(&svg("[720,0,1000,440]", "", &format!("{one},{one}")));
    assert!(p.iter().any(|m| m.contains("share colour")), "{p:?}");
    let p = check_svg(&svg(
        "[720,0,1000,440]",
        "",
        r##"{"label":"x","colour":"#D62728","mark":"none","reference":false}"##,
    ));
    assert!(p.iter().any(|m| m.contains("empty plot")), "{p:?}");
    // Small text, a verdict's colour, too many series, a board's repeated row.
    let small = svg(
        "[720,0,1000,440]",
        r##"<text font-size="9.67741935483871">x</text>"##,
        one,
    );
    let p = check_svg(&small);
    assert!(p.iter().any(|m| m.contains("text of 9.7 px")), "{p:?}");
    let green = r##"{"label":"jest","colour":"#009E73","mark":"none","reference":false}"##;
    let p = check_svg(&svg(
        "[720,0,1000,440]",
        r##"<polyline fill="none" stroke="#009E73" points="100,100 200,150 "/>"##,
        green,
    ));
    assert!(p.iter().any(|m| m.contains("verdict's colour")), "{p:?}");
    let marks = [
        "none", "circle", "square", "diamond", "down", "plus", "up", "x", "y",
    ];
    let nine: Vec<String> = marks
        .iter()
        .map(|m| {
            format!(r##"{{"label":"{m}","colour":"#1F77B4","mark":"{m}","reference":false}}"##)
        })
        .collect();
    let p = check_svg(&svg("[720,0,1000,440]", "", &nine.join(",")));
    assert!(p.iter().any(|m| m.contains("9 data series")), "{p:?}");
    let board = r##"<svg xmlns="http://www.w3.org/2000/svg" width="800" height="300"><circle cx="300" cy="100" r="5" fill="#009E73"/><metadata id="jestbench">{"rows":["13x","13x"],"plot":[200,40,700,250],"legend":[0,0,0,0],"series":[{"label":"holds","colour":"#009E73","mark":"none","reference":false}]}</metadata></svg>"##;
    let p = check_svg(board);
    assert!(p.iter().any(|m| m.contains("two rows labelled")), "{p:?}");
    assert!(!p.iter().any(|m| m.contains("verdict's colour")), "{p:?}");
}
