//! cty's msgpack encoding, driven by the type: unknown is an extension value (type 0, or 12 for a
//! refined unknown), dynamic positions are `[type JSON, value]`, numbers are int, float64, or a
//! decimal string when neither holds them exactly.

use std::collections::BTreeMap;

use super::number::Wire;
use super::{MAX_DEPTH, Number, Type, Value, ValueError};

/// The compact "wholly unknown" encoding: fixext1, type 0, one zero byte.
const UNKNOWN: [u8; 3] = [0xd4, 0, 0];

pub(crate) fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut r = Reader { b: bytes, i: 0 };
    let v = r.value(ty, 0)?;
    if r.i != bytes.len() {
        return Err(ValueError::new(format!(
            "msgpack: {} unexpected trailing bytes",
            bytes.len() - r.i
        )));
    }
    Ok(v)
}

pub(crate) fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::with_capacity(64);
    write_value(&mut out, value, ty, 0)?;
    Ok(out)
}

/// One msgpack item's header.
enum Head {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(usize),
    Bin(usize),
    Array(usize),
    Map(usize),
    Ext(i8, usize),
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn err(&self, msg: impl std::fmt::Display) -> ValueError {
        ValueError::new(format!("msgpack at byte {}: {msg}", self.i))
    }

    fn take(&mut self, n: usize) -> Result<&[u8], ValueError> {
        let end = self.i.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(self.err("unexpected end of data"));
        };
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> Result<u64, ValueError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn head(&mut self) -> Result<Head, ValueError> {
        let m = self.take(1)?[0];
        let len = |r: &mut Self, n| r.be(n).map(|v| v as usize);
        Ok(match m {
            0x00..=0x7f => Head::Int(i64::from(m)),
            0x80..=0x8f => Head::Map(usize::from(m & 0x0f)),
            0x90..=0x9f => Head::Array(usize::from(m & 0x0f)),
            0xa0..=0xbf => Head::Str(usize::from(m & 0x1f)),
            0xc0 => Head::Nil,
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => Head::Bin(len(self, 1)?),
            0xc5 => Head::Bin(len(self, 2)?),
            0xc6 => Head::Bin(len(self, 4)?),
            0xc7..=0xc9 => {
                let n = len(self, 1 << (m - 0xc7))?;
                Head::Ext(self.take(1)?[0] as i8, n)
            }
            0xca => Head::Float(f64::from(f32::from_bits(self.be(4)? as u32))),
            0xcb => Head::Float(f64::from_bits(self.be(8)?)),
            0xcc..=0xcf => Head::UInt(self.be(1 << (m - 0xcc))?),
            0xd0 => Head::Int(i64::from(self.take(1)?[0] as i8)),
            0xd1 => Head::Int(i64::from(self.be(2)? as u16 as i16)),
            0xd2 => Head::Int(i64::from(self.be(4)? as u32 as i32)),
            0xd3 => Head::Int(self.be(8)? as i64),
            0xd4..=0xd8 => {
                let t = self.take(1)?[0] as i8;
                Head::Ext(t, 1 << (m - 0xd4))
            }
            0xd9 => Head::Str(len(self, 1)?),
            0xda => Head::Str(len(self, 2)?),
            0xdb => Head::Str(len(self, 4)?),
            0xdc => Head::Array(len(self, 2)?),
            0xdd => Head::Array(len(self, 4)?),
            0xde => Head::Map(len(self, 2)?),
            0xdf => Head::Map(len(self, 4)?),
            0xe0..=0xff => Head::Int(i64::from(m as i8)),
            0xc1 => return Err(self.err("invalid marker 0xc1")),
        })
    }

    fn text(&mut self, n: usize) -> Result<String, ValueError> {
        let s = self.take(n)?;
        std::str::from_utf8(s)
            .map(str::to_owned)
            .map_err(|_| ValueError::new("msgpack: string is not valid UTF-8"))
    }

    fn string(&mut self, what: &str) -> Result<String, ValueError> {
        match self.head()? {
            Head::Str(n) | Head::Bin(n) => self.text(n),
            _ => Err(self.err(format!("{what} must be a string"))),
        }
    }

    /// Skips an extension body and checks it is one of cty's unknown encodings.
    fn unknown(&mut self, t: i8, n: usize) -> Result<Value, ValueError> {
        if n > 1 && t != 12 {
            return Err(self.err(format!("unsupported extension type {t} of length {n}")));
        }
        if n > 1024 {
            return Err(self.err("oversize unknown value refinement"));
        }
        self.take(n)?;
        Ok(Value::Unknown)
    }

