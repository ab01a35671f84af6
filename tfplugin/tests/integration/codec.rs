//! Codec round-trips (msgpack and JSON) for every type, unknowns nested in collections, null
//! versus empty, big numbers, dynamic values; and malformed input as errors, never panics.
#![allow(clippy::unwrap_used)]

use tfplugin::{Number, Type, Value};

fn n(s: &str) -> Value {
    Value::Number(s.parse::<Number>().unwrap())
}

fn samples() -> Vec<(Type, Value)> {
    let obj_ty = Type::object([("a", Type::String), ("b", Type::list(Type::Number))]);
    vec![
        (Type::Bool, true.into()),
        (Type::Bool, Value::Null),
        (Type::Bool, Value::Unknown),
        (Type::String, "".into()),
        (Type::String, "héllo \u{1F600}".into()),
        (Type::String, "x".repeat(70_000).into()),
        (Type::Number, 0.into()),
        (Type::Number, (-1).into()),
        (Type::Number, i64::MAX.into()),
        (Type::Number, i64::MIN.into()),
        (Type::Number, n("1208925819614629174706176")), // 2^80
        (Type::Number, n("18446744073709551615")),      // u64::MAX, beyond i64 and f64
        (Type::Number, n("0.1")),
        (Type::Number, n("0.5")),
        (Type::Number, n("-1e400")),
        (
            Type::Number,
            n("3.14159265358979323846264338327950288419716939937510"),
        ),
        (Type::Number, Value::Number(Number::from_f64(0.1).unwrap())),
        (Type::list(Type::String), Value::List(vec![])),
        (Type::list(Type::String), Value::Null),
        (
            Type::list(Type::String),
            Value::List(vec!["a".into(), Value::Unknown, Value::Null]),
        ),
        (
            Type::set(Type::Number),
            Value::Set(vec![1.into(), Value::Unknown]),
        ),
        (Type::map(Type::String), Value::map::<&str>([])),
        (
            Type::map(Type::String),
            Value::map([("k", Value::Unknown), ("n", Value::Null), ("v", "x".into())]),
        ),
        (
            Type::map(obj_ty.clone()),
            Value::map([(
                "k",
                Value::object([
                    ("a", Value::Unknown),
                    ("b", Value::List(vec![Value::Unknown, 2.into()])),
                ]),
            )]),
        ),
        (
            obj_ty.clone(),
            Value::object([("a", "x".into()), ("b", Value::Null)]),
        ),
        (
            Type::tuple([Type::String, Type::Bool]),
            Value::Tuple(vec!["x".into(), Value::Unknown]),
        ),
        (Type::tuple([]), Value::Tuple(vec![])),
        (Type::Dynamic, Value::Null),
        (Type::Dynamic, Value::Unknown),
        (
            Type::Dynamic,
            Value::dynamic(Type::list(Type::String), Value::List(vec!["a".into()])),
        ),
        (
            Type::Dynamic,
            Value::dynamic(
                obj_ty.clone(),
                Value::object([("a", Value::Null), ("b", Value::Null)]),
            ),
        ),
        (
            Type::object([("d", Type::Dynamic), ("m", Type::map(Type::Dynamic))]),
            Value::object([
                ("d", Value::dynamic(Type::Number, n("0.1"))),
                (
                    "m",
                    Value::map([
                        ("x", Value::dynamic(Type::Bool, true.into())),
                        ("u", Value::Unknown),
                    ]),
                ),
            ]),
        ),
    ]
}

#[test]
fn msgpack_round_trips_every_type() {
    for (ty, v) in samples() {
        let bytes = v.to_msgpack(&ty).unwrap_or_else(|e| panic!("{ty}: {e}"));
        let back = Value::from_msgpack(&bytes, &ty).unwrap_or_else(|e| panic!("{ty}: {e}"));
        assert_eq!(back, v, "{ty}");
        assert_eq!(
            back.to_msgpack(&ty).unwrap(),
            bytes,
            "{ty}: re-encoding is stable"
        );
    }
}

