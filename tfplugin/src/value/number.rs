//! cty numbers: arbitrary precision, with fast paths for the values that fit `i64` or `f64`.

use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// A cty number.
///
/// Kept in one canonical form per numeric value, following how cty chooses its msgpack encoding:
/// an integer that fits `i64`; else a value `f64` holds exactly (including ±infinity); else an
/// exact decimal (for example `0.1` as written in a configuration, or `2^64 - 1`). Two numbers are
/// equal exactly when their values are, so a value Terraform sent comes back bit for bit.
#[derive(Clone, Debug, PartialEq)]
pub struct Number(Repr);

#[derive(Clone, Debug, PartialEq)]
enum Repr {
    Int(i64),
    Float(f64),
    /// `0.<digits> × 10^exp`, digits without leading or trailing zeros.
    Decimal {
        neg: bool,
        digits: String,
        exp: i64,
    },
}

impl Number {
    /// The number as `i64`, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The number as `u64`, if it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Int(i) => u64::try_from(*i).ok(),
            Repr::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 18446744073709551616.0 => {
                Some(*f as u64)
            }
            Repr::Decimal {
                neg: false,
                digits,
                exp,
            } if *exp >= digits.len() as i64 && *exp <= 20 => {
                let mut s = digits.clone();
                for _ in 0..(*exp as usize - digits.len()) {
                    s.push('0');
                }
                s.parse().ok()
            }
            _ => None,
        }
    }

    /// The number as `f64`, rounded to the nearest `f64` (exact for the `f64` fast path).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::Int(i) => *i as f64,
            Repr::Float(f) => *f,
            Repr::Decimal { .. } => self.to_string().parse().unwrap_or(f64::NAN),
        }
    }

    /// Whether the number is finite (cty also has ±infinity).
    pub fn is_finite(&self) -> bool {
        !matches!(self.0, Repr::Float(f) if f.is_infinite())
    }

    /// How msgpack should carry it.
    pub(crate) fn wire(&self) -> Wire {
        match &self.0 {
            Repr::Int(i) => Wire::Int(*i),
            Repr::Float(f) => Wire::Float(*f),
            Repr::Decimal { .. } => Wire::Text,
        }
    }

    /// Builds a number from a float; NaN is not a cty number.
    pub fn from_f64(f: f64) -> Result<Number, ValueError> {
        if f.is_nan() {
            return Err(ValueError::new("NaN is not a number"));
        }
        if f.fract() == 0.0 && (-9223372036854775808.0..9223372036854775808.0).contains(&f) {
            return Ok(Number(Repr::Int(f as i64)));
        }
        Ok(Number(Repr::Float(f)))
    }

    fn from_parts(neg: bool, mut digits: String, mut scale: i64) -> Number {
        // value = digits × 10^scale
        let lead = digits.bytes().take_while(|&b| b == b'0').count();
        digits.drain(..lead);
        while digits.ends_with('0') {
            digits.pop();
            scale += 1;
        }
        if digits.is_empty() {
            return Number(Repr::Int(0));
        }
        let len = digits.len() as i64;
        if scale >= 0 && len + scale <= 19 {
            let mut s = String::with_capacity(21);
            if neg {
                s.push('-');
            }
            s.push_str(&digits);
            for _ in 0..scale {
                s.push('0');
            }
            if let Ok(i) = s.parse::<i64>() {
                return Number(Repr::Int(i));
            }
        }
        let exp = len + scale;
        // A fraction is only exact in binary when its last decimal digit is 5.
        let maybe_float = (-330..=310).contains(&exp) && (scale >= 0 || digits.ends_with('5'));
        if maybe_float {
            let text = format!("{}{}e{}", if neg { "-" } else { "" }, digits, scale);
            if let Ok(f) = text.parse::<f64>()
                && f.is_finite()
                && exact_digits(f) == (digits.as_str(), exp)
            {
                return Number(Repr::Float(f));
            }
        }
        Number(Repr::Decimal { neg, digits, exp })
    }
}

/// How a number goes on the msgpack wire.
pub(crate) enum Wire {
    Int(i64),
    Float(f64),
    Text,
}

/// The exact decimal expansion of a finite, non-zero `f64` as (digits, exp) with value
/// `0.digits × 10^exp`, compared against a candidate.
fn exact_digits(f: f64) -> ExactDigits {
    // Rust formats floats exactly at a given precision; 800 digits cover every f64.
    let s = format!("{:.800e}", f.abs());
    let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i64 = e.parse().unwrap_or(0);
    let mut digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    while digits.ends_with('0') {
        digits.pop();
    }
    ExactDigits { digits, exp: e + 1 }
}

struct ExactDigits {
    digits: String,
    exp: i64,
}

