#!/usr/bin/env bash
# Benchmark of tfplugin's protocol layer against the Go provider hashicorp/null v2.1.2, both
# under the same Terraform CLI (DESIGN.md §6; issue 3, "Performance"). Not a test: never part
# of `make test`. No network, no `terraform init`: both providers come in through dev_overrides.
#
# Usage: scripts/bench-protocol.sh [-r REPEATS] [-s STARTS] [N ...]
#   N        resource counts (default: 1 100 1000)
#   -r R     apply/plan/destroy workflows per provider and N (default 3)
#   -s S     process starts per provider for the start-up figure (default 30)
# Env: TERRAFORM (default tools/bin/terraform), NULL_PROVIDER (default the setup.sh download),
#      KEEP=1 keeps the temp dir for inspection.
#
# Prints a markdown table: median and min–max of each step (apply, plan, destroy) and of the
# whole cycle (wall time), and the cycle's CPU time, per provider and N, with the ratio ours/null
# of the medians; then start-up to the handshake line (with PLUGIN_CLIENT_CERT set, P-521 like
# Terraform's) and peak RSS (VmHWM) right after the handshake.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repeats=3
starts=30
while getopts "r:s:h" opt; do
  case "$opt" in
    r) repeats=$OPTARG ;;
    s) starts=$OPTARG ;;
    h) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) sed -n '7,10p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 100 1000)
for n in "${counts[@]}" "$repeats" "$starts"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench: '$n' is not a positive integer" >&2; exit 2; }
done

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

terraform=${TERRAFORM:-$repo/tools/bin/terraform}
null_src=${NULL_PROVIDER:-$repo/tools/null-provider/terraform-provider-null_v2.1.2_x4}
[ -x "$terraform" ] || die "no Terraform CLI at $terraform (run scripts/setup.sh)"
[ -x "$null_src" ] || die "no null provider at $null_src (run scripts/setup.sh --null)"
command -v python3 >/dev/null || die "python3 is needed for timing"
command -v openssl >/dev/null || die "openssl is needed for the client certificate"