#[test]
fn json_round_trips_every_known_value() {
    for (ty, v) in samples().into_iter().filter(|(_, v)| v.is_wholly_known()) {
        // A binary fraction from msgpack prints as its shortest decimal, like cty's JSON.
        if matches!(&v, Value::Number(x) if x.to_string().parse::<Number>().ok().as_ref() != Some(x))
        {
            continue;
        }
        let json = v.to_json(&ty).unwrap_or_else(|e| panic!("{ty}: {e}"));
        let back =
            Value::from_json(json.as_bytes(), &ty).unwrap_or_else(|e| panic!("{ty} {json}: {e}"));
        assert_eq!(back, v, "{ty}: {json}");
    }
    assert!(Value::Unknown.to_json(&Type::String).is_err());
}

#[test]
fn null_unknown_and_empty_stay_distinct() {
    let ty = Type::list(Type::String);
    let encodings: Vec<Vec<u8>> = [Value::Null, Value::Unknown, Value::List(vec![])]
        .iter()
        .map(|v| v.to_msgpack(&ty).unwrap())
        .collect();
    assert_eq!(encodings[0], [0xc0]);
    assert_eq!(encodings[1], [0xd4, 0, 0]);
    assert_eq!(encodings[2], [0x90]);
    assert_ne!(Value::from_msgpack(&[0x90], &ty).unwrap(), Value::Null);
    assert_eq!(
        Value::from_json(b"\"\"", &Type::String).unwrap(),
        Value::String(String::new())
    );
}

#[test]
fn numbers_use_the_encoding_cty_chooses() {
    // int fast path, float64 when exact, decimal string otherwise.
    assert_eq!(
        Value::from(300).to_msgpack(&Type::Number).unwrap(),
        [0xcd, 0x01, 0x2c]
    );
    assert_eq!(n("0.5").to_msgpack(&Type::Number).unwrap()[0], 0xcb);
    assert_eq!(
        n("0.1").to_msgpack(&Type::Number).unwrap(),
        [0xa3, b'0', b'.', b'1']
    );
    // A uint64 from another encoder reads as the same number.
    let u = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    assert_eq!(
        Value::from_msgpack(&u, &Type::Number).unwrap(),
        n("18446744073709551615")
    );
}

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn malformed_msgpack_and_json_are_errors_not_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let samples = samples();
    let types: Vec<Type> = samples.iter().map(|(t, _)| t.clone()).collect();
    let mut errors = 0;
    for i in 0..20_000 {
        let (ty, v) = &samples[i % samples.len()];
        let mut bytes = v.to_msgpack(ty).unwrap();
        match rng.next() % 4 {
            0 => bytes.truncate((rng.next() as usize) % (bytes.len() + 1)),
            1 if !bytes.is_empty() => {
                let at = (rng.next() as usize) % bytes.len();
                bytes[at] = rng.next() as u8;
            }
            2 => bytes = (0..rng.next() % 64).map(|_| rng.next() as u8).collect(),
            _ => bytes.extend((0..rng.next() % 8).map(|_| rng.next() as u8)),
        }
        let ty = &types[(rng.next() as usize) % types.len()];
        if Value::from_msgpack(&bytes, ty).is_err() {
            errors += 1;
        }
        let _ = Value::from_json(&bytes, ty);
        let _ = Type::from_json(&bytes);
    }
    assert!(
        errors > 10_000,
        "most mangled inputs are rejected ({errors})"
    );
    // Forged huge lengths do not allocate or hang.
    for forged in [
        &[0xdd, 0xff, 0xff, 0xff, 0xff][..],
        &[0xdf, 0xff, 0xff, 0xff, 0xff],
        &[0xdb, 0xff, 0xff, 0xff, 0xff],
    ] {
        assert!(Value::from_msgpack(forged, &Type::list(Type::String)).is_err());
        assert!(Value::from_msgpack(forged, &Type::map(Type::String)).is_err());
        assert!(Value::from_msgpack(forged, &Type::String).is_err());
    }
    // Deep nesting is refused instead of overflowing the stack.
    let mut deep_ty = Type::String;
    for _ in 0..300 {
        deep_ty = Type::list(deep_ty);
    }
    let deep = vec![0x91; 300];
    assert!(Value::from_msgpack(&deep, &deep_ty).is_err());
    assert!(Value::from_json("[".repeat(100_000).as_bytes(), &Type::Dynamic).is_err());
}
