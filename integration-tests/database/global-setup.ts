import { startDatabase, type RunningDatabase } from "../../scripts/lib/embedded-database"

declare global {
  // Shared with global-teardown, which jest runs in the same process.
  // eslint-disable-next-line no-var
  var __KUSTOM_IPP_TEST_DATABASE__: RunningDatabase | undefined
}

/**
 * Gives every integration suite a PostgreSQL server: the one named by DATABASE_URL / DB_HOST,
 * else an embedded one in a temporary folder. Medusa's test runner reads DB_* variables; jest's
 * workers inherit them from this process.
 */
export default async function globalSetup(): Promise<void> {
  // These suites run Medusa in-process with its default (in-memory) event bus, workflow engine
  // and locking; the Redis set-up is the multi-instance suite's.
  delete process.env.REDIS_URL
  const database = await startDatabase()
  Object.assign(process.env, database.env)
  globalThis.__KUSTOM_IPP_TEST_DATABASE__ = database
  process.stdout.write(
    `\n[database] ${database.source === "embedded" ? "embedded PostgreSQL" : "configured PostgreSQL"} at ${database.env.DB_HOST}:${database.env.DB_PORT}\n`
  )
}
