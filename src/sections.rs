//! Configuration sections (the `sections` of `spirl_org_config`, `spirl_trust_domain_config`,
//! `spirl_trust_domain_deployment_config` and `spirl_cluster_config`): self-describing YAML
//! documents, parsed into a [`Node`] tree so that two texts are compared by what they mean, not
//! how they are written (key order, quoting, flow or block style, comments, indentation). A
//! [`SectionYaml`] attribute value owns that comparison, so the state keeps the text the user
//! wrote while the control plane's re-serialised copy means the same.
//!
//! The comparison models one YAML document of mappings, sequences and scalars, with anchors and
//! aliases expanded. What it does not model (a second document, a tag other than `!!str`,
//! nesting deeper than [`MAX_DEPTH`], aliases expanding past [`MAX_NODES`] nodes) is not refused:
//! the SDK calls a section only "a self-describing YAML document", so the control plane judges
//! it, and such a text compares as text. Only what is no YAML at all (a syntax error, a key twice
//! in a mapping, a NUL) is refused, saying where (line and column) and what to write instead.
//! What a section may hold beyond `section` and `schema`, and how long it may be, is the control
//! plane's to judge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::{TfValue, Type};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::yaml::Yaml;

/// Deepest nesting of sequences and mappings the comparison models (deeper texts compare as
/// text): it bounds the recursion of comparing and dropping a [`Node`].
pub const MAX_DEPTH: usize = 64;

/// Most nodes the comparison builds, aliases expanded (larger texts compare as text): a few
/// hundred bytes of nested aliases would otherwise expand to gigabytes.
pub const MAX_NODES: usize = 100_000;

/// Why a text has no [`Node`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unparsed {
    /// Not YAML: what is wrong and where.
    Invalid(String),
    /// YAML the comparison does not model, and why: the control plane judges it, and it
    /// compares as text.
    Unmodelled(String),
}

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
fn scalar(text: String, style: TScalarStyle, tag: Option<&str>) -> Result<Node, Unparsed> {
    match tag {
        Some("str") => return Ok(Node::Str(text)),
        Some(other) => return Err(Unparsed::Unmodelled(format!("the tag `!!{other}`"))),
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

/// A collection being read, with its anchor (0 for none).
enum Frame {
    Seq(Vec<Node>, usize),
    Map(BTreeMap<Node, Node>, Option<Node>, usize),
}

/// Parses one YAML document, aliases expanded.
pub fn parse(text: &str) -> Result<Node, Unparsed> {
    use Unparsed::{Invalid, Unmodelled};
    if let Some(at) = text.find('\0') {
        return Err(Invalid(format!(
            "it contains a NUL character at byte {at}; remove it"
        )));
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    // Each anchor's node and its size in nodes, and the nodes built so far.
    let mut anchors: BTreeMap<usize, (Node, usize)> = BTreeMap::new();
    let mut nodes = 0usize;
    let mut sizes: Vec<usize> = Vec::new();
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            if e.info().contains("recursion limit") {
                Unmodelled(format!("it nests deeper than {MAX_DEPTH} levels"))
            } else {
                Invalid(format!("it is not valid YAML: {e}"))
            }
        })?;
        // The node read, its anchor (0 for none), its size in nodes, and how many nodes it adds
        // (a collection's children were counted as they came).
        let (node, anchor, size, added) = match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(Unmodelled("it holds more than one YAML document".into()));
                }
                continue;
            }
            Event::Alias(id) => {
                let Some((node, size)) = anchors.get(&id) else {
                    return Err(Invalid(format!(
                        "it is not valid YAML: an alias at {} names no anchor before it",
                        at(&mark)
                    )));
                };
                if nodes + size > MAX_NODES {
                    return Err(Unmodelled(format!(
                        "its aliases expand to more than {MAX_NODES} nodes"
                    )));
                }
                (node.clone(), 0, *size, *size)
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.as_ref().map(|t| t.suffix.as_str());
                let node = scalar(text, style, tag)?;
                (node, anchor, 1, 1)
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if let Some(tag) = tag {
                    return Err(Unmodelled(format!("the tag `!!{}`", tag.suffix)));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Unmodelled(format!(
                        "it nests deeper than {MAX_DEPTH} levels"
                    )));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new(), anchor)
                } else {
                    Frame::Map(BTreeMap::new(), None, anchor)
                });
                sizes.push(nodes);
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match stack.pop() {
                    Some(Frame::Seq(items, anchor)) => (Node::Seq(items), anchor),
                    Some(Frame::Map(entries, _, anchor)) => (Node::Map(entries), anchor),
                    None => {
                        return Err(Invalid(format!("it is not valid YAML at {}", at(&mark))));
                    }
                };
                let started = sizes.pop().unwrap_or_default();
                (node, anchor, nodes - started + 1, 1)
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
        };
        nodes += added;
        if nodes > MAX_NODES {
            return Err(Unmodelled(format!("it has more than {MAX_NODES} nodes")));
        }
        if anchor != 0 {
            anchors.insert(anchor, (node.clone(), size));
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(_, pending @ None, _)) => *pending = Some(node),
            Some(Frame::Map(entries, pending @ Some(_), _)) => {
                let key = pending.take().unwrap_or(Node::Null);
                if entries.contains_key(&key) {
                    return Err(Invalid(format!(
                        "the key {} appears twice in one mapping (the second ends at {}); keep \
                         one",
                        describe(&key),
                        at(&mark)
                    )));
                }
                entries.insert(key, node);
            }
        }
    }
    root.ok_or_else(|| Invalid("it is empty".to_owned()))
}

