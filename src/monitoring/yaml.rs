//! [`Node`]: the tree the monitoring outputs are built as, and its YAML text.
//!
//! We emit YAML ourselves instead of adding a YAML crate: the trees are only strings, sequences
//! and mappings in an order we choose, so the emitter is small, its output is byte-for-byte
//! deterministic, and `serde_yaml` (the usual choice) is unmaintained. Scalars are written plain
//! only when they cannot be read back as anything but the same string, as literal blocks when
//! they are multi-line PromQL, and double-quoted (JSON-style escapes, which YAML shares) otherwise.

/// A YAML/Terraform value: a string, a sequence or a mapping with ordered keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A string.
    Str(String),
    /// A sequence (a Terraform tuple).
    Seq(Vec<Node>),
    /// A mapping whose keys keep the order given (a Terraform object).
    Map(Vec<(String, Node)>),
}

impl Node {
    /// A string node.
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    /// A mapping from ordered entries.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Node)>) -> Node {
        Node::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A mapping of strings (sorted, since it comes from a `BTreeMap`).
    pub fn string_map<'a>(entries: impl IntoIterator<Item = (&'a String, &'a String)>) -> Node {
        Node::map(entries.into_iter().map(|(k, v)| (k.clone(), Node::str(v))))
    }

    /// The node as a YAML document (ending with a newline).
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        match self {
            Node::Map(entries) if !entries.is_empty() => write_map(&mut out, entries, 0),
            Node::Seq(items) if !items.is_empty() => write_seq(&mut out, items, 0),
            other => {
                write_inline(&mut out, other, 0);
                out.push('\n');
            }
        }
        out
    }
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(out: &mut String, entries: &[(String, Node)], at: usize) {
    for (key, value) in entries {
        indent(out, at);
        write_scalar(out, key, None);
        out.push(':');
        match value {
            Node::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                write_map(out, inner, at + 2);
            }
            // Kubernetes style: a sequence under a key sits at the key's indentation.
            Node::Seq(items) if !items.is_empty() => {
                out.push('\n');
                write_seq(out, items, at);
            }
            other => {
                out.push(' ');
                write_inline(out, other, at + 2);
                out.push('\n');
            }
        }
    }
}

fn write_seq(out: &mut String, items: &[Node], at: usize) {
    for item in items {
        match item {
            Node::Map(inner) if !inner.is_empty() => {
                // Written at at+2, then the first line's indentation becomes "- ".
                let mut nested = String::new();
                write_map(&mut nested, inner, at + 2);
                indent(out, at);
                out.push_str("- ");
                out.push_str(&nested[at + 2..]);
            }
            Node::Seq(inner) if !inner.is_empty() => {
                let mut nested = String::new();
                write_seq(&mut nested, inner, at + 2);
                indent(out, at);
                out.push_str("- ");
                out.push_str(&nested[at + 2..]);
            }
            other => {
                indent(out, at);
                out.push_str("- ");
                write_inline(out, other, at + 2);
                out.push('\n');
            }
        }
    }
}

/// A scalar or an empty collection, after `key: ` or `- `; `block_at` is where a literal
/// block's lines are indented.
fn write_inline(out: &mut String, node: &Node, block_at: usize) {
    match node {
        Node::Str(s) => write_scalar(out, s, Some(block_at)),
        Node::Seq(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
}

fn write_scalar(out: &mut String, s: &str, block_at: Option<usize>) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if let Some(at) = block_at.filter(|_| is_literal_safe(s)) {
        out.push_str("|-");
        for line in s.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                indent(out, at);
                out.push_str(line);
            }
        }
    } else if s.chars().all(|c| !needs_escape(c)) {
        // Single quotes escape nothing but themselves: PromQL in them stays readable.
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    } else {
        write_quoted(out, s);
    }
}

/// Plain scalars we allow: a letter, then letters, digits, spaces and `_-./:,()%';` and
/// backquotes, with no `: ` inside and no `:` or space at the end, and not one of the words YAML
/// 1.1 reads as a bool or null; or a Prometheus duration such as `10m` (which no YAML version
/// reads as a number). Anything else is quoted.
fn is_plain_safe(s: &str) -> bool {
    const RESERVED: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if first.is_ascii_digit() {
        return s.bytes().any(|b| b.is_ascii_alphabetic())
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b"ywdhms".contains(&b));
    }
    first.is_ascii_alphabetic()
        && chars.all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    ' ' | '_' | '-' | '.' | '/' | ':' | ',' | '(' | ')' | '%' | '\'' | ';' | '`'
                )
        })
        && !s.contains(": ")
        && !s.ends_with(':')
        && !s.ends_with(' ')
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

