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
    /// Content on a page of its own beside the report (`{file}.md`,
    /// `{file}.html`; per-cell figures), linked from where it stands: the
    /// report's page stays light.
    Page {
        file: String,
        title: String,
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
                Block::Details { blocks, .. } | Block::Page { blocks, .. } => {
                    out.extend(Block::figures(blocks))
                }
                _ => {}
            }
        }
        out
    }

    /// Every page of its own, nested ones included: (file stem, title, blocks).
    pub fn pages(blocks: &[Block]) -> Vec<(&str, &str, &[Block])> {
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Page {
                    file,
                    title,
                    blocks,
                } => {
                    out.push((file.as_str(), title.as_str(), blocks.as_slice()));
                    out.extend(Block::pages(blocks));
                }
                Block::Details { blocks, .. } => out.extend(Block::pages(blocks)),
                _ => {}
            }
        }
        out
    }
}

/// The blocks as Markdown. Every text is made safe first ([`md_text`]): control
/// characters shown as escapes, nothing that a Markdown viewer would take as raw
/// HTML or as a link to anything but a relative path or an http(s) address.
pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                out += &format!("{} {}\n\n", "#".repeat(*level), md_text(text))
            }
            Block::Para(text) => out += &format!("{}\n\n", md_text(text)),
            Block::List(items) => {
                for i in items {
                    out += &format!("- {}\n", md_text(i));
                }
                out += "\n";
            }
            Block::Table { header, rows } => {
                let cell = |s: &String| md_text(s).replace('|', "\\|");
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
                let (caption, file) = (md_text(caption), md_text(file));
                let file = if safe_href(&file) {
                    file
                } else {
                    String::new()
                };
                out += &format!("![{caption}]({file})\n\n*{caption}*\n\n")
            }
            Block::Details { summary, blocks } => {
                out += &format!(
                    "<details><summary>{}</summary>\n\n{}</details>\n\n",
                    escape(summary),
                    markdown(blocks)
                );
            }
            Block::Page {
                file,
                title,
                blocks,
            } => {
                let n = Block::figures(blocks).len();
                out += &format!(
                    "{} ({n} {}): [{}.md]({}.md)\n\n",
                    md_text(title),
                    if n == 1 { "figure" } else { "figures" },
                    md_text(file),
                    md_text(file)
                );
            }
        }
    }
    out
}

/// `s` with every control character (a newline too: every text of a report is one
/// line or one paragraph) written as a visible escape (`\x01`), as pytest's JUnit
/// writer does: a page, an SVG or an XML file can then never be ill-formed or gain
/// a line (a Markdown heading, a table row) that the text did not have.
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out += &format!("\\x{:02x}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text for XML (SVG, JUnit): the characters XML 1.0 forbids (every C0 control but
/// tab, newline and carriage return; U+FFFE/U+FFFF) written as visible escapes.
pub fn xml_clean(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x20)
            || c == '\u{fffe}'
            || c == '\u{ffff}'
    };
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if bad(c) {
                    format!("\\x{:02x}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Whether a link target may be written as a link: a fragment, a relative path,
/// or an http(s) address. Anything with another scheme (`javascript:`, `data:`,
/// `file:`), a protocol-relative `//host`, whitespace, a backslash or a control
/// character is not.
pub fn safe_href(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return !href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\');
    }
    if href.starts_with("//")
        || href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return false;
    }
    // A scheme is text before a `:` that comes before any `/`, `?` or `#`.
    let head = href.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':')
}

