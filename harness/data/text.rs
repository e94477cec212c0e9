//! Text as features: a fixed-width, deterministic bag of hashed n-grams, so a
//! dataset of text pairs (WordNet's lemmas ↔ glosses) can be a pair of views like
//! any other real set.
//!
//! - **Character n-grams** (`TextFeatures::Chars`), for short lists of words
//!   ("abstraction; abstract entity"): each `;`-separated item, lower-cased, its
//!   runs of whitespace made one space, padded with a space at each end, gives its
//!   character n-grams (" ab", "abs", …, "ct "); the n-grams of every item pooled.
//! - **Word n-grams** (`TextFeatures::Words`), for sentences ("a general concept
//!   formed by …; \"an example\""): the `;`-separated segments that do not open
//!   with a double quote (WordNet's example sentences do), lower-cased, split into
//!   words at every character that is not a letter, a digit or an apostrophe; the
//!   words and the runs of up to `n` consecutive words within a segment.
//!
//! Each distinct n-gram sets one of `dim` buckets to 1: bucket = FNV-1a (64-bit)
//! of the n-gram's UTF-8 bytes, after a one-byte tag of its kind (so a word and a
//! character n-gram spelled alike land apart), modulo `dim`. The row is then
//! scaled to unit length (a text with no n-gram stays all zero). FNV-1a and the
//! order of the work are fixed, so the same text gives the same bits on any
//! machine. Collisions merge n-grams (binary presence: a bucket two n-grams share
//! is 1); at 4,096 buckets a WordNet gloss of ~20 words collides rarely.

/// How a text becomes features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFeatures {
    /// Character n-grams of each `;`-separated item, spaces at its ends.
    Chars { n: usize, dim: usize },
    /// Words and word n-grams up to `n` of each non-example segment.
    Words { n: usize, dim: usize },
}

/// FNV-1a, 64-bit, over `bytes` after the tag byte.
pub fn fnv1a64(tag: u8, bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for &b in std::iter::once(&tag).chain(bytes) {
        h ^= b as u64;
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// Lower case, every run of whitespace one space, trimmed.
fn normalise(s: &str) -> String {
    s.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl TextFeatures {
    pub fn dim(self) -> usize {
        match self {
            TextFeatures::Chars { dim, .. } | TextFeatures::Words { dim, .. } => dim,
        }
    }

    /// The distinct n-grams of `text`, in first-seen order.
    pub fn ngrams(self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |g: String| {
            if !out.contains(&g) {
                out.push(g);
            }
        };
        match self {
            TextFeatures::Chars { n, .. } => {
                for item in text.split(';') {
                    let item = normalise(item);
                    if item.is_empty() {
                        continue;
                    }
                    let padded: Vec<char> = format!(" {item} ").chars().collect();
                    if padded.len() < n {
                        push(padded.iter().collect());
                        continue;
                    }
                    for w in padded.windows(n.max(1)) {
                        push(w.iter().collect());
                    }
                }
            }
            TextFeatures::Words { n, .. } => {
                for segment in text.split(';') {
                    let segment = segment.trim();
                    if segment.starts_with('"') || segment.is_empty() {
                        continue;
                    }
                    let lower = segment.to_lowercase();
                    let words: Vec<&str> = lower
                        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
                        .filter(|w| !w.is_empty())
                        .collect();
                    for len in 1..=n.max(1) {
                        for w in words.windows(len) {
                            push(w.join(" "));
                        }
                    }
                }
            }
        }
        out
    }

    /// The feature row of `text`: `dim` values, unit length (or all zero).
    pub fn row(self, text: &str) -> Vec<f32> {
        let dim = self.dim();
        let tag = match self {
            TextFeatures::Chars { .. } => b'c',
            TextFeatures::Words { .. } => b'w',
        };
        let mut row = vec![0f32; dim];
        if dim == 0 {
            return row;
        }
        for g in self.ngrams(text) {
            row[(fnv1a64(tag, g.as_bytes()) % dim as u64) as usize] = 1.0;
        }
        let ones = row.iter().filter(|v| **v != 0.0).count();
        if ones > 0 {
            let scale = 1.0 / (ones as f32).sqrt();
            for v in &mut row {
                *v *= scale;
            }
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_published_values() {
        // FNV-1a 64 of "" and "a" (Fowler, Noll, Vo): here after a tag byte, so
        // the tag's own hash is checked against a hand computation instead.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        h ^= b'a' as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        assert_eq!(h, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b'a', b""), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn character_ngrams_of_hand_made_lemmas() {
        let f = TextFeatures::Chars { n: 3, dim: 1 << 20 };
        assert_eq!(f.ngrams("Ab"), vec![" ab", "ab "]);
        // Items pooled, each padded; case and spacing do not matter; a repeated
        // n-gram counts once.
        let g = f.ngrams("dog;  DOG ;cat");
        assert_eq!(g, vec![" do", "dog", "og ", " ca", "cat", "at "]);
        assert_eq!(f.ngrams("abstract  entity").len(), 15);
        // A one-letter item shorter than n: the padded item itself.
        assert_eq!(f.ngrams("a"), vec![" a "]);
        assert!(f.ngrams(" ; ").is_empty());
    }

    #[test]
    fn word_ngrams_of_a_hand_made_gloss_drop_its_examples() {
        let f = TextFeatures::Words { n: 2, dim: 1 << 20 };
        let g = f.ngrams("a general concept; \"an example, quoted\"; formed by it's");
        assert_eq!(
            g,
            vec![
                "a",
                "general",
                "concept",
                "a general",
                "general concept",
                "formed",
                "by",
                "it's",
                "formed by",
                "by it's"
            ]
        );
    }

    #[test]
    fn rows_are_unit_length_binary_and_the_same_on_every_call() {
        let f = TextFeatures::Words { n: 2, dim: 4096 };
        let r = f.row("The cat sat; the CAT sat");
        let ones: Vec<f32> = r.iter().copied().filter(|v| *v != 0.0).collect();
        // the, cat, sat, the cat, cat sat: five n-grams (the second segment repeats).
        assert_eq!(ones.len(), 5);
        assert!(ones.iter().all(|v| (*v - 1.0 / 5f32.sqrt()).abs() < 1e-7));
        let norm: f32 = r.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-6);
        assert_eq!(r, f.row("the cat sat"));
        assert!(f.row("\"only an example\"").iter().all(|v| *v == 0.0));
        // A character and a word n-gram spelled alike hash apart.
        assert_ne!(fnv1a64(b'c', b"cat"), fnv1a64(b'w', b"cat"));
    }
}
