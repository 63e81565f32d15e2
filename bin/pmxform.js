#!/usr/bin/env node
// Entry point: runs the bundled CLI (built by `npm ci` through the `prepare` script, see
// scripts/bundle-cli.mjs; dist/src/ holds the same code one file per module).
import { main } from "../dist/cli/cli.js";
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
