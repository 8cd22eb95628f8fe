#!/usr/bin/env bash
# The demo: the function app end to end on the shipped sample data, on this machine, in about a minute.
#   1. installs Azurite into node_modules (npm ci) if needed, builds the function app and the astro CLI (Release);
#   2. starts Azurite on 127.0.0.1 (free ports, in memory) and the function host (a child process, its own free port);
#   3. `astro demo`: publishes every package in models/, uploads samples/catalogs/* and samples/cutouts/* (one input
#      through an Event Grid BlobCreated event on the blob-events queue, the rest through the blob trigger), waits for
#      the predictions, calls /api/health, /api/models and /api/predict, prints the results and where the outputs are
#      (blobs in Azurite, local copies in demo-output/);
#   4. stops the host and Azurite (also on Ctrl-C or failure).
# Needs the .NET 10 SDK and node/npm. Exit code 0 on success; otherwise one line saying why (logs in demo-output/logs/).
# Optional: DEMO_TIMEOUT (seconds to wait for the predictions, default 150), ASTRO_DEMO_BUILD_DIR (build into this
# folder instead of the projects' bin/Release, e.g. while other processes run the astro CLI from there),
# ASTRO_DEMO_MODELS / ASTRO_DEMO_SAMPLES (other model and sample folders).
set -euo pipefail
cd "$(dirname "$0")"
root="$(pwd)"
started=$(date +%s)
out="$root/demo-output"
work="$(mktemp -d "${TMPDIR:-/tmp}/astro-demo.XXXXXX")"
host_pid=""
azurite_pid=""

say() { printf '[demo %3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }

stop() {
  local pid="$1" name="$2" grace="$3"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  # Azurite waits for idle keep-alive connections on SIGTERM; it holds nothing worth waiting for (in memory).
  [ "$name" = Azurite ] || echo "demo: $name (pid $pid) did not stop within $grace s; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop "$host_pid" "the function host" 15
  stop "$azurite_pid" Azurite 2
  mkdir -p "$out/logs"
  for f in host.log azurite.log build.log npm.log; do [ -f "$work/$f" ] && cp "$work/$f" "$out/logs/$f"; done
  rm -rf "$work"
  if [ "$rc" -eq 0 ]; then
    say "stopped the host and Azurite; finished in $(( $(date +%s) - started )) s"
  else
    echo "demo: failed (exit $rc) after $(( $(date +%s) - started )) s; logs in demo-output/logs/" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT TERM

command -v dotnet >/dev/null || fail "the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK"
command -v node >/dev/null || fail "node is not on PATH; install Node.js (Azurite, the storage emulator, runs on it)"
models="${ASTRO_DEMO_MODELS:-models}"; samples="${ASTRO_DEMO_SAMPLES:-samples}"
[ -d "$models" ] || fail "$models/ is missing (the default model packages; scripts/make-default-models.sh re-creates them)"
[ -d "$samples" ] || fail "$samples/ is missing"

# 1. Azurite and the builds.
if [ ! -x node_modules/.bin/azurite ]; then
  command -v npm >/dev/null || fail "npm is not on PATH; install Node.js with npm"
  say "installing Azurite (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1 || fail "npm ci failed: $(tail -n 1 "$work/npm.log")"
fi
say "building the function app and the astro CLI (Release)"
if [ -n "${ASTRO_DEMO_BUILD_DIR:-}" ]; then
  ASTRO_DEMO_BUILD_DIR="$(mkdir -p "$ASTRO_DEMO_BUILD_DIR" && cd "$ASTRO_DEMO_BUILD_DIR" && pwd)"
  functions_dll="$ASTRO_DEMO_BUILD_DIR/functions/Astro.Functions.dll"; astro_dll="$ASTRO_DEMO_BUILD_DIR/trainer/astro.dll"
  build_functions=(-o "$ASTRO_DEMO_BUILD_DIR/functions"); build_trainer=(-o "$ASTRO_DEMO_BUILD_DIR/trainer")
else
  functions_dll="$root/functions/bin/Release/net10.0/Astro.Functions.dll"; astro_dll="$root/trainer/bin/Release/net10.0/astro.dll"
  build_functions=(); build_trainer=()
fi
for p in functions trainer; do
  if [ "$p" = functions ]; then extra=("${build_functions[@]}"); else extra=("${build_trainer[@]}"); fi
  if ! dotnet build "$p" -c Release --nologo -v quiet "${extra[@]}" >>"$work/build.log" 2>&1; then
    fail "dotnet build $p failed: $(grep -m1 -E 'error [A-Z]+[0-9]+' "$work/build.log" || tail -n 1 "$work/build.log")"
  fi
done

# 2. Azurite on free ports, in memory; then the host.
read -r blob_port queue_port table_port http_port < <(node -e '
  const net = require("net"); const ports = [];
  (function next() {
    if (ports.length === 4) { console.log(ports.join(" ")); return; }
    const s = net.createServer(); s.listen(0, "127.0.0.1", () => { ports.push(s.address().port); s.close(next); });
  })();')
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
(cd "$work" && exec "$root/node_modules/.bin/azurite" --inMemoryPersistence --skipApiVersionCheck --silent \
  --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port") >"$work/azurite.log" 2>&1 &
azurite_pid=$!
disown "$azurite_pid"
for _ in $(seq 1 300); do
  listening "$blob_port" && listening "$queue_port" && break
  kill -0 "$azurite_pid" 2>/dev/null || fail "Azurite exited at start: $(tail -n 1 "$work/azurite.log")"
  sleep 0.1
done
listening "$blob_port" || fail "Azurite did not listen on 127.0.0.1:$blob_port within 30 s"
say "Azurite listening on 127.0.0.1:$blob_port (blob), :$queue_port (queue), in memory (pid $azurite_pid)"

key="AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;$key;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
function_key="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
(cd "$work" && exec env \
  AzureWebJobsStorage="$conn" \
  Astro__Http__Port="$http_port" \
  Astro__Http__FunctionKey="$function_key" \
  Astro__Catalogs__ChunkRows=16 \
  Astro__Catalogs__WorkDirectory="$work/host-work" \
  Astro__Models__CacheDirectory="$work/model-cache" \
  Astro__Queues__MaxPollingInterval=00:00:00.500 \
  Astro__Functions__DisableTimer=true \
  dotnet "$functions_dll") >"$work/host.log" 2>&1 &
host_pid=$!
disown "$host_pid"
say "function host starting on http://127.0.0.1:$http_port (pid $host_pid; catalogs are split into chunks of 16 rows)"

# 3. The demo itself (it waits for the host, and stops waiting if the host exits).
rm -rf "$out"
dotnet "$astro_dll" demo --connection "$conn" --url "http://127.0.0.1:$http_port" --key "$function_key" \
  --models "$models" --samples "$samples" --output demo-output --timeout "${DEMO_TIMEOUT:-150}" \
  --host-pid "$host_pid" --host-log "$work/host.log"