/// A literal block (`|-`) reads back exactly when the text is several lines of printable
/// characters, the first line does not start with a space (its indentation sets the block's),
/// no line ends with whitespace, and the text does not end with a line break.
fn is_literal_safe(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with(' ')
        && !s.ends_with('\n')
        && s.chars().all(|c| c == '\n' || !needs_escape(c))
        && s.split('\n').all(|line| !line.ends_with(' '))
}

/// Characters written as escapes in a double-quoted scalar: controls, YAML's extra line breaks
/// and the byte-order mark.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_nested_maps_and_sequences() {
        let doc = Node::map([
            (
                "groups",
                Node::Seq(vec![Node::map([
                    ("name", Node::str("spirl-server-alerts")),
                    (
                        "rules",
                        Node::Seq(vec![Node::map([
                            ("alert", Node::str("A")),
                            ("expr", Node::str("sum(x)\n  / sum(y)\n  > 1")),
                            ("for", Node::str("10m")),
                            ("labels", Node::map([("severity", Node::str("warning"))])),
                            ("annotations", Node::Map(vec![])),
                        ])]),
                    ),
                ])]),
            ),
            ("empty", Node::Seq(vec![])),
        ]);
        assert_eq!(
            doc.to_yaml(),
            "groups:\n\
             - name: spirl-server-alerts\n  \
             rules:\n  \
             - alert: A\n    \
             expr: |-\n      \
             sum(x)\n        \
             / sum(y)\n        \
             > 1\n    \
             for: 10m\n    \
             labels:\n      \
             severity: warning\n    \
             annotations: {}\n\
             empty: []\n"
        );
    }

    #[test]
    fn yaml_scalars_plain_literal_or_quoted() {
        let cases = [
            ("warning", "warning"),
            ("monitoring.coreos.com/v1", "monitoring.coreos.com/v1"),
            ("true", "'true'"),
            ("No", "'No'"),
            ("", "''"),
            ("10m", "10m"),
            ("1h30m", "1h30m"),
            ("1e5", "'1e5'"),
            ("1:30", "'1:30'"),
            ("12", "'12'"),
            ("spirl:server_x:ratio_rate5m", "spirl:server_x:ratio_rate5m"),
            ("It's fine (really), 5% `x`", "It's fine (really), 5% `x`"),
            ("a: b", "'a: b'"),
            ("a:", "'a:'"),
            ("a ", "'a '"),
            ("# x", "'# x'"),
            ("-x", "'-x'"),
            ("it's: x", "'it''s: x'"),
            ("q\"b\\s", "'q\"b\\s'"),
            ("tab\there", "\"tab\\there\""),
            ("bell\u{7}", "\"bell\\u0007\""),
            ("ls\u{2028}x", "\"ls\\u2028x\""),
            ("trailing\n", "\"trailing\\n\""),
            (" lead\nx", "\" lead\\nx\""),
            ("space \nx", "\"space \\nx\""),
            ("{{ $labels.namespace }}", "'{{ $labels.namespace }}'"),
            ("ünïcode", "'ünïcode'"),
        ];
        for (input, want) in cases {
            let got = Node::map([("k", Node::str(input))]).to_yaml();
            assert_eq!(got, format!("k: {want}\n"), "{input:?}");
        }
        assert_eq!(
            Node::map([("k", Node::str("a\n\n  b"))]).to_yaml(),
            "k: |-\n  a\n\n    b\n"
        );
        assert_eq!(
            Node::map([("odd key: x", Node::str("v"))]).to_yaml(),
            "'odd key: x': v\n"
        );
    }

    #[test]
    fn yaml_sequences_of_scalars_and_sequences() {
        let doc = Node::Seq(vec![
            Node::str("a"),
            Node::Seq(vec![Node::str("b"), Node::str("c")]),
            Node::Map(vec![]),
        ]);
        assert_eq!(doc.to_yaml(), "- a\n- - b\n  - c\n- {}\n");
        assert_eq!(Node::str("x").to_yaml(), "x\n");
    }
}
