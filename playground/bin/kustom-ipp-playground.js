#!/usr/bin/env node
"use strict"
// Runs the TypeScript sources directly (no build step): ts-node with the SWC transpiler and
// the repository's tsconfig.json, found relative to this file so any working directory works.
const path = require("node:path")

require("ts-node").register({
  transpileOnly: true,
  swc: true,
  project: path.resolve(__dirname, "..", "..", "tsconfig.json"),
})

require("../src/cli")
  .runCli(process.argv.slice(2), process.env)
  .catch((error) => {
    console.error(`kustom-ipp-playground: ${error && error.stack ? error.stack : error}`)
    process.exit(1)
  })
