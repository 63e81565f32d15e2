#!/usr/bin/env bash
# The main job on the built-in defaults: applies examples/homelab to a simulated Proxmox node
# (created in examples/homelab/.pmxform-sim on first use), then plans again to show that an
# applied configuration re-plans as "No changes".
set -eu
cd "$(dirname "$0")/.."
[ -f dist/cli/cli.js ] && [ -f dist/src/cli.js ] || npm run build --silent
node bin/pmxform.js apply --chdir examples/homelab --auto-approve "$@"
echo
echo "--- planning again: an applied configuration must re-plan as no changes ---"
node bin/pmxform.js plan --chdir examples/homelab --detailed-exitcode
