//! serde's messages in a user's words: "must be a non-negative whole number, found
//! -32" for "invalid type: integer `-32`, expected usize", and "did you mean
//! `filter_ratio`?" after an unknown key or name that is a near miss of a valid one.

/// The message, rewritten where it is one of serde's type or unknown-name errors.
pub fn plain(msg: &str) -> String {
    suggest(&types(msg))
}

/// What serde's expected primitive types mean to a user.
fn wanted(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "usize" | "u64" | "u32" | "u16" | "u8" => "a non-negative whole number",
        "i64" | "i32" => "a whole number",
        "f64" | "f32" => "a number",
        "a boolean" | "bool" => "true or false",
        "a string" => "text",
        _ => return None,
    })
}

/// "invalid type: integer `-32`, expected usize" → "must be a non-negative whole
/// number, found -32" (likewise for strings, floats, booleans, lists, mappings).
fn types(msg: &str) -> String {
    for head in ["invalid type: ", "invalid value: "] {
        let Some(i) = msg.find(head) else { continue };
        let rest = &msg[i + head.len()..];
        let Some(j) = rest.rfind(", expected ") else {
            continue;
        };
        let (found, ty) = (&rest[..j], &rest[j + ", expected ".len()..]);
        let Some(w) = wanted(ty.trim()) else { continue };
        let found = if let Some(v) = found.strip_prefix("integer ") {
            v.trim_matches('`').to_string()
        } else if let Some(v) = found.strip_prefix("floating point ") {
            v.trim_matches('`').to_string()
        } else if let Some(v) = found.strip_prefix("string ") {
            format!("the text {v}")
        } else if let Some(v) = found.strip_prefix("boolean ") {
            v.trim_matches('`').to_string()
        } else {
            match found {
                "sequence" => "a list".to_string(),
                "map" => "a mapping".to_string(),
                "unit value" => "nothing".to_string(),
                other => other.to_string(),
            }
        };
        return format!("{}must be {w}, found {found}", &msg[..i]);
    }
    msg.to_string()
}

/// Appends "; did you mean `x`?" to "unknown field/variant `y`, expected …" when
/// one of the expected names is within a small edit distance of `y`.
fn suggest(msg: &str) -> String {
    let Some(start) = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|h| msg.find(h).map(|i| i + h.len()))
    else {
        return msg.to_string();
    };
    let Some(len) = msg[start..].find('`') else {
        return msg.to_string();
    };
    let given = &msg[start..start + len];
    let Some(exp) = msg[start + len..].find("expected") else {
        return msg.to_string();
    };
    let names: Vec<&str> = msg[start + len + exp..]
        .split('`')
        .skip(1)
        .step_by(2)
        .collect();
    let best = names
        .iter()
        .map(|n| (distance(given, n), *n))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, n)) if d > 0 && d <= (given.chars().count() / 3).max(2) => {
            format!("{msg}; did you mean `{n}`?")
        }
        _ => msg.to_string(),
    }
}

/// Levenshtein distance between two short names.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_read_as_what_is_wanted_and_what_was_found() {
        assert_eq!(
            plain("train.batch_size: invalid type: integer `-32`, expected usize"),
            "train.batch_size: must be a non-negative whole number, found -32"
        );
        assert_eq!(
            plain("train.batch_size: invalid type: string \"sixteen\", expected usize"),
            "train.batch_size: must be a non-negative whole number, found the text \"sixteen\""
        );
        assert_eq!(
            plain("train.lr: invalid type: sequence, expected f64"),
            "train.lr: must be a number, found a list"
        );
        // Not a primitive: left as serde says it.
        let top = "invalid type: sequence, expected struct RawExperiment";
        assert_eq!(plain(top), top);
    }

    #[test]
    fn near_misses_get_a_suggestion_and_far_ones_do_not() {
        let m =
            "train: unknown field `filter_ration`, expected one of `steps`, `filter_ratio`, `lr`";
        assert!(
            plain(m).ends_with("; did you mean `filter_ratio`?"),
            "{}",
            plain(m)
        );
        let m = "train.selector: unknown variant `jset`, expected one of `uniform`, `independent`, `jest`";
        assert!(plain(m).ends_with("; did you mean `jest`?"));
        let m = "train.selector: unknown variant `magic`, expected one of `uniform`, `independent`, `jest`";
        assert_eq!(plain(m), m);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