fn describe(key: &Node) -> String {
    match key {
        Node::Str(s) => format!("`{s}`"),
        other => format!("{other:?}"),
    }
}

/// Checks the section `name`'s document; the error is a sentence about `sections["name"]` that
/// says what to change.
///
/// The checks rest on the SDK and the official docs: an update carries only "self-describing
/// YAML documents", with no name beside them, so a document names its section and its schema
/// itself (`section:` and `schema:`, as the official examples write them); and the attribute is
/// "keyed by section name", so the document's `section` is its map key. Anything else, `spec`
/// included, is the control plane's to judge. A document the comparison does not model is not
/// checked here: the control plane judges it whole.
pub fn check_section(name: &str, text: &str) -> Result<(), String> {
    let node = match parse(text) {
        Ok(node) => node,
        Err(Unparsed::Unmodelled(_)) => return Ok(()),
        Err(Unparsed::Invalid(e)) => {
            return Err(format!("The YAML of section `{name}` is refused: {e}."));
        }
    };
    let Node::Map(entries) = &node else {
        return Err(format!(
            "The YAML of section `{name}` is not a mapping. Write a self-describing document: \
             `section: {name}`, `schema: v1` and the section's settings (the documentation \
             writes them under `spec:`)."
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
    match field("schema") {
        Some(Node::Str(schema)) if !schema.trim().is_empty() => Ok(()),
        _ => Err(format!(
            "The YAML of section `{name}` has no `schema` (such as `schema: v1`). Add the \
             schema version of the section."
        )),
    }
}

/// Whether two section texts mean the same; text the comparison cannot read (not YAML, or YAML
/// it does not model) equals only itself.
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
        assert_eq!(check_section("KeyManager", KEY_MANAGER), Ok(()));
        // Keys beyond section and schema are the control plane's to judge, `spec` included.
        let extra = format!("{KEY_MANAGER}metadata:\n  owner: platform\n");
        assert!(check_section("KeyManager", &extra).is_ok());
        assert!(check_section("KeyManager", "section: KeyManager\nschema: v1").is_ok());
        let cases = [
            (
                "KeyManager",
                "section: Other\nschema: v1\nspec: {}",
                "differ",
            ),
            ("KeyManager", "schema: v1\nspec: {}", "no `section"),
            ("KeyManager", "section: KeyManager\nspec: {}", "no `schema`"),
            ("KeyManager", "- a\n- b", "not a mapping"),
            ("KeyManager", "a: *x", "not valid YAML"),
            ("KeyManager", "a: 1\na: 2", "appears twice"),
            ("KeyManager", "", "empty"),
            ("KeyManager", "a: [1\n", "not valid YAML"),
            ("KeyManager", "a:\tb\n\tc: d", "not valid YAML"),
            ("KeyManager", "a: \"\0\"", "NUL"),
        ];
        for (name, text, expected) in cases {
            let error = check_section(name, text).expect_err(text);
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn sections_hostile_documents_are_read_quickly() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(parse(&deep), Err(Unparsed::Unmodelled(_))));
        // Size is the control plane's to judge: a large document parses, in linear time.
        let huge = format!("a: {}", "b".repeat(4 << 20));
        assert!(parse(&huge).is_ok());
    }

    #[test]
    fn sections_anchors_and_aliases_compare_expanded() {
        let anchored = "section: KeyManager\nschema: v1\nspec:\n  base: &region {region: us-east-1}\n  copy: *region\n";
        let expanded = "section: KeyManager\nschema: v1\nspec:\n  base: {region: us-east-1}\n  copy: {region: us-east-1}\n";
        assert!(same(anchored, expanded));
        assert!(!same(
            anchored,
            &expanded.replace("copy: {region: us-east-1}", "copy: {}")
        ));
        assert_eq!(check_section("KeyManager", anchored), Ok(()));
        // An anchored scalar and an anchor inside an anchored collection.
        assert!(same("a: &x 1\nb: *x", "a: 1\nb: 1"));
        assert!(same(
            "a: &o [&i [1], 2]\nb: *o\nc: *i",
            "a: [[1], 2]\nb: [[1], 2]\nc: [1]"
        ));
    }

    #[test]
    fn sections_yaml_beyond_the_comparison_is_the_control_planes_to_judge() {
        let deep = format!(
            "section: KeyManager\nschema: v1\nspec: {}{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        let bomb = format!(
            "section: KeyManager\nschema: v1\nspec:\n  a: &a [{}]\n  b: &b [{}]\n  c: &c [{}]\n  d: [{}]\n",
            vec!["x"; 100].join(", "),
            vec!["*a"; 100].join(", "),
            vec!["*b"; 100].join(", "),
            vec!["*c"; 100].join(", "),
        );
        for text in [
            deep.as_str(),
            bomb.as_str(),
            "section: KeyManager\nschema: v1\nspec: {}\n---\nsection: KeyManager\n",
            "section: KeyManager\nschema: v1\nspec: !!binary aGk=\n",
            "section: KeyManager\nschema: v1\nspec: !!map {}\n",
        ] {
            assert!(
                matches!(parse(text), Err(Unparsed::Unmodelled(_))),
                "{text}"
            );
            assert_eq!(check_section("KeyManager", text), Ok(()), "{text}");
            // Such a text equals only itself.
            assert!(same(text, text));
            assert!(!same(text, &format!("{text}\n# changed")));
        }
    }

    #[test]
    fn sections_names_are_the_control_planes_to_judge() {
        assert_eq!(name_problem("KeyManager"), None);
        assert_eq!(name_problem("Key-Manager.v2"), None);
        assert!(name_problem("").is_some());
    }
}
