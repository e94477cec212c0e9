//! A report as a list of blocks, rendered to Markdown and to self-contained HTML
//! (SVGs inline, no network), so both say exactly the same.

/// One piece of a report.
#[derive(Clone, Debug)]
pub enum Block {
    Heading(usize, String),
    Para(String),
    List(Vec<String>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Figure {
        file: String,
        svg: String,
        caption: String,
    },
    /// Folded content (long tables, per-experiment detail): `<details>`.
    Details {
        summary: String,
        blocks: Vec<Block>,
    },
}

impl Block {
    /// Every figure, folded ones included.
    pub fn figures(blocks: &[Block]) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Figure { file, svg, .. } => out.push((file.as_str(), svg.as_str())),
                Block::Details { blocks, .. } => out.extend(Block::figures(blocks)),
                _ => {}
            }
        }
        out
    }
}

pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => out += &format!("{} {text}\n\n", "#".repeat(*level)),
            Block::Para(text) => out += &format!("{text}\n\n"),
            Block::List(items) => {
                for i in items {
                    out += &format!("- {i}\n");
                }
                out += "\n";
            }
            Block::Table { header, rows } => {
                let cell = |s: &String| s.replace('|', "\\|");
                out += &format!(
                    "| {} |\n",
                    header.iter().map(cell).collect::<Vec<_>>().join(" | ")
                );
                out += &format!("|{}\n", "---|".repeat(header.len()));
                for r in rows {
                    out += &format!(
                        "| {} |\n",
                        r.iter().map(cell).collect::<Vec<_>>().join(" | ")
                    );
                }
                out += "\n";
            }
            Block::Figure { file, caption, .. } => {
                out += &format!("![{caption}]({file})\n\n*{caption}*\n\n")
            }
            Block::Details { summary, blocks } => {
                out += &format!(
                    "<details><summary>{}</summary>\n\n{}</details>\n\n",
                    escape(summary),
                    markdown(blocks)
                );
            }
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Wraps the odd-numbered pieces of `s` split at `mark` in `<tag>`.
fn spans(s: &str, mark: &str, tag: &str) -> String {
    if s.matches(mark).count() < 2 {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, part) in s.split(mark).enumerate() {
        if i % 2 == 1 {
            out += &format!("<{tag}>{part}</{tag}>");
        } else {
            out += part;
        }
    }
    out
}

/// A heading's anchor as GitHub makes it: lower case, spaces as hyphens, other
/// punctuation dropped (the HTML gives its headings the same ids).
pub fn anchor(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Markdown links `[text](href)` as `<a>` (in already escaped text).
fn links(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](").map(|m| open + m) else {
            break;
        };
        let Some(close) = rest[mid..].find(')').map(|c| mid + c) else {
            break;
        };
        out += &rest[..open];
        let (text, href) = (&rest[open + 1..mid], &rest[mid + 2..close]);
        out += &format!("<a href=\"{href}\">{text}</a>");
        rest = &rest[close + 1..];
    }
    out + rest
}

/// The Markdown inline marks the reports use — `code`, **strong**, *emphasis*,
/// [links](href) — as HTML.
fn inline(s: &str) -> String {
    let e = escape(s);
    let mut out = String::new();
    for (i, part) in e.split('`').enumerate() {
        if i % 2 == 1 {
            out += &format!("<code>{part}</code>");
        } else {
            out += &links(&spans(&spans(part, "**", "strong"), "*", "em"));
        }
    }
    out
}

pub fn html(title: &str, blocks: &[Block]) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape(title),
        html_body(blocks)
    )
}

fn html_body(blocks: &[Block]) -> String {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                body += &format!(
                    "<h{level} id=\"{}\">{}</h{level}>\n",
                    anchor(text),
                    inline(text)
                )
            }
            Block::Para(text) => body += &format!("<p>{}</p>\n", inline(text)),
            Block::List(items) => {
                body += "<ul>\n";
                for i in items {
                    body += &format!("<li>{}</li>\n", inline(i));
                }
                body += "</ul>\n";
            }
            Block::Table { header, rows } => {
                body += "<table>\n<thead><tr>";
                for h in header {
                    body += &format!("<th>{}</th>", inline(h));
                }
                body += "</tr></thead>\n<tbody>\n";
                for r in rows {
                    body += "<tr>";
                    for c in r {
                        body += &format!("<td>{}</td>", inline(c));
                    }
                    body += "</tr>\n";
                }
                body += "</tbody>\n</table>\n";
            }
            Block::Figure { svg, caption, .. } => {
                // The SVG inline, without its XML prologue.
                let svg = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]);
                body += &format!(
                    "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
                    inline(caption)
                );
            }
            Block::Details { summary, blocks } => {
                body += &format!(
                    "<details>\n<summary>{}</summary>\n{}</details>\n",
                    inline(summary),
                    html_body(blocks)
                );
            }
        }
    }
    body
}

const STYLE: &str = "body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
figure { margin: 1.5em 0; }
figcaption { font-size: 0.9em; color: #555; }
code { background: #f4f4f4; padding: 0 0.2em; }
details { margin: 1em 0; }
summary { cursor: pointer; font-weight: bold; }
td.holds { color: #1a7f37; }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_same_blocks_both_ways() {
        let blocks = vec![
            Block::Heading(1, "Title".into()),
            Block::Para("a `code` & <b> **bold** *em* `x*y*z`".into()),
            Block::Table {
                header: vec!["x".into(), "y|z".into()],
                rows: vec![vec!["1".into(), "2".into()]],
            },
            Block::Figure {
                file: "f.svg".into(),
                svg: "<?xml version=\"1.0\"?><svg width=\"1\"></svg>".into(),
                caption: "cap".into(),
            },
        ];
        let md = markdown(&blocks);
        assert!(
            md.contains("# Title") && md.contains("| x | y\\|z |") && md.contains("![cap](f.svg)")
        );
        let h = html("T", &blocks);
        assert!(h.contains("<code>code</code> &amp; &lt;b&gt; <strong>bold</strong> <em>em</em> <code>x*y*z</code>"));
        assert!(h.contains("<figure>\n<svg width=\"1\"></svg>"));
        assert!(!h.contains("<?xml"));
    }
}