impl PartialEq<(&str, i64)> for ExactDigits {
    fn eq(&self, other: &(&str, i64)) -> bool {
        self.digits == other.0 && self.exp == other.1
    }
}

impl FromStr for Number {
    type Err = ValueError;

    /// Parses a decimal number (`-12`, `0.1`, `1e400`, `2.5E-3`) or `±inf`.
    fn from_str(s: &str) -> Result<Number, ValueError> {
        let bad = || ValueError::new(format!("{s:?} is not a number"));
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
            return Ok(Number(Repr::Float(if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })));
        }
        let (mant, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let exp: i64 = match exp {
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                // Far beyond what cty can hold; refuse rather than allocate.
                e.parse::<i64>()
                    .ok()
                    .filter(|e| e.abs() <= 1_000_000_000)
                    .ok_or_else(bad)?
            }
            None => 0,
        };
        let mut digits = String::with_capacity(int.len() + frac.len());
        digits.push_str(int);
        digits.push_str(frac);
        Ok(Number::from_parts(neg, digits, exp - frac.len() as i64))
    }
}

impl fmt::Display for Number {
    /// Plain decimal text (scientific only for extreme exponents); `inf`/`-inf` for infinities.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int(i) => write!(f, "{i}"),
            Repr::Float(x) if x.is_infinite() => f.write_str(if *x > 0.0 { "inf" } else { "-inf" }),
            Repr::Float(x) if x.fract() == 0.0 => write!(f, "{x:.0}"),
            Repr::Float(x) => write!(f, "{x}"),
            Repr::Decimal { neg, digits, exp } => {
                if *neg {
                    f.write_str("-")?;
                }
                let len = digits.len() as i64;
                if !(-1000..=1000).contains(exp) {
                    let (first, rest) = digits.split_at(1);
                    if rest.is_empty() {
                        return write!(f, "{first}e{}", exp - 1);
                    }
                    return write!(f, "{first}.{rest}e{}", exp - 1);
                }
                if *exp <= 0 {
                    f.write_str("0.")?;
                    for _ in 0..-exp {
                        f.write_str("0")?;
                    }
                    f.write_str(digits)
                } else if *exp >= len {
                    f.write_str(digits)?;
                    for _ in 0..(exp - len) {
                        f.write_str("0")?;
                    }
                    Ok(())
                } else {
                    let (a, b) = digits.split_at(*exp as usize);
                    write!(f, "{a}.{b}")
                }
            }
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number(Repr::Int(i))
    }
}

impl From<i32> for Number {
    fn from(i: i32) -> Number {
        Number(Repr::Int(i.into()))
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Number {
        match i64::try_from(u) {
            Ok(i) => Number(Repr::Int(i)),
            Err(_) => Number::from_parts(false, u.to_string(), 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        s.parse().expect("number")
    }

    #[test]
    fn numbers_take_the_canonical_form_cty_uses() {
        assert_eq!(n("42"), Number::from(42i64));
        assert_eq!(n("4.2e1"), Number::from(42i64));
        assert_eq!(n("-0"), Number::from(0i64));
        assert_eq!(n("0.5"), Number::from_f64(0.5).expect("float"));
        // 0.1 is not a binary fraction: it stays decimal, unlike the float 0.1.
        assert_ne!(n("0.1"), Number::from_f64(0.1).expect("float"));
        assert!(matches!(n("0.1").wire(), Wire::Text));
        // 2^80 is exact in f64; 2^64-1 is not.
        assert!(matches!(
            n("1208925819614629174706176").wire(),
            Wire::Float(_)
        ));
        assert_eq!(n("18446744073709551615"), Number::from(u64::MAX));
        assert!(matches!(Number::from(u64::MAX).wire(), Wire::Text));
        assert_eq!(Number::from(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(
            n("1208925819614629174706176").to_string(),
            "1208925819614629174706176"
        );
        assert_eq!(n("-1e400").to_string(), format!("-1{}", "0".repeat(400)));
        assert_eq!(n("1e-5000").to_string(), "1e-5000");
        assert_eq!(n("1.25e-5000").to_string(), "1.25e-5000");
        assert_eq!(n("1.25e-5000"), n(&n("1.25e-5000").to_string()));
        assert_eq!(n("123.456").to_string(), "123.456");
        assert_eq!(n("0.001").to_string(), "0.001");
        assert_eq!(n("inf"), Number::from_f64(f64::INFINITY).expect("inf"));
        assert!(Number::from_f64(f64::NAN).is_err());
        for bad in [
            "",
            "-",
            ".",
            "1e",
            "1e+",
            "abc",
            "1.2.3",
            "0x10",
            "1e99999999999",
        ] {
            assert!(bad.parse::<Number>().is_err(), "{bad:?}");
        }
    }
}