say "building the example provider (release)"
(cd "$repo" && cargo build --release --locked -p tfplugin --example tfexample >&2)
ours_src=$repo/target/release/examples/tfexample

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-protocol.XXXXXX")
cleanup() { if [ "${KEEP:-}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
mkdir -p "$tmp/ours-bin" "$tmp/null-bin" "$tmp/sock"
cp "$ours_src" "$tmp/ours-bin/terraform-provider-tfexample"
# Terraform 1.0's dev_overrides take any executable named terraform-provider-TYPE* in the
# directory, so the Go binary keeps its release name.
cp "$null_src" "$tmp/null-bin/$(basename "$null_src")"
cat >"$tmp/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "example/tfexample" = "$tmp/ours-bin"
    "hashicorp/null"    = "$tmp/null-bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE=$tmp/cli.tfrc TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
# Both providers put their plugin sockets under TMPDIR; a killed Go provider leaves its socket.
export TMPDIR=$tmp/sock
unset TF_LOG TF_LOG_PATH TF_LOG_PROVIDER TF_LOG_CORE TF_PLUGIN_CACHE_DIR TF_DATA_DIR || true

tf_version=$("$terraform" version | head -n1)
results=$tmp/results.tsv
: >"$results"

# config PROVIDER N DIR STORE: N resources of the provider in DIR/main.tf
config() {
  local p=$1 n=$2 dir=$3 store=$4 i
  {
    if [ "$p" = ours ]; then
      printf 'terraform {\n  required_providers {\n    tfexample = { source = "example/tfexample" }\n  }\n}\n'
      printf 'provider "tfexample" { directory = "%s" }\n' "$store"
      for ((i = 1; i <= n; i++)); do
        printf 'resource "tfexample_thing" "t%d" { name = "t%d" }\n' "$i" "$i"
      done
    else
      printf 'terraform {\n  required_providers {\n    null = { source = "hashicorp/null" }\n  }\n}\n'
      for ((i = 1; i <= n; i++)); do
        printf 'resource "null_resource" "t%d" {\n  triggers = { name = "t%d" }\n}\n' "$i" "$i"
      done
    fi
  } >"$dir/main.tf"
}

# Runs a command with its output to $1, prints "EXIT WALL CPU": wall seconds, and the user+sys
# CPU seconds of the command and its children (Terraform and the providers it started), which
# background load on the machine disturbs less than wall time.
cat >"$tmp/timed.py" <<'PY'
import os, subprocess, sys, time
log = open(sys.argv[1], "wb")
c0, t0 = os.times(), time.perf_counter()
rc = subprocess.call(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
t1, c1 = time.perf_counter(), os.times()
cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
print(rc, f"{t1 - t0:.4f}", f"{cpu:.2f}")
PY

# step PROVIDER N REP STEP EXPECTED_EXIT terraform-args...: times one command, records it
step() {
  local p=$1 n=$2 rep=$3 name=$4 want=$5 rc wall cpu
  shift 5
  read -r rc wall cpu < <(python3 "$tmp/timed.py" "$work/$name.log" \
    "$terraform" "$@" -no-color -input=false)
  if [ "$rc" != "$want" ]; then
    tail -n 30 "$work/$name.log" >&2
    die "$p N=$n: terraform $name exited $rc, expected $want"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$p" "$n" "$rep" "$name" "$wall" >>"$results"
  printf '%s\t%s\t%s\t%s\t%s\n' "$p" "$n" "$rep" "cpu" "$cpu" >>"$results"
}

for n in "${counts[@]}"; do
  for ((rep = 1; rep <= repeats; rep++)); do
    # Interleaved, so background load on the machine hits both providers alike.
    for p in ours null; do
      work=$tmp/work-$p-$n-$rep
      store=$tmp/store-$p-$n-$rep
      mkdir -p "$work"
      config "$p" "$n" "$work" "$store"
      cd "$work"
      say "$p N=$n run $rep/$repeats"
      step "$p" "$n" "$rep" apply 0 apply -auto-approve
      grep -q "Apply complete! Resources: $n added" "$work/apply.log" ||
        die "$p N=$n: apply did not add $n resources"
      step "$p" "$n" "$rep" plan 0 plan -detailed-exitcode
      step "$p" "$n" "$rep" destroy 0 destroy -auto-approve
      grep -q "Destroy complete! Resources: $n destroyed" "$work/destroy.log" ||
        die "$p N=$n: destroy did not destroy $n resources"
      if [ "$p" = ours ] && [ -n "$(ls -A "$store")" ]; then
        die "ours N=$n: the store is not empty after destroy"
      fi
      cd "$tmp"
      rm -rf "$work" "$store"
    done
  done
done

say "start-up: $starts starts per provider"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -nodes -days 1 \
  -keyout "$tmp/client-key.pem" -out "$tmp/client-cert.pem" -subj "/O=HashiCorp/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign" \
  -addext "extendedKeyUsage=clientAuth,serverAuth" 2>/dev/null

python3 - "$starts" "$tmp/client-cert.pem" "$results" \
  "ours" "$tmp/ours-bin/terraform-provider-tfexample" 6 \
  "null" "$tmp/null-bin/$(basename "$null_src")" 5 <<'PY'
import os, signal, subprocess, sys, time
starts, cert_path, results = int(sys.argv[1]), sys.argv[2], sys.argv[3]
specs = [sys.argv[i:i + 3] for i in range(4, len(sys.argv), 3)]
cert = open(cert_path).read()
out = open(results, "a")
def hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")
for i in range(starts):
    for name, binary, proto in specs:  # interleaved, like the workflows
        env = dict(os.environ,
                   TF_PLUGIN_MAGIC_COOKIE="d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
                   PLUGIN_PROTOCOL_VERSIONS=proto, PLUGIN_CLIENT_CERT=cert)
        t0 = time.perf_counter()
        p = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = p.stdout.readline().decode()
        t1 = time.perf_counter()
        rss = hwm_kib(p.pid)
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill(); p.wait()
        fields = line.strip().split("|")
        if len(fields) < 6 or fields[0] != "1" or fields[1] != proto or fields[4] != "grpc" or not fields[5]:
            sys.exit(f"bench: {name}: unexpected handshake line {line!r}")
        out.write(f"{name}\t-\t{i + 1}\tstartup\t{t1 - t0:.6f}\n")
        out.write(f"{name}\t-\t{i + 1}\trss_kib\t{rss}\n")
PY

python3 - "$results" "$tf_version" "$(nproc)" "$repeats" "$starts" "${counts[*]}" <<'PY'
import statistics, sys
from collections import defaultdict
results, tf_version, nproc, repeats, starts, counts = sys.argv[1:7]
data = defaultdict(list)  # (provider, n, step) -> values
sums = defaultdict(float)  # (provider, n, rep, what) -> seconds over the three steps
for line in open(results):
    p, n, rep, step, v = line.split("\t")
    if step == "cpu":
        sums[(p, n, rep, "cycle_cpu")] += float(v)
        continue
    data[(p, n, step)].append(float(v))
    if step in ("apply", "plan", "destroy"):
        sums[(p, n, rep, "cycle")] += float(v)
for (p, n, rep, what), v in sums.items():
    data[(p, n, what)].append(v)
med = lambda k: statistics.median(data[k])
def cell(k, fmt):
    v = data[k]
    return f"{fmt(statistics.median(v))} ({fmt(min(v))}–{fmt(max(v))})"
secs = lambda x: f"{x:.2f} s"
print(f"Terraform: {tf_version}; hashicorp/null v2.1.2 (protocol 5) vs tfplugin example (protocol 6); "
      f"N = {counts}; R = {repeats} workflows each; {starts} starts each; nproc = {nproc}; "
      f"-parallelism default (10). Median (min–max).\n")
print("| N | step | ours | null | ours/null |")
print("|---|---|---|---|---|")
for n in counts.split():
    for step in ("apply", "plan", "destroy", "cycle", "cycle_cpu"):
        o, g = ("ours", n, step), ("null", n, step)
        label = {"cycle": "**apply+plan+destroy**",
                 "cycle_cpu": "cycle CPU (user+sys, Terraform+provider)"}.get(step, step)
        print(f"| {n} | {label} | {cell(o, secs)} | {cell(g, secs)} | {med(o) / med(g):.2f}× |")
ms = lambda x: f"{x * 1000:.1f} ms"
mib = lambda x: f"{x / 1024:.1f} MiB"
o, g = ("ours", "-", "startup"), ("null", "-", "startup")
print(f"| – | start-up to handshake (mTLS) | {cell(o, ms)} | {cell(g, ms)} | {med(o) / med(g):.2f}× |")
o, g = ("ours", "-", "rss_kib"), ("null", "-", "rss_kib")
print(f"| – | peak RSS after handshake | {cell(o, mib)} | {cell(g, mib)} | {med(o) / med(g):.2f}× |")
PY
