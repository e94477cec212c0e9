//! Series styles and the legend: colour for the method, a point mark for the
//! setting, never the same pair twice in one plot; the legend drawn in its own
//! column to the right of the plotting area, so it never covers data; and the
//! plot's geometry written into the SVG (`<metadata>`) for the tests that check it.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{err, Chart, ReportError};

/// The mark drawn at a series' points (none: the line alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    None,
    Circle,
    Square,
    Diamond,
    Down,
    Plus,
    /// Only a legend's key (to an "at least" arrow), never a series' mark.
    Up,
}

impl Mark {
    const ALL: [Mark; 6] = [
        Mark::None,
        Mark::Circle,
        Mark::Square,
        Mark::Diamond,
        Mark::Down,
        Mark::Plus,
    ];

    fn name(self) -> &'static str {
        match self {
            Mark::None => "none",
            Mark::Circle => "circle",
            Mark::Square => "square",
            Mark::Diamond => "diamond",
            Mark::Down => "down",
            Mark::Plus => "plus",
            Mark::Up => "up",
        }
    }

    /// Draws the mark at each of `pts` (data coordinates); nothing for `None`.
    pub(super) fn draw(
        self,
        c: &mut Chart,
        pts: &[(f64, f64)],
        col: RGBColor,
    ) -> Result<(), ReportError> {
        let fill = col.filled();
        let at = pts.iter().copied();
        match self {
            Mark::None => Ok(()),
            Mark::Circle => c.draw_series(at.map(|p| Circle::new(p, 3, fill))).map(drop),
            Mark::Square => c
                .draw_series(
                    at.map(|p| EmptyElement::at(p) + Rectangle::new([(-3, -3), (3, 3)], fill)),
                )
                .map(drop),
            Mark::Diamond => c
                .draw_series(at.map(|p| {
                    EmptyElement::at(p) + Polygon::new(vec![(0, -4), (4, 0), (0, 4), (-4, 0)], fill)
                }))
                .map(drop),
            Mark::Down => c
                .draw_series(at.map(|p| {
                    EmptyElement::at(p) + Polygon::new(vec![(-4, -3), (4, -3), (0, 4)], fill)
                }))
                .map(drop),
            Mark::Up => c
                .draw_series(at.map(|p| {
                    EmptyElement::at(p) + Polygon::new(vec![(-4, 3), (4, 3), (0, -4)], fill)
                }))
                .map(drop),
            Mark::Plus => c
                .draw_series(at.map(|p| {
                    EmptyElement::at(p)
                        + PathElement::new(vec![(-4, 0), (4, 0)], col.stroke_width(2))
                        + PathElement::new(vec![(0, -4), (0, 4)], col.stroke_width(2))
                }))
                .map(drop),
        }
        .map_err(err)
    }
}

/// How one series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Style {
    pub colour: RGBColor,
    pub mark: Mark,
    /// Reference lines (1x, the paper's figures) are dashed; data series never.
    pub dashed: bool,
}

impl Style {
    pub(super) fn reference(colour: RGBColor) -> Style {
        Style {
            colour,
            mark: Mark::None,
            dashed: true,
        }
    }
}

/// The colours, one per method where the method is known: Okabe and Ito's
/// colour-blind-safe set without the two the claims board gives verdicts (bluish
/// green, vermillion; `board::HOLDS`, `board::FAILS`) and with its yellow darkened
/// to read on white, then two of Tol's (indigo, wine). Uniform near-black, JEST blue,
/// the oracle orange on every plot (uniform's near-black is not the axes' black).
const COLOURS: [RGBColor; 8] = [
    RGBColor(0x2B, 0x2B, 0x2B),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x88, 0x22, 0x55),
    RGBColor(0x33, 0x22, 0x88),
    RGBColor(0x9A, 0x84, 0x00),
];

/// A method's colour index: fixed for the selectors and fitting methods, so a
/// method has one colour on every plot.
fn method_colour(method: &str) -> Option<usize> {
    const FIXED: [&str; 8] = [
        "uniform",
        "jest",
        "oracle",
        "independent_topk",
        "independent_sample",
        "adam",
        "swim",
        "elm",
    ];
    FIXED.iter().position(|m| *m == method)
}

/// The most series one plot may hold with a distinct (colour, mark) pair.
pub(crate) const MAX_SERIES: usize = COLOURS.len() * Mark::ALL.len();

/// Hands out styles within one plot.
#[derive(Default)]
pub struct Palette {
    taken: Vec<(usize, Mark)>,
    settings: Vec<String>,
    methods: Vec<String>,
}

impl Palette {
    /// The style of `method`'s series at `setting`: the method's colour, and the
    /// setting's mark (by order of first appearance in this plot); when that pair
    /// is taken, the next free mark, then the next colour.
    pub fn style(&mut self, method: &str, setting: &str) -> Style {
        let colour = method_colour(method).unwrap_or_else(|| {
            let k = match self.methods.iter().position(|m| m == method) {
                Some(k) => k,
                None => {
                    self.methods.push(method.to_string());
                    self.methods.len() - 1
                }
            };
            (3 + k) % COLOURS.len()
        });
        let s = match self.settings.iter().position(|s| s == setting) {
            Some(s) => s,
            None => {
                self.settings.push(setting.to_string());
                self.settings.len() - 1
            }
        };
        let n = Mark::ALL.len();
        for step in 0..MAX_SERIES {
            let c = (colour + step / n) % COLOURS.len();
            let m = Mark::ALL[(s + step) % n];
            if !self.taken.contains(&(c, m)) {
                self.taken.push((c, m));
                return Style {
                    colour: COLOURS[c],
                    mark: m,
                    dashed: false,
                };
            }
        }
        // More series than pairs: callers split such plots (`MAX_SERIES`).
        Style {
            colour: COLOURS[colour],
            mark: Mark::ALL[s % n],
            dashed: false,
        }
    }
}

