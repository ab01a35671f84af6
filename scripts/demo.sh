#!/usr/bin/env bash
# The ALB guide's flow (examples/demo/) applied against a local mock control plane.
#
#   scripts/demo.sh up     set up, build, start the mock (or reuse it), plan and apply, print
#                          the outputs; run it again and the plan shows no changes
#   scripts/demo.sh down   destroy what `up` created and stop the mock; safe to run twice
#   scripts/demo.sh stop   only stop the mock (what `make clean` runs before deleting .demo/)
#
# Everything it writes lives in DEMO_DIR (default .demo/ in the repository, git-ignored): the
# Terraform working directory and state, the CLI config with dev_overrides, and the mock's data
# directory, pid file, log and credentials file.
#
# Environment:
#   DEMO_DIR               where the demo keeps its files (default: <repo>/.demo)
#   DEMO_LISTEN            the mock's address (default 127.0.0.1:24680, or the address of the
#                          previous run)
#   TF_ACC_TERRAFORM_PATH  the Terraform CLI to use (else `terraform` on PATH, else what
#                          scripts/setup.sh installs); the demo needs Terraform 1.0.6 or later
set -euo pipefail
# The state and the plan file hold the demo key pair's private key; the credentials file holds
# the mock's service-account key.
umask 077

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEFAULT_LISTEN=127.0.0.1:24680
MIN_TERRAFORM=1.0.6

