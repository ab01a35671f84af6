//! `cargo run -p xtask -- <task>`: the project's chores, in Rust because no Go tooling is
//! available here. The GNUmakefile calls these; see `make help`.
//!
//! | task | module |
//! |---|---|
//! | `docs`, `docs-check` | [`docs`]: registry docs from the provider's schemas, `examples/` and `templates/` |
//! | `release` | [`release`]: zips, manifest, SHA256SUMS and signature in the registry's naming |

mod docs;
mod release;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprintln!("usage: cargo run -p xtask -- <docs|docs-check|release> [args]");
        return ExitCode::from(2);
    };
    let result = match task.as_str() {
        "docs" => docs::run(false, rest),
        "docs-check" => docs::run(true, rest),
        "release" => release::run(rest),
        other => Err(format!(
            "unknown task `{other}`; expected docs, docs-check or release"
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
