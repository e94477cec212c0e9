//! A heatmap: one row per item (a world), one column per measure, each cell
//! coloured by its value on its column's own scale (viridis: ordered, readable in
//! grey and by colour-blind readers) with the value written in it. The world map
//! draws one: worlds by their same-data speed-up and JEST's gains.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{err, ReportError, TEXT};

/// One column: its heading, whether its values are compared on a log scale, and
/// per row the value (None: no value, a grey cell) and the text written in it.
pub struct Column {
    pub title: String,
    pub log: bool,
    pub cells: Vec<(Option<f64>, String)>,
}

/// Viridis at t in [0, 1] (five anchors, linear between them).
fn viridis(t: f64) -> RGBColor {
    const A: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (A[i], A[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

const ROW: i32 = 26;
const HEAD: i32 = 64;

/// The heatmap of `rows` (labels) by `columns`; `title` above it.
pub fn heatmap(title: &str, rows: &[String], columns: &[Column]) -> Result<String, ReportError> {
    let longest = rows.iter().map(|r| r.chars().count()).max().unwrap_or(0) as i32;
    let label_w = (longest * 7 + 16).clamp(120, 420);
    let col_w = 150;
    let width = (label_w + col_w * columns.len() as i32 + 12) as u32;
    let height = (HEAD + ROW * rows.len() as i32 + 36) as u32;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let font = |size: f64, colour: &RGBColor| {
            ("sans-serif", size)
                .into_font()
                .color(colour)
                .pos(Pos::new(HPos::Left, VPos::Center))
        };
        root.draw(&Text::new(title, (8, 14), font(TEXT + 3.0, &BLACK)))
            .map_err(err)?;
        for (k, c) in columns.iter().enumerate() {
            let x = label_w + col_w * k as i32;
            // Headings in two lines where long.
            let words: Vec<&str> = c.title.split(' ').collect();
            let half = words.len().div_ceil(2);
            let lines = if c.title.chars().count() > 18 {
                vec![words[..half].join(" "), words[half..].join(" ")]
            } else {
                vec![c.title.clone()]
            };
            for (j, l) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    l.clone(),
                    (x + 4, 36 + 16 * j as i32),
                    font(TEXT, &BLACK),
                ))
                .map_err(err)?;
            }
            let scaled: Vec<Option<f64>> = c
                .cells
                .iter()
                .map(|(v, _)| {
                    v.filter(|v| v.is_finite() && (!c.log || *v > 0.0))
                        .map(|v| if c.log { v.log10() } else { v })
                })
                .collect();
            let (lo, hi) = scaled
                .iter()
                .flatten()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            for (i, ((_, text), v)) in c.cells.iter().zip(&scaled).enumerate() {
                let y = HEAD + ROW * i as i32;
                let fill = match v {
                    Some(v) if hi > lo => viridis((v - lo) / (hi - lo)),
                    Some(_) => viridis(0.5),
                    None => RGBColor(225, 225, 225),
                };
                root.draw(&Rectangle::new(
                    [(x, y), (x + col_w - 2, y + ROW - 2)],
                    fill.filled(),
                ))
                .map_err(err)?;
                // Light text on the dark half of the scale.
                let dark = v.is_some_and(|v| hi > lo && (v - lo) / (hi - lo) < 0.55);
                let ink = if dark { WHITE } else { BLACK };
                root.draw(&Text::new(
                    text.clone(),
                    (x + 6, y + ROW / 2 - 1),
                    font(TEXT, &ink),
                ))
                .map_err(err)?;
            }
        }
        for (i, r) in rows.iter().enumerate() {
            let y = HEAD + ROW * i as i32 + ROW / 2 - 1;
            root.draw(&Text::new(
                r.clone(),
                (label_w - 8, y),
                ("sans-serif", TEXT)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        let foot = HEAD + ROW * rows.len() as i32 + 18;
        root.draw(&Text::new(
            "colour: each column's own scale, dark to light = low to high (log scale for speed-ups); grey: no value",
            (8, foot),
            font(TEXT, &BLACK),
        ))
        .map_err(err)?;
        root.present().map_err(err)?;
    }
    let json = serde_json::json!({
        "kind": "heatmap",
        "rows": rows,
        "plot": [label_w, HEAD, width as i32 - 12, HEAD + ROW * rows.len() as i32],
        "legend": [0, 0, 0, 0],
        "series": [],
    });
    super::legend::insert_metadata(&mut out, &json);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_take_their_columns_scale_and_missing_values_are_grey() {
        let rows = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let col = Column {
            title: "speed-up".into(),
            log: true,
            cells: vec![
                (Some(1.0), "1.00x".into()),
                (Some(10.0), "10.00x".into()),
                (None, "—".into()),
            ],
        };
        let svg = heatmap("t", &rows, &[col]).unwrap();
        // The lowest value is viridis' dark end, the highest its light end.
        assert!(svg.contains("#440154"), "{svg}");
        assert!(svg.contains("#FDE725"), "{svg}");
        assert!(svg.contains("#E1E1E1"));
        assert!(svg.contains("\"kind\":\"heatmap\""));
        assert_eq!(viridis(0.5), RGBColor(33, 145, 140));
    }
}
