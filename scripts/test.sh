#!/usr/bin/env bash
# The whole test suite: installs the Debian packages the real-component tests need when they
# are missing (skopeo, umoci, docker-registry, openssh-server, postgresql, jq, samba-common-bin for
# testparm, chromium for the web pages), builds, type-checks, lints, runs vitest
# and ends with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

need=()
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v umoci >/dev/null 2>&1 || need+=(umoci)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v testparm >/dev/null 2>&1 || need+=(samba-common-bin)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing test dependencies: ${need[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}") >/dev/null 2>&1 \
      || echo "warning: could not install ${need[*]}; tests that need them will be skipped"
  else
    echo "warning: missing ${need[*]} and not root; tests that need them will be skipped"
  fi
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent || { echo "0 passed, 1 failed"; exit 1; }
npx tsc --noEmit -p . || { echo "0 passed, 1 failed"; exit 1; }
# Lint (ESLint, Prettier's check, import cycles) runs before the tests; a failure is counted as one
# failed test on the last line, after the tests have still run.
lint_failed=0
npm run --silent lint || lint_failed=1

rm -f .vitest.json
npx vitest run --reporter=default --reporter=json --outputFile=.vitest.json
rc=$?
[ $lint_failed = 0 ] || { echo "npm run lint failed (see its output above): counted as one failure below"; rc=1; }
if [ -f .vitest.json ]; then
  LINT_FAILED=$lint_failed node -e 'const r=require("./.vitest.json");const s=r.numPendingTests+r.numTodoTests;const f=r.numFailedTests+Number(process.env.LINT_FAILED);console.log(`${r.numPassedTests} passed, ${f} failed`+(s?`, ${s} skipped`:""))'
else
  echo "0 passed, $((1 + lint_failed)) failed"
  rc=1
fi
exit $rc
