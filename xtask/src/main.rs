//! `cargo run -p xtask -- <task>`: the project's chores, in Rust because no Go tooling is
//! available here. The GNUmakefile calls these; see `make help`.
//!
//! | task | module |
//! |---|---|
//! | `docs`, `docs-check` | [`docs`]: registry docs from the provider's schemas, `examples/` and `templates/` |
//! | `release` | [`release`]: zips, manifest, SHA256SUMS and signature in the registry's naming |
//! | `bench` | [`bench`](mod@bench): the provider against the Go `hashicorp/null` provider (`make bench`, release build) |

mod bench;
mod docs;
mod release;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    // The benchmark links this binary under provider names to measure the processes Terraform
    // starts: started that way, it is that wrapper and nothing else.
    if let Some(code) = bench::run_as_wrapper() {
        return code;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprintln!("usage: cargo run -p xtask -- <docs|docs-check|release|bench> [args]");
        return ExitCode::from(2);
    };
    let result = match task.as_str() {
        "docs" => docs::run(false, rest),
        "docs-check" => docs::run(true, rest),
        "release" => release::run(rest),
        "bench" => bench::run(rest),
        other => Err(format!(
            "unknown task `{other}`; expected docs, docs-check, release or bench"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {task}: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}
