//! Values that become file names, folder names or lines of a job script, checked
//! before anything is built from them. An experiment's `name` is an identifier:
//! it names `results/<name>`, `reports/<name>` and the Slurm job, so it may hold
//! only letters, digits, `.`, `_` and `-`, at most [`MAX_IDENTIFIER`] characters,
//! and may not start with `.` or `-` (no `..`, no hidden file, no option).

/// The longest identifier accepted.
pub const MAX_IDENTIFIER: usize = 64;

/// The rule, as error messages state it.
pub const IDENTIFIER_RULE: &str =
    "must be 1 to 64 letters, digits, `.`, `_` or `-`, not starting with `.` or `-`";

/// Whether `s` is an identifier (see the module's rule).
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_IDENTIFIER
        && !s.starts_with(['.', '-'])
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `Ok` for an identifier, else the rule and the value found (escaped, so a
/// newline or a control character is shown, never printed).
pub fn identifier(s: &str) -> Result<(), String> {
    if is_identifier(s) {
        Ok(())
    } else {
        Err(format!("{IDENTIFIER_RULE}; found {}", shown(s)))
    }
}

/// `Err` naming the first control character (newline, tab, NUL, escape...) in `s`.
pub fn no_control(s: &str) -> Result<(), String> {
    match s.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "must not hold control characters ({c:?} found) in {}",
            shown(s)
        )),
        None => Ok(()),
    }
}

/// A value quoted and escaped for a message (at most 80 characters of it).
pub fn shown(s: &str) -> String {
    let cut: String = s.chars().take(80).collect();
    let more = if cut.len() < s.len() { "…" } else { "" };
    format!("{cut:?}{more}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_plain_names_and_nothing_else() {
        for ok in [
            "quickstart",
            "swim-pendulum",
            "a.b_c-9",
            "X",
            &"a".repeat(64),
        ] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../../escaped",
            "/some/dir",
            "-rf",
            ".hidden",
            "q\ntouch PWNED\n#",
            "a b",
            "$(id)",
            "`id`",
            "a;b",
            "a'b",
            "a\"b",
            "a\\b",
            "é",
            &"a".repeat(65),
        ] {
            assert!(!is_identifier(bad), "{bad:?}");
            let e = identifier(bad).unwrap_err();
            assert!(!e.contains('\n'), "the message escapes the value: {e}");
        }
    }

    #[test]
    fn control_characters_are_named_and_escaped() {
        assert!(no_control("results/a b/c").is_ok());
        let e = no_control("p\ntouch X").unwrap_err();
        assert!(e.contains("'\\n'") && !e.contains('\n'), "{e}");
        assert!(no_control("a\u{1b}[31m").is_err());
        assert!(no_control("a\0").is_err());
    }
}

/// Orders setting strings (`key=value;…`) as a reader expects: runs of digits
/// (with a decimal point) compare as numbers, so 250 < 1000 < 16000 and
/// 0.5 < 0.8 < 0.9, the rest as text.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn tokens(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let num = bytes[i].is_ascii_digit();
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || (num && bytes[i] == b'.')) == num
            {
                i += 1;
            }
            out.push((num, &s[start..i]));
        }
        out
    }
    let (ta, tb) = (tokens(a), tokens(b));
    for ((na, xa), (nb, xb)) in ta.iter().zip(&tb) {
        let o = match (na, nb) {
            (true, true) => {
                let (fa, fb) = (xa.parse::<f64>(), xb.parse::<f64>());
                match (fa, fb) {
                    (Ok(fa), Ok(fb)) => fa.total_cmp(&fb).then_with(|| xa.cmp(xb)),
                    _ => xa.cmp(xb),
                }
            }
            _ => xa.cmp(xb),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    ta.len().cmp(&tb.len())
}

#[cfg(test)]
mod natural_tests {
    use super::natural_cmp;

    #[test]
    fn settings_sort_by_their_numbers() {
        let mut v = vec![
            "train.steps=1000",
            "train.steps=16000",
            "train.steps=2000",
            "train.steps=250",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "train.steps=250",
                "train.steps=1000",
                "train.steps=2000",
                "train.steps=16000"
            ]
        );
        let mut v = vec!["f=0.9;m=0.5", "f=0.5;m=0.5", "f=0.5;m=0.25", "f=0.5;m=0.0"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["f=0.5;m=0.0", "f=0.5;m=0.25", "f=0.5;m=0.5", "f=0.9;m=0.5"]
        );
        assert_eq!(natural_cmp("a", "a"), std::cmp::Ordering::Equal);
        assert_eq!(natural_cmp("", "x"), std::cmp::Ordering::Less);
    }
}

/// Stable 12-hex-digit hash of a run configuration: the first half of a run's id
/// (`<hash>-s<seed>`), so the same configuration always names the same run.
pub fn config_hash<T: serde::Serialize>(config: &T) -> String {
    use sha2::{Digest, Sha256};
    let canonical = serde_yaml::to_string(config).expect("configs serialise");
    let digest = Sha256::digest(canonical.as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// A piece of a file name made from any text (an experiment, a sweep setting, a
/// title): the text itself where it is a short plain name (letters, digits, `.`,
/// `_`, `-`; not starting with `.` or `-`), else a readable prefix (every other
/// character as `-`, at most 40) and 8 hex digits of the whole text's SHA-256. Two
/// texts never share a piece (`k=a<b`, `k=a>b`), and no piece is longer than 49
/// bytes, whatever the text.
pub fn file_part(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if !text.is_empty()
        && text.len() <= 48
        && text.chars().all(plain)
        && !text.starts_with(['.', '-'])
    {
        return text.to_string();
    }
    let readable: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let readable = readable.trim_matches(['-', '.']);
    let digest = Sha256::digest(text.as_bytes());
    let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    if readable.is_empty() {
        hash
    } else {
        format!("{readable}-{hash}")
    }
}
