//! Logs for Terraform's `TF_LOG`: JSON lines on stderr in hclog's shape (`@level`, `@message`,
//! `@module`, `@timestamp`, then the fields), which Terraform picks up and shows with its own
//! logs. The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`; unset or `off` means silence,
//! and a disabled call costs one atomic load.
//!
//! ```no_run
//! tfplugin::log::debug("created trust domain", &[("id", "td-123")]);
//! ```

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A log level, from most to least verbose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Everything.
    Trace = 1,
    /// Debugging detail.
    Debug = 2,
    /// Normal operation.
    Info = 3,
    /// Something looks wrong.
    Warn = 4,
    /// Something failed.
    Error = 5,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    /// The level a `TF_LOG` value asks for: `None` for unset, empty or `off`; `JSON` and unknown
    /// values mean trace, as in Terraform.
    pub fn from_env_value(v: &str) -> Option<Level> {
        match v.trim().to_ascii_lowercase().as_str() {
            "" | "off" => None,
            "debug" => Some(Level::Debug),
            "info" => Some(Level::Info),
            "warn" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => Some(Level::Trace),
        }
    }
}

/// 0 = not initialised, 6 = off, else the minimum `Level as u8`.
static THRESHOLD: AtomicU8 = AtomicU8::new(0);
static MODULE: OnceLock<String> = OnceLock::new();

const OFF: u8 = 6;

fn threshold() -> u8 {
    match THRESHOLD.load(Ordering::Relaxed) {
        0 => {
            let level = std::env::var("TF_LOG_PROVIDER")
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var("TF_LOG").ok())
                .and_then(|v| Level::from_env_value(&v));
            let t = level.map_or(OFF, |l| l as u8);
            THRESHOLD.store(t, Ordering::Relaxed);
            t
        }
        t => t,
    }
}

/// Names the provider in `@module` (`provider.terraform-provider-<name>`); `serve` calls it.
pub fn init(provider_name: &str) {
    let _ = MODULE.set(format!("provider.terraform-provider-{provider_name}"));
}

/// Whether messages at `level` are written.
pub fn enabled(level: Level) -> bool {
    level as u8 >= threshold()
}

/// Writes one log line with extra key/value fields, if `level` is enabled.
pub fn log(level: Level, message: &str, fields: &[(&str, &str)]) {
    if !enabled(level) {
        return;
    }
    let line = format_line(level, message, fields, SystemTime::now());
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

fn format_line(level: Level, message: &str, fields: &[(&str, &str)], now: SystemTime) -> String {
    let mut s = String::with_capacity(128 + message.len());
    let module = MODULE.get().map_or("provider", String::as_str);
    s.push_str("{\"@level\":\"");
    s.push_str(level.name());
    s.push_str("\",\"@message\":");
    crate::value::write_json_string(&mut s, message);
    s.push_str(",\"@module\":");
    crate::value::write_json_string(&mut s, module);
    s.push_str(",\"@timestamp\":\"");
    s.push_str(&rfc3339(now));
    s.push('"');
    for (k, v) in fields {
        if k.starts_with('@') {
            continue;
        }
        s.push(',');
        crate::value::write_json_string(&mut s, k);
        s.push(':');
        crate::value::write_json_string(&mut s, v);
    }
    s.push_str("}\n");
    s
}

/// `2006-01-02T15:04:05.000000Z` (UTC, microseconds), as hclog writes it.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_micros()
    )
}

/// Logs at trace level.
pub fn trace(message: &str, fields: &[(&str, &str)]) {
    log(Level::Trace, message, fields);
}

/// Logs at debug level.
pub fn debug(message: &str, fields: &[(&str, &str)]) {
    log(Level::Debug, message, fields);
}

/// Logs at info level.
pub fn info(message: &str, fields: &[(&str, &str)]) {
    log(Level::Info, message, fields);
}

/// Logs at warn level.
pub fn warn(message: &str, fields: &[(&str, &str)]) {
    log(Level::Warn, message, fields);
}

/// Logs at error level.
pub fn error(message: &str, fields: &[(&str, &str)]) {
    log(Level::Error, message, fields);
}

/// Forwards records of the `log` crate facade to `TF_LOG`: every level for targets that start
/// with one of `own_targets` (the provider's crates), warnings and errors only for everything
/// else, because libraries' debug and trace lines (HTTP/2 frames, TLS records) are noise at
/// best and may carry request headers, credentials included, at worst. Call it once, before
/// [`crate::serve()`]; a second call, or another logger already installed, changes nothing.
pub fn forward_log_crate(own_targets: &'static [&'static str]) {
    static FACADE: OnceLock<Facade> = OnceLock::new();
    let facade = FACADE.get_or_init(|| Facade { own_targets });
    if ::log::set_logger(facade).is_ok() {
        ::log::set_max_level(match threshold() {
            1 => ::log::LevelFilter::Trace,
            2 => ::log::LevelFilter::Debug,
            3 => ::log::LevelFilter::Info,
            4 => ::log::LevelFilter::Warn,
            5 => ::log::LevelFilter::Error,
            _ => ::log::LevelFilter::Off,
        });
    }
}

struct Facade {
    own_targets: &'static [&'static str],
}

impl Facade {
    fn level_of(&self, metadata: &::log::Metadata<'_>) -> Option<Level> {
        let level = match metadata.level() {
            ::log::Level::Trace => Level::Trace,
            ::log::Level::Debug => Level::Debug,
            ::log::Level::Info => Level::Info,
            ::log::Level::Warn => Level::Warn,
            ::log::Level::Error => Level::Error,
        };
        let own = self
            .own_targets
            .iter()
            .any(|t| metadata.target().starts_with(t));
        (enabled(level) && (own || level >= Level::Warn)).then_some(level)
    }
}

impl ::log::Log for Facade {
    fn enabled(&self, metadata: &::log::Metadata<'_>) -> bool {
        self.level_of(metadata).is_some()
    }

    fn log(&self, record: &::log::Record<'_>) {
        let Some(level) = self.level_of(record.metadata()) else {
            return;
        };
        struct Collect(Vec<(String, String)>);
        impl<'kvs> ::log::kv::VisitSource<'kvs> for Collect {
            fn visit_pair(
                &mut self,
                key: ::log::kv::Key<'kvs>,
                value: ::log::kv::Value<'kvs>,
            ) -> Result<(), ::log::kv::Error> {
                self.0.push((key.to_string(), value.to_string()));
                Ok(())
            }
        }
        let mut fields = Collect(vec![("target".to_owned(), record.target().to_owned())]);
        let _ = record.key_values().visit(&mut fields);
        let fields: Vec<(&str, &str)> = fields
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        log(level, &record.args().to_string(), &fields);
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn lines_are_hclog_json() {
        let t = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        let line = format_line(Level::Debug, "hello \"x\"", &[("id", "td-1")], t);
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["@level"], "debug");
        assert_eq!(v["@message"], "hello \"x\"");
        assert_eq!(v["@timestamp"], "2023-11-14T22:13:20.123456Z");
        assert_eq!(v["id"], "td-1");
        assert!(line.ends_with("}\n"));
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000000Z"
        );
    }

    #[test]
    fn tf_log_values_map_to_levels() {
        assert_eq!(Level::from_env_value("JSON"), Some(Level::Trace));
        assert_eq!(Level::from_env_value("warn"), Some(Level::Warn));
        assert_eq!(Level::from_env_value("off"), None);
        assert_eq!(Level::from_env_value(""), None);
    }
}