/// Markdown text made safe: control characters escaped ([`clean`]); a `<` that
/// could open a tag or an autolink written as `&lt;`; a link `[..](target)` whose
/// target is not [`safe_href`] broken (`]\(`), so that a viewer shows it as text.
fn md_text(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len());
    let mut in_code = false;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code
                && next
                    .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
            {
                out += "&lt;"
            }
            ']' if next == Some('(') => {
                let rest: String = chars[i + 2..].iter().collect();
                let href = rest.split(')').next().unwrap_or("");
                if safe_href(href) && rest.contains(')') {
                    out.push(']');
                } else {
                    out += "]\\";
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn escape(s: &str) -> String {
    clean(s)
        .replace('&', "&amp;")
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
        if safe_href(href) {
            out += &format!("<a href=\"{href}\">{text}</a>");
        } else {
            // Not a link: the text as it was written.
            out += &rest[open..=close];
        }
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

/// The page's Content-Security-Policy: nothing runs (no script, no plugin, no
/// form), nothing loads from elsewhere; the inline style and SVGs, images beside
/// the page.
pub const CSP: &str = "default-src 'none'; script-src 'none'; object-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'none'; base-uri 'none'";

pub fn html(title: &str, blocks: &[Block]) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape(title),
        html_body(blocks, &mut Ids::default())
    )
}

/// The ids a page has given its headings: a repeated heading gets GitHub's
/// suffix (`-1`, `-2`), so every id on a page is unique and the Markdown's links
/// work in both renderings.
#[derive(Default)]
pub struct Ids(std::collections::HashMap<String, usize>);

impl Ids {
    pub fn next(&mut self, text: &str) -> String {
        let base = anchor(text);
        let n = self.0.entry(base.clone()).or_insert(0);
        let id = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        id
    }
}

/// The class of a table cell that holds only a verdict in bold (its words
/// coloured on the page; the Markdown keeps the words).
fn verdict_class(cell: &str) -> Option<&'static str> {
    let words = cell.strip_prefix("**")?.strip_suffix("**")?;
    let words = words.strip_suffix(" (secondary)").unwrap_or(words);
    if words.starts_with("holds in ") {
        return Some("v-mixed");
    }
    Some(match super::board::Side::of(words) {
        super::board::Side::Holds => "v-holds",
        super::board::Side::Fails => "v-fails",
        super::board::Side::Open => "v-open",
    })
}

fn html_body(blocks: &[Block], ids: &mut Ids) -> String {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                body += &format!(
                    "<h{level} id=\"{}\">{}</h{level}>\n",
                    ids.next(text),
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
                        match verdict_class(c) {
                            Some(class) => {
                                body += &format!("<td class=\"{class}\">{}</td>", inline(c))
                            }
                            None => body += &format!("<td>{}</td>", inline(c)),
                        }
                    }
                    body += "</tr>\n";
                }
                body += "</tbody>\n</table>\n";
            }
            Block::Figure { file, caption, .. } => {
                // The SVG file beside the page, linked (each figure written once,
                // the page light; it works offline from its folder, and the CSP
                // allows images from the page's own folder). A name that is not a
                // plain relative path is shown as text, never fetched.
                let img = if safe_href(file) && !file.contains(':') {
                    format!(
                        "<img src=\"{}\" alt=\"{}\" loading=\"lazy\">",
                        escape(file),
                        escape(caption)
                    )
                } else {
                    format!("<code>{}</code>", escape(file))
                };
                body += &format!(
                    "<figure>\n{img}\n<figcaption>{}</figcaption>\n</figure>\n",
                    inline(caption)
                );
            }
            Block::Details { summary, blocks } => {
                body += &format!(
                    "<details>\n<summary>{}</summary>\n{}</details>\n",
                    inline(summary),
                    html_body(blocks, ids)
                );
            }
            Block::Page {
                file,
                title,
                blocks,
            } => {
                let n = Block::figures(blocks).len();
                let link = if safe_href(file) && !file.contains(':') {
                    format!("<a href=\"{}.html\">{}</a>", escape(file), inline(title))
                } else {
                    inline(title)
                };
                body += &format!(
                    "<p class=\"page\">{link} ({n} {}, on a page of its own)</p>\n",
                    if n == 1 { "figure" } else { "figures" }
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
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #555; }
code { background: #f4f4f4; padding: 0 0.2em; }
details { margin: 1em 0; }
summary { cursor: pointer; font-weight: bold; }
td.v-holds { color: #007a5a; }
td.v-fails { color: #b34700; }
td.v-open { color: #555; }
td.v-mixed { color: #5a3d8a; }
@media (max-width: 700px) { body { margin: 0.5em auto; } table { font-size: 0.8em; display: block; overflow-x: auto; } }
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
        assert!(h.contains("<figure>\n<img src=\"f.svg\" alt=\"cap\" loading=\"lazy\">"));
        assert!(!h.contains("<svg") && !h.contains("<?xml"));
    }
}
