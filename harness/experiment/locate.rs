//! Source positions of YAML keys, so that errors raised after parsing (a value out of
//! range, a bad sweep key) can still name `file:line:col`.
//!
//! serde_yaml reports positions only for its own errors; this walks the same text
//! with yaml-rust2's marked events and records where each dotted key path starts.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column in a YAML source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// Dotted key path (`train.steps`, `seeds.2`) → position of that key (or item).
#[derive(Clone, Debug, Default)]
pub struct KeyIndex {
    positions: BTreeMap<String, Pos>,
    /// The first node that carries a YAML tag: its key path, position and tag.
    pub tagged: Option<(String, Pos, String)>,
}

impl KeyIndex {
    /// Builds the index; a source that does not scan yields an empty index
    /// (serde_yaml reports the syntax error itself).
    pub fn build(source: &str) -> KeyIndex {
        let mut walker = Walker::default();
        let mut parser = Parser::new_from_str(source);
        if parser.load(&mut walker, false).is_err() {
            return KeyIndex::default();
        }
        KeyIndex {
            positions: walker.positions,
            tagged: walker.tagged,
        }
    }

    /// Position of `path`, or of its longest existing prefix.
    pub fn find(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return Some(*pos);
            }
            p = &p[..p.rfind('.')?];
        }
    }
}

enum Frame {
    Map { key: Option<String> },
    Seq { index: usize },
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    path: Vec<String>,
    positions: BTreeMap<String, Pos>,
    tagged: Option<(String, Pos, String)>,
}

impl Walker {
    /// Called when a value (scalar or collection start) appears at the current place.
    fn enter_value(&mut self, mark: Marker) -> bool {
        match self.stack.last_mut() {
            Some(Frame::Map { key }) => match key.take() {
                None => false, // this scalar is a key
                Some(k) => {
                    self.path.push(k);
                    true
                }
            },
            Some(Frame::Seq { index }) => {
                self.path.push(index.to_string());
                *index += 1;
                let full = self.path.join(".");
                self.positions.entry(full).or_insert(pos(mark));
                true
            }
            None => false,
        }
    }
}

fn pos(mark: Marker) -> Pos {
    Pos {
        line: mark.line(),
        col: mark.col() + 1,
    }
}

impl Walker {
    /// Notes the first tagged node, under the path it is the value of (or, for a
    /// tagged key, the key's own path).
    fn note_tag(&mut self, tag: Option<&yaml_rust2::parser::Tag>, key: Option<&str>, mark: Marker) {
        if self.tagged.is_some() {
            return;
        }
        if let Some(t) = tag {
            let mut path = self.path.clone();
            if let Some(k) = key {
                path.push(k.to_string());
            }
            self.tagged = Some((
                path.join("."),
                pos(mark),
                format!("{}{}", t.handle, t.suffix),
            ));
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match &ev {
            Event::Scalar(text, _, _, tag) => {
                let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None }));
                let key = match self.stack.last() {
                    Some(Frame::Map { key: Some(k) }) => Some(k.clone()),
                    Some(Frame::Seq { index }) => Some(index.to_string()),
                    _ if is_key => Some(text.clone()),
                    _ => None,
                };
                self.note_tag(tag.as_ref(), key.as_deref(), mark);
            }
            Event::MappingStart(_, tag) | Event::SequenceStart(_, tag) => {
                let key = match self.stack.last() {
                    Some(Frame::Map { key: Some(k) }) => Some(k.clone()),
                    Some(Frame::Seq { index }) => Some(index.to_string()),
                    _ => None,
                };
                self.note_tag(tag.as_ref(), key.as_deref(), mark);
            }
            _ => {}
        }
        match ev {
            Event::Scalar(text, ..) => {
                let is_value = match self.stack.last() {
                    Some(Frame::Map { key: None }) => {
                        // A key: remember its position under its full path.
                        let mut full = self.path.clone();
                        full.push(text.clone());
                        self.positions.insert(full.join("."), pos(mark));
                        if let Some(Frame::Map { key }) = self.stack.last_mut() {
                            *key = Some(text);
                        }
                        false
                    }
                    _ => self.enter_value(mark),
                };
                if is_value {
                    self.path.pop();
                }
            }
            Event::MappingStart(..) => {
                self.enter_value(mark);
                self.stack.push(Frame::Map { key: None });
            }
            Event::SequenceStart(..) => {
                self.enter_value(mark);
                self.stack.push(Frame::Seq { index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                if !self.stack.is_empty() {
                    self.path.pop();
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_items() {
        let src =
            "name: x\ntrain:\n  steps: 10\n  lr: 0.1\nseeds: [1, 2]\nsweep:\n  train.lr: [1, 2]\n";
        let idx = KeyIndex::build(src);
        assert_eq!(idx.find("train.steps"), Some(Pos { line: 3, col: 3 }));
        assert_eq!(idx.find("train.lr"), Some(Pos { line: 4, col: 3 }));
        assert_eq!(idx.find("seeds.1"), Some(Pos { line: 5, col: 12 }));
        assert_eq!(idx.find("sweep.train.lr"), Some(Pos { line: 7, col: 3 }));
        // An absent key falls back to its parent.
        assert_eq!(idx.find("train.nope"), Some(Pos { line: 2, col: 1 }));
        assert_eq!(idx.find("nope"), None);
    }
}
