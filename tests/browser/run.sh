#!/usr/bin/env bash
# Browser tests for a built curricula site (accessibility, layout, keyboard,
# file://, headings). See README.md in this folder.
#
#   SITE_DIR=/tmp/site-bundled FIXTURE_SITE_DIR=/tmp/site-fixture ./run.sh [test files…]
#
# SITE_DIR          the bundled site (default: ../../public)
# FIXTURE_SITE_DIR  the site built from tests/fixtures/valid (its tests are
#                   skipped when unset)
# LARGE_SITE_DIR    a large synthetic site (`cargo run --example synth -- DIR`,
#                   then built): its split A–Z lists (skipped when unset)
# CURRICULA_BIN     the curricula binary, for the `serve` live-reload tests
#                   (skipped when unset)
# CHROMIUM          browser binary (default: /usr/bin/chromium)
# TEST_CONCURRENCY  test files run in parallel (default: node's, CPUs - 1)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# relative paths are meant from where the script was called
abs() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
export SITE_DIR="$(abs "${SITE_DIR:-$here/../../public}")"
if [[ -n "${FIXTURE_SITE_DIR:-}" ]]; then export FIXTURE_SITE_DIR="$(abs "$FIXTURE_SITE_DIR")"; fi
cd "$here"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [[ ! -d node_modules/playwright-core || ! -d node_modules/axe-core ]]; then
  echo "==> installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

if [[ ! -x "$CHROMIUM" ]]; then
  echo "error: no browser at $CHROMIUM (set CHROMIUM=/path/to/chromium)" >&2
  exit 2
fi
if [[ ! -f "$SITE_DIR/index.html" ]]; then
  echo "error: SITE_DIR=$SITE_DIR holds no built site (no index.html)." >&2
  echo "  build it, from the repository root: cargo build --release && ./target/release/curricula build --output /tmp/site-bundled" >&2
  exit 2
fi
if [[ -z "${FIXTURE_SITE_DIR:-}" ]]; then
  echo "warning: FIXTURE_SITE_DIR is not set: the fixture-site tests are SKIPPED." >&2
  echo "  build it, from the repository root: ./target/release/curricula build --root tests/fixtures/valid --output /tmp/site-fixture" >&2
elif [[ ! -f "$FIXTURE_SITE_DIR/index.html" ]]; then
  echo "error: FIXTURE_SITE_DIR=$FIXTURE_SITE_DIR holds no built site (no index.html)." >&2
  exit 2
fi

tap="$(mktemp "${TMPDIR:-/tmp}/curricula-browser-tests.XXXXXX")"
trap 'rm -f "$tap"' EXIT

args=(--test --test-timeout=180000 --test-reporter=spec --test-reporter-destination=stdout
      --test-reporter=tap --test-reporter-destination="$tap")
if [[ -n "${TEST_CONCURRENCY:-}" ]]; then args+=(--test-concurrency="$TEST_CONCURRENCY"); fi

echo "==> SITE_DIR=$SITE_DIR"
echo "==> FIXTURE_SITE_DIR=${FIXTURE_SITE_DIR:-(unset)}"
echo "==> chromium: $("$CHROMIUM" --version 2>/dev/null | head -1)"
start=$(date +%s)
status=0
node "${args[@]}" "$@" || status=$?
secs=$(( $(date +%s) - start ))

count() { grep -E "^# $1 [0-9]+" "$tap" | tail -1 | awk '{print $3}'; }
echo
echo "================ browser test summary ================"
printf '  tests %s | passed %s | failed %s | skipped %s | cancelled %s\n' \
  "$(count tests)" "$(count pass)" "$(count fail)" "$(count skipped)" "$(count cancelled)"
printf '  took %ss\n' "$secs"
if [[ -z "${FIXTURE_SITE_DIR:-}" ]]; then echo "  NOTE: fixture-site suites were SKIPPED (FIXTURE_SITE_DIR unset)"; fi
if [[ $status -eq 0 ]]; then
  echo "  RESULT: PASS"
else
  echo "  RESULT: FAIL (exit $status) – failing tests and their messages are listed above under \"failing tests\""
fi
echo "======================================================"
exit $status
