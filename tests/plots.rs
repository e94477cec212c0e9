//! Every committed plot, parsed: the legend apart from the data, every data mark
//! inside the axes, no two series with one colour and mark (issue 28).

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
    let overlaps =
        |a: [f64; 4], b: [f64; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    if legend[2] > legend[0] && overlaps(plot, legend) {
        problems.push(format!("legend {legend:?} overlaps the plot {plot:?}"));
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
    let colours: Vec<String> = seen.iter().map(|k| k.0.to_uppercase()).collect();
    let inside = |x: f64, y: f64, tol: f64| {
        x >= plot[0] - tol && x <= plot[2] + tol && y >= plot[1] - tol && y <= plot[3] + tol
    };
    let in_legend = |x: f64| legend[2] > legend[0] && x >= legend[0];
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
        if pts.iter().all(|p| in_legend(p.0)) {
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
}
