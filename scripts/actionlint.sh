#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint (a Go module, fetched through the Go module
# proxy and cached by the Go build cache; no binary download). shellcheck and pyflakes checks of
# `run:` scripts are applied when those tools are on PATH and skipped otherwise.
# Usage: scripts/actionlint.sh [workflow files...]   (default: every .github/workflows/*.yml|yaml)
set -euo pipefail

# File arguments are relative to the caller's directory: make them absolute before changing to the
# repository root.
files=()
for f in "$@"; do
  if [[ ! -f "$f" ]]; then
    echo "actionlint: no such file: $f" >&2
    exit 1
  fi
  files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done
set -- ${files[@]+"${files[@]}"}

cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
ACTIONLINT="${ACTIONLINT:-github.com/rhysd/actionlint/cmd/actionlint@v1.7.12}"

if (( $# == 0 )); then
  shopt -s nullglob
  set -- .github/workflows/*.yml .github/workflows/*.yaml
  if (( $# == 0 )); then
    echo "actionlint: no workflows under .github/workflows" >&2
    exit 1
  fi
fi
go run "$ACTIONLINT" -no-color "$@"
echo "actionlint: ok ($# files)"
