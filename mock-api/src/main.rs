//! `spirl-mock-api`: serves the mock control-plane API; see `--help`.

use clap::Parser as _;
use spirl_mock_api::MockError;
use spirl_mock_api::cli::{Args, run};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // clap prints its own message and exits with 2 on a bad flag.
    let args = Args::parse();
    match run(args, std::io::stdout()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spirl-mock-api: {error}");
            match error {
                MockError::Config(_) => std::process::ExitCode::from(2),
                _ => std::process::ExitCode::FAILURE,
            }
        }
    }
}
