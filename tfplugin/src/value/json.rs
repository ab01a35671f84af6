//! A small JSON reader that keeps numbers as their decimal text (state JSON may hold numbers
//! beyond f64), and the JSON encoding of values that Terraform uses for raw state.

use std::collections::BTreeMap;

use super::{MAX_DEPTH, Number, Type, Value, ValueError};

/// A parsed JSON document; numbers stay text so no precision is lost.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonValue {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

/// Parses a whole JSON document.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<JsonValue, ValueError> {
    let mut p = Parser { b: bytes, i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err("trailing data after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, msg: &str) -> ValueError {
        ValueError::new(format!("invalid JSON at byte {}: {msg}", self.i))
    }

    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &[u8], v: JsonValue) -> Result<JsonValue, ValueError> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("unexpected token"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonValue, ValueError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.ws();
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') => self.lit(b"null", JsonValue::Null),
            Some(b't') => self.lit(b"true", JsonValue::Bool(true)),
            Some(b'f') => self.lit(b"false", JsonValue::Bool(false)),
            Some(b'"') => self.string().map(JsonValue::String),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(JsonValue::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(JsonValue::Array(items));
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(JsonValue::Object(fields));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a string key"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.i += 1;
                    fields.push((k, self.value(depth + 1)?));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(JsonValue::Object(fields));
                        }
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                if self.b[self.i] == b'-' {
                    self.i += 1;
                }
                let digits = |p: &mut Self| {
                    let s = p.i;
                    while matches!(p.b.get(p.i), Some(b'0'..=b'9')) {
                        p.i += 1;
                    }
                    p.i > s
                };
                if !digits(self) {
                    return Err(self.err("expected digits"));
                }
                if self.b.get(self.i) == Some(&b'.') {
                    self.i += 1;
                    if !digits(self) {
                        return Err(self.err("expected digits after '.'"));
                    }
                }
                if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
                    self.i += 1;
                    if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                        self.i += 1;
                    }
                    if !digits(self) {
                        return Err(self.err("expected exponent digits"));
                    }
                }
                // The slice is ASCII by construction.
                let text = String::from_utf8_lossy(&self.b[start..self.i]).into_owned();
                Ok(JsonValue::Number(text))
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn hex4(&mut self) -> Result<u32, ValueError> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("short \\u escape"))?;
        let s = std::str::from_utf8(h).map_err(|_| self.err("bad \\u escape"))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| self.err("bad \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, ValueError> {
        self.i += 1; // opening quote
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(self.err("unterminated string"));
            };
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.b.get(self.i) else {
                        return Err(self.err("unterminated escape"));
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(self.err("lone surrogate"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("bad surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or_else(|| self.err("invalid code point"))?
                        }
                        _ => return Err(self.err("unknown escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(self.err("control character in string")),
                c => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| self.err("string is not UTF-8"))
    }
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Decodes Terraform's JSON encoding of a value of type `ty` (raw state, `DynamicValue.json`).
pub(crate) fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let json = parse_json(bytes)?;
    from_json(&json, ty, &mut Vec::new())
}

fn at(path: &[String], msg: impl std::fmt::Display) -> ValueError {
    if path.is_empty() {
        ValueError::new(msg.to_string())
    } else {
        ValueError::new(format!("at {}: {msg}", path.join("")))
    }
}

fn from_json(json: &JsonValue, ty: &Type, path: &mut Vec<String>) -> Result<Value, ValueError> {
    if matches!(json, JsonValue::Null) {
        return Ok(Value::Null);
    }
    let want = |what: &str| at(path, format!("{what} is required"));
    let elems =
        |items: &[JsonValue], t: &Type, path: &mut Vec<String>| -> Result<Vec<Value>, ValueError> {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(format!("[{i}]"));
                out.push(from_json(item, t, path)?);
                path.pop();
            }
            Ok(out)
        };
    match ty {
        Type::Bool => match json {
            JsonValue::Bool(b) => Ok(Value::Bool(*b)),
            JsonValue::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => Err(want("bool")),
        },
        Type::Number => match json {
            JsonValue::Number(n) | JsonValue::String(n) => n
                .parse::<Number>()
                .map(Value::Number)
                .map_err(|_| want("number")),
            _ => Err(want("number")),
        },
        Type::String => match json {
            JsonValue::String(s) => Ok(Value::String(s.clone())),
            JsonValue::Number(n) => Ok(Value::String(n.clone())),
            JsonValue::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(want("string")),
        },
        Type::List(t) | Type::Set(t) => match json {
            JsonValue::Array(items) => {
                let v = elems(items, t, path)?;
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(v)
                } else {
                    Value::Set(v)
                })
            }
            _ => Err(want(if matches!(ty, Type::List(_)) {
                "list"
            } else {
                "set"
            })),
        },
        Type::Tuple(ts) => match json {
            JsonValue::Array(items) if items.len() == ts.len() => {
                let mut out = Vec::with_capacity(items.len());
                for (i, (item, t)) in items.iter().zip(ts).enumerate() {
                    path.push(format!("[{i}]"));
                    out.push(from_json(item, t, path)?);
                    path.pop();
                }
                Ok(Value::Tuple(out))
            }
            _ => Err(want(&format!("tuple of {} elements", ts.len()))),
        },
        Type::Map(t) => match json {
            JsonValue::Object(fields) => {
                let mut out = BTreeMap::new();
                for (k, v) in fields {
                    path.push(format!("[{k:?}]"));
                    out.insert(k.clone(), from_json(v, t, path)?);
                    path.pop();
                }
                Ok(Value::Map(out))
            }
            _ => Err(want("map")),
        },
        Type::Object { attrs, .. } => match json {
            JsonValue::Object(fields) => {
                let mut out = BTreeMap::new();
                for (k, v) in fields {
                    let Some(t) = attrs.get(k) else {
                        return Err(at(path, format!("unsupported attribute {k:?}")));
                    };
                    path.push(format!(".{k}"));
                    out.insert(k.clone(), from_json(v, t, path)?);
                    path.pop();
                }
                for k in attrs.keys() {
                    out.entry(k.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            _ => Err(want("object")),
        },
        Type::Dynamic => match json {
            JsonValue::Object(fields) => {
                let (mut value, mut ty) = (None, None);
                for (k, v) in fields {
                    match k.as_str() {
                        "value" => value = Some(v),
                        "type" => ty = Some(v),
                        _ => {
                            return Err(at(
                                path,
                                "a dynamic value needs exactly \"value\" and \"type\"",
                            ));
                        }
                    }
                }
                let (Some(value), Some(ty)) = (value, ty) else {
                    return Err(at(
                        path,
                        "a dynamic value needs exactly \"value\" and \"type\"",
                    ));
                };
                let ty = Type::from_json_value_pub(ty)?;
                let v = from_json(value, &ty, path)?;
                Ok(Value::dynamic(ty, v))
            }
            _ => Err(want("dynamic value object")),
        },
    }
}

impl Type {
    pub(crate) fn from_json_value_pub(json: &JsonValue) -> Result<Type, ValueError> {
        // Re-serialise to reuse the one type parser; types are small.
        let mut s = String::new();
        write_json(&mut s, json);
        Type::from_json(s.as_bytes())
    }
}

fn write_json(out: &mut String, json: &JsonValue) {
    match json {
        JsonValue::Null => out.push_str("null"),
        JsonValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsonValue::Number(n) => out.push_str(n),
        JsonValue::String(s) => write_json_string(out, s),
        JsonValue::Array(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, it);
            }
            out.push(']');
        }
        JsonValue::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
}

/// Encodes `value` of type `ty` as Terraform's JSON value encoding. Unknown values have no JSON
/// form and are an error.
pub(crate) fn encode(value: &Value, ty: &Type) -> Result<String, ValueError> {
    let mut out = String::new();
    to_json(&mut out, value, ty)?;
    Ok(out)
}

fn to_json(out: &mut String, value: &Value, ty: &Type) -> Result<(), ValueError> {
    if let Value::Dynamic(d) = value {
        if matches!(ty, Type::Dynamic) {
            out.push_str("{\"value\":");
            to_json(out, &d.1, &d.0)?;
            out.push_str(",\"type\":");
            out.push_str(&d.0.to_json());
            out.push('}');
            return Ok(());
        }
        return to_json(out, &d.1, ty);
    }
    match (value, ty) {
        (Value::Unknown, _) => Err(ValueError::new("unknown values cannot be encoded as JSON")),
        (Value::Null, _) => {
            out.push_str("null");
            Ok(())
        }
        (_, Type::Dynamic) => {
            let t = value.infer_type();
            to_json(out, &Value::dynamic(t, value.clone()), ty)
        }
        (Value::Bool(b), Type::Bool) => {
            out.push_str(if *b { "true" } else { "false" });
            Ok(())
        }
        (Value::Number(n), Type::Number) => {
            if !n.is_finite() {
                return Err(ValueError::new("infinity cannot be encoded as JSON"));
            }
            out.push_str(&n.to_string());
            Ok(())
        }
        (Value::String(s), Type::String) => {
            write_json_string(out, s);
            Ok(())
        }
        (Value::List(items) | Value::Set(items), Type::List(t) | Type::Set(t)) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json(out, it, t)?;
            }
            out.push(']');
            Ok(())
        }
        (Value::Tuple(items) | Value::List(items), Type::Tuple(ts)) if items.len() == ts.len() => {
            out.push('[');
            for (i, (it, t)) in items.iter().zip(ts).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json(out, it, t)?;
            }
            out.push(']');
            Ok(())
        }
        (Value::Map(m) | Value::Object(m), Type::Map(t)) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                to_json(out, v, t)?;
            }
            out.push('}');
            Ok(())
        }
        (Value::Object(m) | Value::Map(m), Type::Object { attrs, .. }) => {
            out.push('{');
            for (i, (k, t)) in attrs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                to_json(out, m.get(k).unwrap_or(&Value::Null), t)?;
            }
            out.push('}');
            Ok(())
        }
        (v, t) => Err(ValueError::new(format!(
            "a {} value does not conform to type {t}",
            v.kind()
        ))),
    }
}
