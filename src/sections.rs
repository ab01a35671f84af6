//! Configuration sections (the `sections` of `spirl_org_config`, `spirl_trust_domain_config`,
//! `spirl_trust_domain_deployment_config` and `spirl_cluster_config`): self-describing YAML
//! documents, parsed into a [`Node`] tree so that two texts are compared by what they mean, not
//! how they are written (key order, quoting, flow or block style, comments, indentation). A
//! [`SectionYaml`] attribute value owns that comparison, so the state keeps the text the user
//! wrote while the control plane's re-serialised copy means the same.
//!
//! Parsing is strict where YAML is dangerous or ambiguous: one document only, no anchors or
//! aliases (an alias bomb of a few hundred bytes expands to gigabytes), no tags but `!!str`,
//! nesting at most [`MAX_DEPTH`] deep, no key twice in a mapping. Each refusal says where (line
//! and column) and what to write instead. What a section may hold beyond `section`, `schema` and
//! `spec`, and how long it may be, is the control plane's to judge (the SDK states no rule).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::{TfValue, Type};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::yaml::Yaml;

/// Deepest nesting of sequences and mappings a section may have.
pub const MAX_DEPTH: usize = 64;

/// A YAML value by meaning: mappings are ordered by key, numbers by value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float, as the bits of an `f64` with `-0.0` folded into `0.0` and every NaN into one.
    Float(u64),
    /// Any other scalar, and every quoted one.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping; YAML keys may be any value.
    Map(BTreeMap<Node, Node>),
}

impl Node {
    fn float(f: f64) -> Node {
        let f = if f == 0.0 {
            0.0
        } else if f.is_nan() {
            f64::NAN
        } else {
            f
        };
        Node::Float(f.to_bits())
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Where in the text, for messages: `line 3, column 5`.
fn at(mark: &Marker) -> String {
    format!("line {}, column {}", mark.line(), mark.col() + 1)
}

/// A plain scalar by the YAML 1.2 core schema; a quoted one is always a string.
fn scalar(text: String, style: TScalarStyle, tag: Option<&str>) -> Result<Node, String> {
    match tag {
        Some("str") => return Ok(Node::Str(text)),
        Some(other) => {
            return Err(format!(
                "the tag `!!{other}` is not supported; remove it (only `!!str` is)"
            ));
        }
        None => {}
    }
    if style != TScalarStyle::Plain {
        return Ok(Node::Str(text));
    }
    Ok(match Yaml::from_str(&text) {
        Yaml::Null => Node::Null,
        Yaml::Boolean(b) => Node::Bool(b),
        Yaml::Integer(i) => Node::Int(i),
        Yaml::Real(r) => match r.parse::<f64>() {
            Ok(f) => Node::float(f),
            // `.inf`, `.nan` and their spellings.
            Err(_) => Yaml::Real(r).as_f64().map_or(Node::Str(text), Node::float),
        },
        _ => Node::Str(text),
    })
}

enum Frame {
    Seq(Vec<Node>),
    Map(BTreeMap<Node, Node>, Option<Node>),
}

/// Parses one YAML document; the error says what is wrong and where.
pub fn parse(text: &str) -> Result<Node, String> {
    if let Some(at) = text.find('\0') {
        return Err(format!(
            "it contains a NUL character at byte {at}; remove it"
        ));
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            if e.info().contains("recursion limit") {
                format!("it nests deeper than {MAX_DEPTH} levels ({e})")
            } else {
                format!("it is not valid YAML: {e}")
            }
        })?;
        let (node, anchor) = match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(format!(
                        "it holds more than one YAML document (a second starts at {}); one \
                         section is one document",
                        at(&mark)
                    ));
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(format!(
                    "it uses an alias (`*name`) at {}; anchors and aliases are not supported, \
                     write the value out",
                    at(&mark)
                ));
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.as_ref().map(|t| t.suffix.as_str());
                let node =
                    scalar(text, style, tag).map_err(|e| format!("at {}, {e}", at(&mark)))?;
                (Some(node), anchor)
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if let Some(tag) = tag {
                    return Err(format!(
                        "at {}, the tag `!!{}` is not supported; remove it",
                        at(&mark),
                        tag.suffix
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(format!(
                        "it nests deeper than {MAX_DEPTH} levels at {}",
                        at(&mark)
                    ));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new())
                } else {
                    Frame::Map(BTreeMap::new(), None)
                });
                (None, anchor)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match stack.pop() {
                    Some(Frame::Seq(items)) => Node::Seq(items),
                    Some(Frame::Map(entries, _)) => Node::Map(entries),
                    None => return Err(format!("it is not valid YAML at {}", at(&mark))),
                };
                (Some(node), 0)
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
        };
        if anchor != 0 {
            return Err(format!(
                "it defines an anchor (`&name`) at {}; anchors and aliases are not supported, \
                 remove it",
                at(&mark)
            ));
        }
        let Some(node) = node else { continue };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(items)) => items.push(node),
            Some(Frame::Map(_, pending @ None)) => *pending = Some(node),
            Some(Frame::Map(entries, pending @ Some(_))) => {
                let key = pending.take().unwrap_or(Node::Null);
                if entries.contains_key(&key) {
                    return Err(format!(
                        "the key {} appears twice in one mapping (the second ends at {}); keep \
                         one",
                        describe(&key),
                        at(&mark)
                    ));
                }
                entries.insert(key, node);
            }
        }
    }
    root.ok_or_else(|| "it is empty".to_owned())
}