/// The legend's entries, in drawing order.
#[derive(Default)]
pub struct Legend {
    pub entries: Vec<(String, Style)>,
}

impl Legend {
    pub fn add(&mut self, label: impl Into<String>, style: Style) {
        self.entries.push((label.into(), style));
    }

    /// Wraps a label into lines of at most `width` characters, at spaces (a word
    /// longer than a line is cut).
    fn wrap(label: &str, width: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for word in label.split_whitespace() {
            let chars: Vec<char> = word.chars().collect();
            for piece in chars.chunks(width) {
                let piece: String = piece.iter().collect();
                match lines.last_mut() {
                    Some(l) if l.chars().count() + 1 + piece.chars().count() <= width => {
                        l.push(' ');
                        l.push_str(&piece);
                    }
                    _ => lines.push(piece),
                }
            }
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// The text lines the legend needs.
    pub(super) fn lines(&self) -> usize {
        self.entries
            .iter()
            .map(|(l, _)| Self::wrap(l, WRAP).len())
            .sum()
    }

    /// Draws the entries top-down in `area` (the column right of the plot).
    pub(super) fn draw(
        &self,
        area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    ) -> Result<(), ReportError> {
        let mut y = TOP;
        for (label, style) in &self.entries {
            let lines = Self::wrap(label, WRAP);
            let mid = y + LINE / 2;
            let col = style.colour;
            if style.dashed && style.mark != Mark::None {
                // A key to a kind of mark (censored arrows): the mark alone.
            } else if style.dashed {
                for k in 0..3 {
                    let x = 6 + k * 8;
                    area.draw(&PathElement::new(
                        vec![(x, mid), (x + 5, mid)],
                        col.mix(0.8),
                    ))
                    .map_err(err)?;
                }
            } else {
                area.draw(&PathElement::new(
                    vec![(4, mid), (26, mid)],
                    col.stroke_width(2),
                ))
                .map_err(err)?;
            }
            draw_mark_px(area, style.mark, (15, mid), col)?;
            for (k, text) in lines.iter().enumerate() {
                area.draw(&Text::new(
                    text.clone(),
                    (32, y + LINE / 2 + k as i32 * LINE),
                    ("sans-serif", super::TEXT)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(err)?;
            }
            y += LINE * lines.len() as i32 + 3;
        }
        Ok(())
    }
}

/// Characters per legend line.
const WRAP: usize = 34;
/// Legend line height and top offset, in pixels.
pub(super) const LINE: i32 = 17;
const TOP: i32 = 40;
/// The legend column's width.
pub(super) const LEGEND_W: u32 = 280;

/// A mark in pixel coordinates of a drawing area (the legend's).
fn draw_mark_px(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    mark: Mark,
    at: (i32, i32),
    col: RGBColor,
) -> Result<(), ReportError> {
    let fill = col.filled();
    let (x, y) = at;
    match mark {
        Mark::None => Ok(()),
        Mark::Circle => area.draw(&Circle::new(at, 3, fill)).map_err(err),
        Mark::Square => area
            .draw(&Rectangle::new([(x - 3, y - 3), (x + 3, y + 3)], fill))
            .map_err(err),
        Mark::Diamond => area
            .draw(&Polygon::new(
                vec![(x, y - 4), (x + 4, y), (x, y + 4), (x - 4, y)],
                fill,
            ))
            .map_err(err),
        Mark::Down => area
            .draw(&Polygon::new(
                vec![(x - 4, y - 3), (x + 4, y - 3), (x, y + 4)],
                fill,
            ))
            .map_err(err),
        Mark::Up => area
            .draw(&Polygon::new(
                vec![(x - 4, y + 3), (x + 4, y + 3), (x, y - 4)],
                fill,
            ))
            .map_err(err),
        Mark::Plus => {
            area.draw(&PathElement::new(
                vec![(x - 4, y), (x + 4, y)],
                col.stroke_width(2),
            ))
            .map_err(err)?;
            area.draw(&PathElement::new(
                vec![(x, y - 4), (x, y + 4)],
                col.stroke_width(2),
            ))
            .map_err(err)
        }
    }
}

/// Draws a series' marks at its points.
pub fn marks(c: &mut Chart, pts: &[(f64, f64)], style: Style) -> Result<(), ReportError> {
    style.mark.draw(c, pts, style.colour)
}

/// The SVG colour of a style, as plotters writes it.
pub(super) fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The plot's geometry and series as `<metadata>` (JSON), inserted before `</svg>`.
pub(super) fn metadata(
    svg: &mut String,
    plot: ((i32, i32), (i32, i32)),
    legend: ((i32, i32), (i32, i32)),
    series: &[(String, Style)],
    rows: &[String],
) {
    let json = serde_json::json!({
        "rows": rows,
        "plot": [plot.0 .0, plot.0 .1, plot.1 .0, plot.1 .1],
        "legend": [legend.0 .0, legend.0 .1, legend.1 .0, legend.1 .1],
        "series": series.iter().map(|(label, s)| serde_json::json!({
            "label": label,
            "colour": hex(s.colour),
            "mark": s.mark.name(),
            "reference": s.dashed,
        })).collect::<Vec<_>>(),
    });
    insert_metadata(svg, &json);
}

/// `json` as the SVG's `<metadata id="jestbench">` (escaped), before `</svg>`.
pub(super) fn insert_metadata(svg: &mut String, json: &serde_json::Value) {
    let text = json
        .to_string()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if let Some(at) = svg.rfind("</svg>") {
        svg.insert_str(
            at,
            &format!("<metadata id=\"jestbench\">{text}</metadata>\n"),
        );
    }
}
