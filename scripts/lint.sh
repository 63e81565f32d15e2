#!/usr/bin/env bash
# `npm run lint`: ESLint (typed rules and the layering rules, eslint.config.js), Prettier's check
# (.prettierrc.json) and dpdm's import-cycle check, all three even when one fails so a run shows
# every problem; exits non-zero when any failed. `npm run format` (or scripts/format-all.sh) fixes
# what the first two can fix by themselves.
set -u
cd "$(dirname "$0")/.."
bin=node_modules/.bin
failed=()

step() {
  local name=$1
  shift
  local t0=$SECONDS
  if "$@"; then echo "lint: $name passed ($((SECONDS - t0)) s)"; else echo "lint: $name FAILED ($((SECONDS - t0)) s)"; failed+=("$name"); fi
}

step eslint "$bin/eslint" --max-warnings 0 .
step prettier "$bin/prettier" --check --log-level warn "**/*.{ts,mts,js,mjs,cjs}"
# Type-only and dynamic imports count: a type cycle still ties two modules together (issue 21).
step cycles "$bin/dpdm" --no-warning --no-tree --no-progress --exit-code circular:1 "src/**/*.ts" "providers/**/*.ts" "test/**/*.ts" "bench/**/*.{ts,mts,mjs}" "scripts/**/*.mjs" "*.ts"

if [ ${#failed[@]} -gt 0 ]; then
  echo "lint: failed: ${failed[*]} (npm run format fixes formatting and what ESLint can fix itself; a cycle needs a module split)"
  exit 1
fi