fn describe(key: &Node) -> String {
    match key {
        Node::Str(s) => format!("`{s}`"),
        other => format!("{other:?}"),
    }
}

/// A section's document, checked: a mapping of exactly `section`, `schema` and `spec`, whose
/// `section` is `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDoc {
    /// `schema`, such as `v1`.
    pub schema: String,
    /// The whole document, for comparison.
    pub node: Node,
}

/// Parses and checks the section `name`'s document; the error is a sentence about
/// `sections["name"]` that says what to change.
pub fn parse_section(name: &str, text: &str) -> Result<SectionDoc, String> {
    let node = parse(text).map_err(|e| format!("The YAML of section `{name}` is refused: {e}."))?;
    let Node::Map(entries) = &node else {
        return Err(format!(
            "The YAML of section `{name}` is not a mapping. Write a self-describing document: \
             `section: {name}`, `schema: v1` and `spec:` with the section's settings."
        ));
    };
    let field = |key: &str| entries.get(&Node::Str(key.to_owned()));
    match field("section") {
        Some(Node::Str(section)) if section == name => {}
        Some(Node::Str(section)) => {
            return Err(format!(
                "The map key `{name}` and the document's `section: {section}` differ. Use the \
                 same name for both (the map key names the section the document sets)."
            ));
        }
        _ => {
            return Err(format!(
                "The YAML of section `{name}` has no `section: {name}` line. Add it: each \
                 document names its section."
            ));
        }
    }
    let schema = match field("schema") {
        Some(Node::Str(schema)) if !schema.trim().is_empty() => schema.clone(),
        _ => {
            return Err(format!(
                "The YAML of section `{name}` has no `schema` (such as `schema: v1`). Add the \
                 schema version of the section."
            ));
        }
    };
    if field("spec").is_none() {
        return Err(format!(
            "The YAML of section `{name}` has no `spec`. Add `spec:` with the section's settings."
        ));
    }
    Ok(SectionDoc { schema, node })
}

