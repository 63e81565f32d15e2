#!/usr/bin/env bash
# Formats the whole tree once and checks it: `npm run format` (Prettier on every TypeScript and
# JavaScript source, ESLint's own fixes, Prettier again because a fix can leave a line Prettier
# lays out differently), then `npm run lint`. For the one-time reformat after parallel branches
# merge; afterwards `npm run format` before a commit keeps the tree formatted.
set -eu
cd "$(dirname "$0")/.."
npm run --silent format   # prettier --write, eslint --fix, prettier --write (package.json)
bash scripts/lint.sh