demo_dir=${DEMO_DIR:-$repo/.demo}
case "$demo_dir" in /*) ;; *) demo_dir="$PWD/$demo_dir" ;; esac
work="$demo_dir/work"           # Terraform's working directory: config copy, .terraform, state
data_dir="$demo_dir/mock-data"  # the mock's journal
pid_file="$demo_dir/mock.pid"
log_file="$demo_dir/mock.log"
addr_file="$demo_dir/mock.addr" # host:port the mock announced, for restarts on the same port
credentials="$demo_dir/credentials.json"
cli_config="$demo_dir/terraform.tfrc"

say() { printf 'demo: %s\n' "$*" >&2; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2; }

# --- Terraform -------------------------------------------------------------------------------

# Sets $terraform to the CLI scripts/setup.sh found or installed, refusing versions that are too
# old for spirl_trust_domain_deployment.
find_terraform() {
  terraform=$("$repo/scripts/setup.sh") \
    || die "scripts/setup.sh failed (its message is above); fix that and run the demo again"
  [ -x "$terraform" ] || die "scripts/setup.sh printed '$terraform', which is not an executable"
  local version
  version=$(cd / && "$terraform" version 2>/dev/null | sed -n '1s/^Terraform v//p')
  [ -n "$version" ] || die "could not read the version of $terraform"
  if ! version_at_least "$version" "$MIN_TERRAFORM"; then
    die "Terraform v$version ($terraform) is too old: the demo's spirl_trust_domain_deployment \
needs Terraform $MIN_TERRAFORM or later (1.0.0 to 1.0.5 crash on its plan, \
hashicorp/terraform#29473). Install a newer Terraform and put it on PATH, or point \
TF_ACC_TERRAFORM_PATH at one, then run the demo again."
  fi
  say "terraform: $terraform (v$version)"
}

# version_at_least HAVE WANT: true when the dotted version HAVE >= WANT (suffixes like -beta1
# count as the release they precede, which is what the crash fix needs anyway).
version_at_least() {
  local have want i
  IFS=. read -r -a have <<<"${1%%-*}"
  IFS=. read -r -a want <<<"$2"
  for i in 0 1 2; do
    if [ "${have[i]:-0}" -gt "${want[i]:-0}" ]; then return 0; fi
    if [ "${have[i]:-0}" -lt "${want[i]:-0}" ]; then return 1; fi
  done
  return 0
}

# tf ARGS...: Terraform in the demo's working directory, with the demo's CLI config.
tf() {
  (cd "$work" && TF_CLI_CONFIG_FILE="$cli_config" TF_IN_AUTOMATION=1 TF_INPUT=0 \
    CHECKPOINT_DISABLE=1 TF_VAR_credentials_file="$credentials" "$terraform" "$@")
}

# --- build -----------------------------------------------------------------------------------

# Debug profile on purpose: it is what `make test` builds too (so after the tests this is a
# no-op), a fresh debug build takes a fraction of the release profile's (thin LTO, one codegen
# unit), and a handful of API calls do not need optimised code.
build() {
  say "building the provider and the mock: cargo build --locked (debug profile)"
  (cd "$repo" && cargo build --locked -p terraform-provider-spirl -p spirl-mock-api) \
    || die "cargo build failed (the compiler's message is above)"
  local target_dir=${CARGO_TARGET_DIR:-$repo/target}
  case "$target_dir" in /*) ;; *) target_dir="$repo/$target_dir" ;; esac
  bin_dir="$target_dir/debug"
  for bin in terraform-provider-spirl spirl-mock-api; do
    [ -x "$bin_dir/$bin" ] || die "cargo build succeeded but $bin_dir/$bin is missing"
  done
}

write_cli_config() {
  cat >"$cli_config" <<EOF
# Written by scripts/demo.sh: use the provider cargo just built instead of a registry's.
provider_installation {
  dev_overrides {
    "spirl/spirl" = "$bin_dir"
  }
  direct {}
}
EOF
}

# Copies examples/demo/ into the working directory (Terraform keeps .terraform and the state
# beside the configuration, and the repository must stay clean).
sync_config() {
  mkdir -p "$work"
  find "$work" -maxdepth 1 -name '*.tf' -delete
  cp "$repo"/examples/demo/*.tf "$work/"
}

# --- the mock --------------------------------------------------------------------------------

# Prints the pid of the demo's mock when it is running.
running_mock_pid() {
  local pid
  [ -f "$pid_file" ] || return 1
  pid=$(<"$pid_file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # A recycled pid belongs to some other program: only our mock on our data directory counts.
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"spirl-mock-api "*"--data-dir $data_dir "* ]] || return 1
  echo "$pid"
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

busy_port() {
  local other="${1%:*}:$(( ${1##*:} == 65535 ? 24681 : ${1##*:} + 1 ))"
  die "$1 is already in use by another program, so the mock cannot listen there. Stop that \
program, or give the demo another address, for example: DEMO_LISTEN=$other make demo \
(or DEMO_LISTEN=$other scripts/demo.sh up)"
}

# Starts the mock on $listen from the data directory, unless it already runs; sets $endpoint.
ensure_mock() {
  local pid listen recorded
  recorded=""
  if [ -f "$addr_file" ]; then recorded=$(<"$addr_file"); fi
  listen=${DEMO_LISTEN:-${recorded:-$DEFAULT_LISTEN}}
  [[ "$listen" =~ ^[^:]+:[0-9]+$ ]] || die "DEMO_LISTEN='$listen' is not HOST:PORT (for example 127.0.0.1:24681)"
  if pid=$(running_mock_pid); then
    if [ -n "${DEMO_LISTEN:-}" ] && [ "$DEMO_LISTEN" != "$recorded" ]; then
      die "the demo's mock already runs at $recorded (pid $pid), not at DEMO_LISTEN=$DEMO_LISTEN: \
unset DEMO_LISTEN to use it, or tear the demo down first (make demo-destroy)"
    fi
    port_open "${recorded%:*}" "${recorded##*:}" \
      || die "the demo's mock (pid $pid) runs but does not accept connections at $recorded; see $log_file"
    endpoint="$recorded"
    say "mock: reusing the one already running at $endpoint (pid $pid)"
    return
  fi
  port_open "${listen%:*}" "${listen##*:}" && busy_port "$listen"
  mkdir -p "$data_dir"
  say "mock: starting on $listen (data in $data_dir)"
  # Its own session, stdin and output detached: it outlives this script and holds no pipe of
  # whoever ran us open.
  local detach=()
  command -v setsid >/dev/null 2>&1 && detach=(setsid)
  "${detach[@]}" "$bin_dir/spirl-mock-api" --listen "$listen" --data-dir "$data_dir" \
    --credentials-out "$credentials" </dev/null >"$log_file" 2>&1 &
  pid=$!
  echo "$pid" >"$pid_file"
  local line="" tries=0
  while :; do
    line=$(head -n 1 "$log_file" 2>/dev/null || true)
    # `listening on HOST:PORT`: gRPC over plaintext HTTP/2 (h2c), no scheme.
    case "$line" in "listening on "*) break ;; esac
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"
      grep -q 'Address already in use' "$log_file" && busy_port "$listen"
      die "the mock exited at start-up: $(tail -n 5 "$log_file")"
    fi
    tries=$((tries + 1))
    [ "$tries" -le 300 ] || die "the mock (pid $pid) did not announce its address within 30 s; see $log_file"
    sleep 0.1
  done
  endpoint=${line#listening on }
  echo "$endpoint" >"$addr_file"
  say "mock: listening at $endpoint (pid $pid)"
}

# Stops the demo's mock if it runs, waiting until it is gone.
stop_mock() {
  local pid tries=0
  if pid=$(running_mock_pid); then
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
      tries=$((tries + 1))
      if [ "$tries" -gt 100 ]; then
        say "mock: pid $pid ignored SIGTERM for 10 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
    say "mock: stopped (pid $pid)"
  fi
  rm -f "$pid_file"
}

# --- commands --------------------------------------------------------------------------------

up() {
  find_terraform
  mkdir -p "$demo_dir"
  build
  write_cli_config
  sync_config
  ensure_mock

  say "terraform plan (working directory $work)"
  local code=0
  tf plan -input=false -detailed-exitcode -out=demo.tfplan || code=$?
  case "$code" in
    0) say "no changes: the mock and the state already match examples/demo/" ;;
    2) say "terraform apply"
       tf apply -input=false -auto-approve demo.tfplan || die "terraform apply failed (see above)" ;;
    *) die "terraform plan failed (see above)" ;;
  esac
  rm -f "$work/demo.tfplan"

  local admin
  admin=$(sed -n 's/^ *"admin_endpoint": *"\([^"]*\)".*/\1/p' "$credentials")
  echo
  echo "Outputs (sensitive ones stay hidden; read one with: cd $work && terraform output -raw NAME):"
  tf output
  cat <<EOF