/// Whether two section texts mean the same; text that does not parse equals only itself.
pub fn same(a: &str, b: &str) -> bool {
    a == b
        || match (parse(a), parse(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

/// A section's YAML document as an attribute holds it: equal to any text that means the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SectionYaml(pub String);

impl TfValue for SectionYaml {
    fn tf_type() -> Type {
        Type::String
    }

    fn semantically_equal(&self, other: &Self) -> bool {
        same(&self.0, &other.0)
    }
}

/// Why `name` cannot be a section name, or `None`: only an empty one. Which sections exist is the
/// control plane's to say (its `validate_only` update runs in the plan).
pub fn name_problem(name: &str) -> Option<String> {
    name.is_empty().then(|| {
        "The section name is empty: use the name the documentation gives the section, such as \
         `KeyManager`."
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_MANAGER: &str = "section: KeyManager\nschema: v1\nspec:\n  extensions:\n    awsKMS:\n      region: \"us-east-1\"\n";

    #[test]
    fn sections_compare_by_meaning_not_formatting() {
        let reformatted = "# the KMS\n---\nschema: 'v1'\nspec: {extensions: {awsKMS: {region: us-east-1}}}\nsection: KeyManager\n";
        assert!(same(KEY_MANAGER, reformatted));
        let other_region = KEY_MANAGER.replace("us-east-1", "us-west-2");
        assert!(!same(KEY_MANAGER, &other_region));
        // Types matter: the string "1" is not the number 1, 1 is not 1.0, but 1.0 is 1.00.
        assert!(!same("a: '1'", "a: 1"));
        assert!(!same("a: 1", "a: 1.0"));
        assert!(same("a: 1.0", "a: 1.00"));
        assert!(same("a: [1, 2]", "a:\n  - 1\n  - 2"));
        assert!(!same("a: [1, 2]", "a: [2, 1]"));
        assert!(same("a: ~", "a: null"));
        // As an attribute value: a plan, refresh or apply keeps the prior spelling.
        let mut new = SectionYaml(reformatted.to_owned());
        new.keep_spelling(&SectionYaml(KEY_MANAGER.to_owned()));
        assert_eq!(new.0, KEY_MANAGER);
        let mut changed = SectionYaml(other_region.clone());
        changed.keep_spelling(&SectionYaml(KEY_MANAGER.to_owned()));
        assert_eq!(changed.0, other_region);
    }

    #[test]
    fn sections_checked_documents_name_their_problem() {
        assert_eq!(
            parse_section("KeyManager", KEY_MANAGER).map(|d| d.schema),
            Ok("v1".to_owned())
        );
        // Keys beyond section, schema and spec are the control plane's to judge.
        let extra = format!("{KEY_MANAGER}metadata:\n  owner: platform\n");
        assert!(parse_section("KeyManager", &extra).is_ok());
        let cases = [
            (
                "KeyManager",
                "section: Other\nschema: v1\nspec: {}",
                "differ",
            ),
            ("KeyManager", "schema: v1\nspec: {}", "no `section"),
            ("KeyManager", "section: KeyManager\nspec: {}", "no `schema`"),
            ("KeyManager", "section: KeyManager\nschema: v1", "no `spec`"),
            ("KeyManager", "- a\n- b", "not a mapping"),
            ("KeyManager", "a: &x [1]\nb: *x", "anchor"),
            ("KeyManager", "a: *x", "not valid YAML"),
            ("KeyManager", "a: 1\n---\nb: 2", "more than one"),
            ("KeyManager", "a: 1\na: 2", "appears twice"),
            ("KeyManager", "a: !!binary aGk=", "!!binary"),
            ("KeyManager", "", "empty"),
            ("KeyManager", "a: [1\n", "not valid YAML"),
            ("KeyManager", "a:\tb\n\tc: d", "not valid YAML"),
            ("KeyManager", "a: \"\0\"", "NUL"),
        ];
        for (name, text, expected) in cases {
            let error = parse_section(name, text).expect_err(text);
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn sections_hostile_documents_are_refused_quickly() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let refused = parse(&deep).expect_err("deep");
        assert!(refused.contains("deeper"), "{refused}");
        let nested = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&nested).expect_err("nested").contains("deeper"));
        // Size is the control plane's to judge: a large document parses, in linear time.
        let huge = format!("a: {}", "b".repeat(4 << 20));
        assert!(parse(&huge).is_ok());
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]";
        assert!(parse(bomb).is_err());
    }

    #[test]
    fn sections_names_are_the_control_planes_to_judge() {
        assert_eq!(name_problem("KeyManager"), None);
        assert_eq!(name_problem("Key-Manager.v2"), None);
        assert!(name_problem("").is_some());
    }
}
