//! The example provider under a real Terraform (TF_ACC=1, TF_ACC_TERRAFORM_PATH): init, apply,
//! an empty plan, an in-place update, a replacement, destroy, through `dev_overrides`.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::Command;

fn terraform(tf: &str, cli_config: &Path, dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(tf)
        .args(args)
        .arg("-no-color")
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn config(store: &Path, description: &str, name: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    tfexample = {{ source = "example/tfexample" }}
  }}
}}
provider "tfexample" {{ directory = "{}" }}
resource "tfexample_thing" "a" {{
  name        = "{name}"
  description = "{description}"
}}
data "tfexample_echo" "e" {{ input = tfexample_thing.a.name }}
output "echo" {{ value = data.tfexample_echo.e.output }}
"#,
        store.display()
    )
}

#[test]
fn example_provider_under_real_terraform() {
    if std::env::var("TF_ACC").ok().as_deref() != Some("1") {
        eprintln!("skipped: set TF_ACC=1 (and TF_ACC_TERRAFORM_PATH) to run Terraform");
        return;
    }
    let tf = std::env::var("TF_ACC_TERRAFORM_PATH").unwrap_or_else(|_| "terraform".into());
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    let work = tmp.path().join("work");
    let store = tmp.path().join("store");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    std::fs::copy(
        common::example_binary(),
        bin.join("terraform-provider-tfexample"),
    )
    .unwrap();
    let cli = tmp.path().join("cli.tfrc");
    std::fs::write(
        &cli,
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"example/tfexample\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            bin.display()
        ),
    )
    .unwrap();
    let write =
        |d: &str, n: &str| std::fs::write(work.join("main.tf"), config(&store, d, n)).unwrap();

    write("first", "a");
    let (code, out) = terraform(&tf, &cli, &work, &["apply", "-auto-approve"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 added") && out.contains("echo = \"A\""),
        "{out}"
    );
    let (code, out) = terraform(&tf, &cli, &work, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "the plan after apply is empty: {out}");

    write("second", "a");
    let (code, out) = terraform(&tf, &cli, &work, &["apply", "-auto-approve"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 added, 1 changed"),
        "updated in place: {out}"
    );

    write("second", "b");
    let (code, out) = terraform(&tf, &cli, &work, &["apply", "-auto-approve"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 added, 0 changed, 1 destroyed"),
        "replaced: {out}"
    );
    let (code, out) = terraform(&tf, &cli, &work, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");

    let (code, out) = terraform(&tf, &cli, &work, &["destroy", "-auto-approve"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_dir(&store).unwrap().count(),
        0,
        "every thing is deleted"
    );
}
