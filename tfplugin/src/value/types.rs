//! cty types and their JSON encoding (the `type` bytes of schemas and dynamic values).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::ValueError;
use super::json::{JsonValue, parse_json};

/// A cty type: what Terraform's type system calls `bool`, `number`, `string`, `dynamic` (any type),
/// and the collection and structural types built from them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `number`: arbitrary precision.
    Number,
    /// `string`: UTF-8 text.
    String,
    /// `dynamic` (cty's `DynamicPseudoType`): any type, decided by the value.
    Dynamic,
    /// `list(T)`: ordered, homogeneous.
    List(Box<Type>),
    /// `set(T)`: unordered, homogeneous, no duplicates.
    Set(Box<Type>),
    /// `map(T)`: string keys, homogeneous values.
    Map(Box<Type>),
    /// `object({...})`: named attributes of their own types; some may be optional.
    Object {
        /// The attributes and their types.
        attrs: BTreeMap<String, Type>,
        /// The names of the optional attributes (only meaningful in type constraints).
        optional: BTreeSet<String>,
    },
    /// `tuple([...])`: a fixed sequence of types.
    Tuple(Vec<Type>),
}

impl Type {
    /// `list(element)`.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// `set(element)`.
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// `map(element)`.
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// `object({...})` with no optional attributes.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// `tuple([...])`.
    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elements.into_iter().collect())
    }

    /// The element type of a list, set or map.
    pub fn element(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The type as cty's JSON type syntax, e.g. `["list","string"]`.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Type::Bool => out.push_str("\"bool\""),
            Type::Number => out.push_str("\"number\""),
            Type::String => out.push_str("\"string\""),
            Type::Dynamic => out.push_str("\"dynamic\""),
            Type::List(t) | Type::Set(t) | Type::Map(t) => {
                let kind = match self {
                    Type::List(_) => "list",
                    Type::Set(_) => "set",
                    _ => "map",
                };
                out.push_str("[\"");
                out.push_str(kind);
                out.push_str("\",");
                t.write_json(out);
                out.push(']');
            }
            Type::Object { attrs, optional } => {
                out.push_str("[\"object\",{");
                for (i, (name, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    super::json::write_json_string(out, name);
                    out.push(':');
                    t.write_json(out);
                }
                out.push('}');
                if !optional.is_empty() {
                    out.push_str(",[");
                    for (i, name) in optional.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        super::json::write_json_string(out, name);
                    }
                    out.push(']');
                }
                out.push(']');
            }
            Type::Tuple(ts) => {
                out.push_str("[\"tuple\",[");
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    t.write_json(out);
                }
                out.push_str("]]");
            }
        }
    }

    /// Parses cty's JSON type syntax.
    pub fn from_json(bytes: &[u8]) -> Result<Type, ValueError> {
        let json = parse_json(bytes)?;
        Type::from_json_value(&json, 0)
    }

    fn from_json_value(json: &JsonValue, depth: usize) -> Result<Type, ValueError> {
        if depth > super::MAX_DEPTH {
            return Err(ValueError::new("type is nested too deeply"));
        }
        let bad = |what: &str| ValueError::new(format!("invalid type JSON: {what}"));
        match json {
            JsonValue::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(bad(&format!("unknown primitive type {other:?}"))),
            },
            JsonValue::Array(items) => {
                let Some(JsonValue::String(kind)) = items.first() else {
                    return Err(bad("a structural type must start with its kind"));
                };
                match (kind.as_str(), items.len()) {
                    ("list" | "set" | "map", 2) => {
                        let t = Box::new(Type::from_json_value(&items[1], depth + 1)?);
                        Ok(match kind.as_str() {
                            "list" => Type::List(t),
                            "set" => Type::Set(t),
                            _ => Type::Map(t),
                        })
                    }
                    ("object", 2 | 3) => {
                        let JsonValue::Object(fields) = &items[1] else {
                            return Err(bad("object attributes must be a JSON object"));
                        };
                        let mut attrs = BTreeMap::new();
                        for (name, t) in fields {
                            attrs.insert(name.clone(), Type::from_json_value(t, depth + 1)?);
                        }
                        let mut optional = BTreeSet::new();
                        if let Some(opt) = items.get(2) {
                            let JsonValue::Array(names) = opt else {
                                return Err(bad("optional attributes must be a list"));
                            };
                            for n in names {
                                let JsonValue::String(n) = n else {
                                    return Err(bad("optional attribute names must be strings"));
                                };
                                if !attrs.contains_key(n) {
                                    return Err(bad(&format!(
                                        "optional attribute {n:?} is not an attribute"
                                    )));
                                }
                                optional.insert(n.clone());
                            }
                        }
                        Ok(Type::Object { attrs, optional })
                    }
                    ("tuple", 2) => {
                        let JsonValue::Array(ts) = &items[1] else {
                            return Err(bad("tuple element types must be a list"));
                        };
                        ts.iter()
                            .map(|t| Type::from_json_value(t, depth + 1))
                            .collect::<Result<_, _>>()
                            .map(Type::Tuple)
                    }
                    (other, _) => Err(bad(&format!("unknown or malformed type kind {other:?}"))),
                }
            }
            _ => Err(bad("expected a string or an array")),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Object { attrs, .. } => {
                f.write_str("object({")?;
                for (i, (k, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                f.write_str("})")
            }
            Type::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_round_trips_every_kind() {
        let mut obj = Type::object([("a", Type::String), ("b", Type::list(Type::Number))]);
        if let Type::Object { optional, .. } = &mut obj {
            optional.insert("b".into());
        }
        let types = [
            Type::Bool,
            Type::Number,
            Type::String,
            Type::Dynamic,
            Type::set(Type::Bool),
            Type::map(Type::map(Type::String)),
            obj,
            Type::tuple([Type::String, Type::Dynamic]),
            Type::tuple([]),
            Type::object::<String>([]),
        ];
        for t in types {
            let json = t.to_json();
            assert_eq!(
                Type::from_json(json.as_bytes()).expect("parses"),
                t,
                "{json}"
            );
        }
        assert_eq!(
            Type::from_json(br#"["object",{"x":"string"},["x"]]"#)
                .expect("parses")
                .to_json(),
            r#"["object",{"x":"string"},["x"]]"#
        );
    }

    #[test]
    fn type_json_rejects_garbage() {
        for bad in [
            &b""[..],
            b"\"int\"",
            b"[\"list\"]",
            b"[\"object\",[]]",
            b"[\"object\",{},[\"nope\"]]",
            b"{}",
            b"[\"capsule\",\"x\"]",
        ] {
            assert!(
                Type::from_json(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
