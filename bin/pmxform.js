#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { main } from "../dist/src/cli.js";
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