    /// A bounded capacity, so a forged length cannot make us allocate much.
    fn cap(&self, n: usize) -> usize {
        n.min(self.b.len() - self.i)
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, ValueError> {
        if depth > MAX_DEPTH {
            return Err(self.err("value is nested too deeply"));
        }
        let head = self.head()?;
        match head {
            Head::Ext(t, n) => return self.unknown(t, n),
            Head::Nil => return Ok(Value::Null),
            _ => {}
        }
        let mismatch = |r: &Self, want: &str| r.err(format!("{want} is required for type {ty}"));
        match ty {
            Type::Dynamic => {
                let Head::Array(2) = head else {
                    return Err(mismatch(self, "a [type, value] pair"));
                };
                let tj = match self.head()? {
                    Head::Bin(n) | Head::Str(n) => self.take(n)?.to_vec(),
                    _ => return Err(self.err("dynamic value type must be JSON bytes")),
                };
                let inner = Type::from_json(&tj)?;
                let v = self.value(&inner, depth + 1)?;
                Ok(Value::dynamic(inner, v))
            }
            Type::Bool => match head {
                Head::Bool(b) => Ok(Value::Bool(b)),
                _ => Err(mismatch(self, "a bool")),
            },
            Type::Number => match head {
                Head::Int(i) => Ok(Value::Number(i.into())),
                Head::UInt(u) => Ok(Value::Number(u.into())),
                Head::Float(f) => Number::from_f64(f)
                    .map(Value::Number)
                    .map_err(|e| self.err(e)),
                Head::Str(n) => {
                    let s = self.text(n)?;
                    s.parse::<Number>()
                        .map(Value::Number)
                        .map_err(|e| self.err(e))
                }
                _ => Err(mismatch(self, "a number")),
            },
            Type::String => match head {
                Head::Str(n) | Head::Bin(n) => self.text(n).map(Value::String),
                _ => Err(mismatch(self, "a string")),
            },
            Type::List(t) | Type::Set(t) => {
                let Head::Array(n) = head else {
                    return Err(mismatch(self, "an array"));
                };
                let mut items = Vec::with_capacity(self.cap(n));
                for _ in 0..n {
                    items.push(self.value(t, depth + 1)?);
                }
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(items)
                } else {
                    Value::Set(items)
                })
            }
            Type::Tuple(ts) => {
                let Head::Array(n) = head else {
                    return Err(mismatch(self, "an array"));
                };
                if n != ts.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, got {n}",
                        ts.len()
                    )));
                }
                ts.iter()
                    .map(|t| self.value(t, depth + 1))
                    .collect::<Result<_, _>>()
                    .map(Value::Tuple)
            }
            Type::Map(t) => {
                let Head::Map(n) = head else {
                    return Err(mismatch(self, "a map"));
                };
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let k = self.string("a map key")?;
                    let v = self.value(t, depth + 1)?;
                    m.insert(k, v);
                }
                Ok(Value::Map(m))
            }
            Type::Object { attrs, .. } => {
                let Head::Map(n) = head else {
                    return Err(mismatch(self, "a map"));
                };
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let k = self.string("an attribute name")?;
                    let Some(t) = attrs.get(&k) else {
                        return Err(self.err(format!("unsupported attribute {k:?}")));
                    };
                    let v = self.value(t, depth + 1)?;
                    m.insert(k, v);
                }
                for k in attrs.keys() {
                    if !m.contains_key(k) {
                        m.insert(k.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(m))
            }
        }
    }
}

