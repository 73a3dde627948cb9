#!/usr/bin/env bash
# Checks the k6 scripts without k6 (it cannot be obtained where this suite runs), with Node >= 20:
#   1. syntax: every k6/*.js and k6/lib/*.js is parsed as an ES module (`node --check` on a .mjs
#      copy; imports of k6/... modules are not resolved by a syntax check);
#   2. stub smoke (k6/test/smoke.mjs): each scenario's init code and a few hundred iterations run
#      against stub k6 modules, checking options, gRPC method names, one connection per VU, event
#      ids/timestamps, claims, auth headers and the e2e probe. Skip with CHECK_K6_SYNTAX_ONLY=1.
# Usage: scripts/check-k6.sh [k6-dir]   (default: the repository's k6/). Exits non-zero on failure.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
k6dir="$(cd "${1:-$root/k6}" && pwd)"
node="${NODE:-node}"

if ! command -v "$node" >/dev/null 2>&1; then
  echo "check-k6: node not found (need Node >= 20; set NODE=/path/to/node)" >&2
  exit 1
fi
major="$("$node" -p 'process.versions.node.split(".")[0]')"
if (( major < 20 )); then
  echo "check-k6: Node $("$node" --version) is too old (need >= 20)" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
files=("$k6dir"/*.js "$k6dir"/lib/*.js)
if (( ${#files[@]} == 0 )); then
  echo "check-k6: no scripts under $k6dir" >&2
  exit 1
fi

fail=0
for f in "${files[@]}"; do
  rel="${f#"$k6dir"/}"
  copy="$tmp/${rel%.js}.mjs"
  mkdir -p "$(dirname "$copy")"
  cp "$f" "$copy"
  if out="$("$node" --check "$copy" 2>&1)"; then
    echo "syntax ok   k6/$rel"
  else
    echo "syntax FAIL k6/$rel" >&2
    # Point the error at the original file, not the temporary copy.
    printf '%s\n' "${out//"$copy"/k6/$rel}" >&2
    fail=1
  fi
done
for f in "$k6dir"/test/*.mjs "$k6dir"/test/stubs/*.mjs; do
  if ! "$node" --check "$f"; then
    echo "syntax FAIL ${f#"$k6dir"/}" >&2
    fail=1
  fi
done
if (( fail )); then
  echo "check-k6: syntax errors" >&2
  exit 1
fi

if [[ "${CHECK_K6_SYNTAX_ONLY:-}" == 1 ]]; then
  echo "check-k6: syntax ok (stub smoke skipped)"
  exit 0
fi
"$node" --import "$root/k6/test/register.mjs" "$root/k6/test/smoke.mjs" "$k6dir"
echo "check-k6: ok"
