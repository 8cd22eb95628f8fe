#!/usr/bin/env bash
# Runs every test of the solution. Installs what the tests need first (Debian tools that serve as
# reference implementations), so it works on a fresh machine. Prints "N passed, N failed" last.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v fitsverify >/dev/null 2>&1 || need+=(fitsverify)
# Reference implementations some tests compare against (onnx.checker).
/usr/bin/python3 -c "import onnx" >/dev/null 2>&1 || need+=(python3-onnx)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]} (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Azurite (storage emulator) for the function-app integration tests, pinned in package-lock.json.
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test Functions.sln --nologo -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

# Sum the outcome counters of every test assembly's TRX report.
python3 - "$results" <<'PY'
import glob, re, sys
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    text = open(path, encoding="utf-8").read()
    m = re.search(r'<Counters [^>]*', text)
    if not m:
        continue
    c = dict(re.findall(r'(\w+)="(\d+)"', m.group(0)))
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("total", 0)) - int(c.get("executed", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