fn write_len(
    out: &mut Vec<u8>,
    n: usize,
    fix: Option<(u8, usize)>,
    m8: Option<u8>,
    m16: u8,
    m32: u8,
) {
    match fix {
        Some((base, max)) if n <= max => out.push(base | n as u8),
        _ => match m8 {
            Some(m) if n <= 0xff => {
                out.push(m);
                out.push(n as u8);
            }
            _ if n <= 0xffff => {
                out.push(m16);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            _ => {
                out.push(m32);
                out.extend_from_slice(&(n as u32).to_be_bytes());
            }
        },
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    write_len(out, s.len(), Some((0xa0, 31)), Some(0xd9), 0xda, 0xdb);
    out.extend_from_slice(s.as_bytes());
}

fn write_bin(out: &mut Vec<u8>, b: &[u8]) {
    write_len(out, b.len(), None, Some(0xc4), 0xc5, 0xc6);
    out.extend_from_slice(b);
}

fn write_array_len(out: &mut Vec<u8>, n: usize) {
    write_len(out, n, Some((0x90, 15)), None, 0xdc, 0xdd);
}

fn write_map_len(out: &mut Vec<u8>, n: usize) {
    write_len(out, n, Some((0x80, 15)), None, 0xde, 0xdf);
}

fn write_int(out: &mut Vec<u8>, i: i64) {
    // Like cty's compact encoding: the smallest form, unsigned ones for non-negative values.
    if (0..=0x7f).contains(&i) {
        out.push(i as u8);
    } else if let Ok(u) = u64::try_from(i) {
        if let Ok(b) = u8::try_from(u) {
            out.extend_from_slice(&[0xcc, b]);
        } else if let Ok(h) = u16::try_from(u) {
            out.push(0xcd);
            out.extend_from_slice(&h.to_be_bytes());
        } else if let Ok(w) = u32::try_from(u) {
            out.push(0xce);
            out.extend_from_slice(&w.to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&u.to_be_bytes());
        }
    } else if (-32..0).contains(&i) {
        out.push(i as i8 as u8);
    } else if i8::try_from(i).is_ok() {
        out.push(0xd0);
        out.push(i as i8 as u8);
    } else if i16::try_from(i).is_ok() {
        out.push(0xd1);
        out.extend_from_slice(&(i as i16).to_be_bytes());
    } else if i32::try_from(i).is_ok() {
        out.push(0xd2);
        out.extend_from_slice(&(i as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

fn write_value(
    out: &mut Vec<u8>,
    value: &Value,
    ty: &Type,
    depth: usize,
) -> Result<(), ValueError> {
    if depth > MAX_DEPTH {
        return Err(ValueError::new("value is nested too deeply"));
    }
    let mismatch = || {
        ValueError::new(format!(
            "a {} value does not conform to type {ty}",
            value.kind()
        ))
    };
    match (value, ty) {
        (Value::Unknown, _) => out.extend_from_slice(&UNKNOWN),
        (Value::Null, _) => out.push(0xc0),
        (Value::Dynamic(d), Type::Dynamic) => {
            write_array_len(out, 2);
            write_bin(out, d.0.to_json().as_bytes());
            write_value(out, &d.1, &d.0, depth + 1)?;
        }
        (Value::Dynamic(d), _) => write_value(out, &d.1, ty, depth + 1)?,
        (_, Type::Dynamic) => {
            let t = value.infer_type();
            write_array_len(out, 2);
            write_bin(out, t.to_json().as_bytes());
            write_value(out, value, &t, depth + 1)?;
        }
        (Value::Bool(b), Type::Bool) => out.push(if *b { 0xc3 } else { 0xc2 }),
        (Value::Number(n), Type::Number) => match n.wire() {
            Wire::Int(i) => write_int(out, i),
            Wire::Float(f) => {
                out.push(0xcb);
                out.extend_from_slice(&f.to_bits().to_be_bytes());
            }
            Wire::Text => write_str(out, &n.to_string()),
        },
        (Value::String(s), Type::String) => write_str(out, s),
        (Value::List(items) | Value::Set(items), Type::List(t) | Type::Set(t)) => {
            write_array_len(out, items.len());
            for it in items {
                write_value(out, it, t, depth + 1)?;
            }
        }
        (Value::Tuple(items) | Value::List(items), Type::Tuple(ts)) => {
            if items.len() != ts.len() {
                return Err(mismatch());
            }
            write_array_len(out, items.len());
            for (it, t) in items.iter().zip(ts) {
                write_value(out, it, t, depth + 1)?;
            }
        }
        (Value::Map(m) | Value::Object(m), Type::Map(t)) => {
            write_map_len(out, m.len());
            for (k, v) in m {
                write_str(out, k);
                write_value(out, v, t, depth + 1)?;
            }
        }
        (Value::Object(m) | Value::Map(m), Type::Object { attrs, .. }) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(ValueError::new(format!(
                    "attribute {extra:?} is not in type {ty}"
                )));
            }
            write_map_len(out, attrs.len());
            for (k, t) in attrs {
                write_str(out, k);
                write_value(out, m.get(k).unwrap_or(&Value::Null), t, depth + 1)?;
            }
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_cty_writes() {
        // {"a": "x", "b": unknown, "c": null} as cty writes it.
        let ty = Type::object([("a", Type::String), ("b", Type::Number), ("c", Type::Bool)]);
        let bytes = [
            0x83, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xd4, 0, 0, 0xa1, b'c', 0xc0,
        ];
        let v = decode(&bytes, &ty).expect("decodes");
        assert_eq!(
            v,
            Value::object([("a", "x".into()), ("b", Value::Unknown), ("c", Value::Null)])
        );
        assert_eq!(encode(&v, &ty).expect("encodes"), bytes);
        // A refined unknown (ext 12) with a "not null" refinement.
        let refined = [0xc7, 3, 12, 0x81, 1, 0xc2];
        assert_eq!(
            decode(&refined, &Type::String).expect("decodes"),
            Value::Unknown
        );
    }
}
