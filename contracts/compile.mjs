// Thin wrapper around the pinned solc-js (package.json: solc 0.8.30) for
// govchain_contracts/build.py: reads a Solidity standard-JSON input on stdin and
// writes {"version": <solc version>, "output": <standard-JSON output>} to stdout.
// Settings and sources are chosen by build.py, so they live in one place.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const solc = require("solc");

const input = readFileSync(0, "utf8");
const output = JSON.parse(solc.compile(input));
process.stdout.write(JSON.stringify({ version: solc.version(), output }));
