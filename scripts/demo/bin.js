#!/usr/bin/env node
"use strict"
// `npm run demo`: runs scripts/demo.ts directly (no build step), with ts-node's SWC transpiler
// and the repository's tsconfig.json, as the playground's bin does.
const path = require("node:path")

require("ts-node").register({
  transpileOnly: true,
  swc: true,
  project: path.resolve(__dirname, "..", "..", "tsconfig.json"),
})

// Output piped into a reader that went away (`npm run demo | head`) must not take the store down.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error
  })
}

require("../demo.ts")
  .main(process.argv.slice(2), process.env)
  .then(
    (code) => {
      // A negative code means "keep running": the demo serves until Ctrl-C.
      if (code >= 0) process.stdout.write("", () => process.exit(code))
    },
    (error) => {
      console.error(`demo: ${error && error.stack ? error.stack : error}`)
      process.exit(1)
    }
  )
