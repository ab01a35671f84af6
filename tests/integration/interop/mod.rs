//! What the provider renders, read by independent tools; each test says it was skipped when its
//! tool is not installed.

mod keys;
mod server_monitoring_promtool;