What the demo did:
  - built the provider and the mock into $bin_dir
  - mock control plane: gRPC (h2c) at $endpoint (pid $(<"$pid_file")), running in the background
      data directory  $data_dir
      log             $log_file
      credentials     $credentials
      object counts   curl ${admin:-<admin_endpoint in the credentials file>}/_mock/stats
  - applied examples/demo/ (trust domain, key pair, deployment with the key, ALB annotations,
    helm values) in $work, with dev_overrides in $cli_config
Run it again: make demo (the plan shows no changes).
Tear down:    make demo-destroy (scripts/demo.sh down)
EOF
}

down() {
  if [ ! -f "$work/terraform.tfstate" ]; then
    stop_mock
    say "nothing to destroy (no demo state in $work)"
    cleanup
    return
  fi
  find_terraform
  build
  write_cli_config
  sync_config
  ensure_mock
  say "terraform destroy (working directory $work)"
  tf destroy -input=false -auto-approve || die "terraform destroy failed (see above); the mock \
still runs at $endpoint and the state is kept in $work, so fix the problem and run \
scripts/demo.sh down again"
  stop_mock
  cleanup
  say "destroyed the demo's resources, stopped the mock and removed its files from $demo_dir"
}

# Removes the files this script creates (never DEMO_DIR itself unless it is left empty, as it may
# be a directory the user chose).
cleanup() {
  rm -rf "$work" "$data_dir"
  rm -f "$pid_file" "$log_file" "$addr_file" "$credentials" "$cli_config"
  if [ -d "$demo_dir" ]; then rmdir "$demo_dir" 2>/dev/null || true; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  stop) stop_mock ;;
  -h|--help) usage ;;
  *) usage; exit 2 ;;
esac
