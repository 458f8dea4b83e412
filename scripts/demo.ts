/**
 * `npm run demo`: the whole thing on one machine with one command — PostgreSQL, the Kustom
 * playground with a simulated POS device, and a Medusa store with this plugin and its admin,
 * migrated and seeded on first run. `npm run demo -- --scripted` makes one in-store sale through
 * public interfaces only and exits. See docs/demo.md.
 */
import { isAbsolute, join, relative, resolve } from "node:path"
import {
  DEFAULT_ADMIN_EMAIL,
  DEFAULT_ADMIN_PASSWORD,
  DEFAULT_MEDUSA_PORT,
  DEFAULT_PLAYGROUND_PORT,
  DevStoreAlreadyRunningError,
  DevStoreStoppedError,
  findRunningDevStore,
  PortInUseError,
  startDevStore,
  type DevStore,
} from "./lib/dev-store"
import { readRunInfo, readState, STATE_FILE } from "./lib/dev-store-state"
import { isAlive } from "./lib/processes"
import { formatSeconds, Progress } from "./lib/progress"
import { runScriptedSale, type SaleTarget } from "./demo/scripted-sale"

const ROOT = resolve(__dirname, "..")

export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
export const EXIT_PORT_IN_USE = 3
export const EXIT_ALREADY_RUNNING = 4

const USAGE = `Usage: npm run demo [-- --scripted] [-- --verbose]

Starts PostgreSQL, the Kustom playground (with a simulated POS device) and a Medusa store with
this plugin and its admin; the first run migrates and seeds the store. Ctrl-C stops everything.

  --scripted   make one in-store sale through public interfaces (store API, device, callback),
               print one JSON line and exit (against the running demo, if there is one)
  --verbose    also show Medusa's own output (it always goes to <DEMO_DIR>/logs/medusa.log)
  -h, --help   this text

Environment:
  DEMO_DIR                   data folder (default .demo)
  MEDUSA_PORT                Medusa's port (default ${DEFAULT_MEDUSA_PORT})
  PLAYGROUND_PORT            the playground's port (default ${DEFAULT_PLAYGROUND_PORT})
  DEMO_ADMIN_EMAIL           admin user (default ${DEFAULT_ADMIN_EMAIL})
  DEMO_ADMIN_PASSWORD        admin password (default ${DEFAULT_ADMIN_PASSWORD})
  DATABASE_URL               use this PostgreSQL server instead of the embedded one
  KUSTOM_IPP_API_KEY         API key shared by the playground and the store (generated when unset)
  KUSTOM_IPP_WEBHOOK_SECRET  callback signing secret, whsec_… (generated when unset)`

type Args = { scripted: boolean; verbose: boolean; help: boolean }

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = { scripted: false, verbose: false, help: false }
  for (const arg of argv) {
    if (arg === "--scripted") args.scripted = true
    else if (arg === "--verbose") args.verbose = true
    else if (arg === "-h" || arg === "--help") args.help = true
    else throw new UsageError(`unknown argument "${arg}"`)
  }
  return args
}

function portFrom(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const text = env[variable]
  if (text === undefined || text.trim() === "") return fallback
  const port = Number(text)
  if (!/^\d+$/.test(text.trim()) || port < 0 || port > 65535) throw new UsageError(`${variable} must be a port number, not "${text}"`)
  return port
}

const out = (line: string) => process.stdout.write(`${line}\n`)

function clock(): string {
  return new Date().toTimeString().slice(0, 8)
}

/** The data folder as typed: relative when it is below the working directory. */
function shownPath(path: string): string {
  const fromHere = relative(process.cwd(), path)
  return fromHere && !fromHere.startsWith("..") && !isAbsolute(fromHere) ? fromHere : path
}

/** The playground's log lines about a sale, in the words of the walkthrough. */
function describeActivity(line: string): string {
  const callback = /^callback (\S+) \S+ delivered \(attempt (\d+), (\d+)\)/.exec(line)
  if (callback) return `Kustom → store: callback ${callback[1]} answered ${callback[3]}${callback[2] === "1" ? "" : ` (attempt ${callback[2]})`}`
  if (/^POST \/ipp\/v1\/sessions → 2/.test(line)) return "store → Kustom: payment session sent to the device"
  if (/\/(simulate-tap|tap)(\?\S*)? → 2/.test(line)) return "device: card tapped"
  if (/\/cancel → 2/.test(line)) return "payment session cancelled"
  return line
}

function banner(store: DevStore, env: NodeJS.ProcessEnv): string {
  const dataDir = shownPath(store.dataDir)
  // The API key is a secret like any other: the banner says where it is kept, never prints it.
  const apiKeyFrom = env.KUSTOM_IPP_API_KEY ? "KUSTOM_IPP_API_KEY" : `"apiKey" in ${join(dataDir, STATE_FILE)}`
  return [
    "",
    `Kustom In-Person Payments demo is ready (${store.seeded ? "first run" : "restart"}: ${formatSeconds(store.readyMs)}).`,
    "",
    `  Admin         ${store.adminUrl}`,
    `                email ${store.adminEmail}   password ${store.adminPassword}`,
    `  Draft order   #${store.draftOrderDisplayId}, open and ready to be paid in store: ${store.draftOrderAdminUrl}`,
    `  POS device    ${store.devicePageUrl}`,
    `                (the simulated device ${store.deviceId}, the store's default device)`,
    `  Store API     ${store.storeApiUrl}   publishable key ${store.publishableKey}`,
    `  Playground    ${store.playgroundUrl}   API key: ${apiKeyFrom}`,
    "",
    "What to do first:",
    `  1. Open the draft orders page, ${store.adminUrl}/draft-orders, and log in with the credentials above.`,
    `  2. Open draft order #${store.draftOrderDisplayId} and click "Pay in store": the payment goes to the device.`,
    `  3. Open the POS device page, ${store.devicePageUrl}, and tap Pay. The order appears in Medusa by itself.`,
    "",
    `A sale from the store API, as a POS front end makes it: npm run demo -- --scripted (in another terminal).`,
    `Data and logs: ${dataDir} (logs in ${join(dataDir, "logs")}). Ctrl-C stops everything.`,
    "",
  ].join("\n")
}

function failureExitCode(error: unknown): number {
  if (error instanceof PortInUseError) return EXIT_PORT_IN_USE
  if (error instanceof DevStoreAlreadyRunningError) return EXIT_ALREADY_RUNNING
  return EXIT_FAILURE
}

function reportFailure(error: unknown, debug: boolean): void {
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`\ndemo: ${message}\n`)
  if (!(error instanceof PortInUseError || error instanceof DevStoreAlreadyRunningError) && error instanceof Error && error.stack && debug) {
    process.stderr.write(`${error.stack}\n`)
  }
}

async function interactive(options: Parameters<typeof startDevStore>[0]): Promise<void> {
  out(`Kustom In-Person Payments demo — data folder ${shownPath(options.dataDir)}`)
  const store = await startDevStore({
    ...options,
    admin: true,
    activity: (line) => out(`  ${clock()} ${describeActivity(line)}`),
    onMedusaExit: (_description, stop) => {
      stop().finally(() => process.exit(EXIT_FAILURE))
    },
  })
  out(banner(store, options.env ?? process.env))
  // Runs until a signal: the dev store then stops everything and exits.
}

async function scripted(options: Parameters<typeof startDevStore>[0], env: NodeJS.ProcessEnv): Promise<void> {
  const progress = new Progress(out)
  out(`Kustom In-Person Payments scripted sale — data folder ${shownPath(options.dataDir)}`)
  let store: DevStore | undefined
  let target: SaleTarget
  const starting = readRunInfo(options.dataDir)
  if (starting && starting.status === "starting" && isAlive(starting.pid)) {
    progress.note(`waiting for the demo that is starting on this data folder (pid ${starting.pid})…`)
  }
  // A first run (migrations, seeding) of a demo started just before takes a minute or two.
  const running = await findRunningDevStore(options.dataDir, 300_000)
  const state = running ? readState(options.dataDir) : undefined
  if (running && state?.database?.seed && state.deviceId && state.admin && running.playgroundUrl) {
    progress.done(`using the demo already running on this data folder (pid ${running.pid}, ${running.medusaUrl})`)
    target = {
      medusaUrl: running.medusaUrl,
      publishableKey: state.database.seed.publishableKey,
      regionId: state.database.seed.regionId,
      salesChannelId: state.database.seed.salesChannelId,
      deviceId: state.deviceId,
      playgroundUrl: running.playgroundUrl,
      apiKey: env.KUSTOM_IPP_API_KEY || state.apiKey,
      adminEmail: state.admin.email,
      adminPassword: state.admin.password,
    }
  } else {
    // No admin dashboard: the sale does not need it and Medusa starts faster without it.
    store = await startDevStore({ ...options, admin: false, signalExitCode: 130 })
    progress.done(`store ready (${store.seeded ? "first run" : "restart"}: ${formatSeconds(store.readyMs)})`)
    target = store
  }

  let result
  try {
    result = await runScriptedSale(target, progress)
  } finally {
    if (store) await progress.stage("stopped Medusa, the playground and PostgreSQL", () => store!.stop())
  }
  // The last line, for scripts: one JSON object.
  out(JSON.stringify(result))
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: Args
  let options: Parameters<typeof startDevStore>[0]
  try {
    args = parseArgs(argv)
    if (args.help) {
      out(USAGE)
      return 0
    }
    options = {
      dataDir: resolve(env.DEMO_DIR || join(ROOT, ".demo")),
      medusaPort: portFrom(env, "MEDUSA_PORT", DEFAULT_MEDUSA_PORT),
      playgroundPort: portFrom(env, "PLAYGROUND_PORT", DEFAULT_PLAYGROUND_PORT),
      adminEmail: env.DEMO_ADMIN_EMAIL || DEFAULT_ADMIN_EMAIL,
      adminPassword: env.DEMO_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD,
      env,
      log: out,
    }
    options.verbose = args.verbose
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`demo: ${error.message}\n\n${USAGE}\n`)
    return EXIT_USAGE
  }

  try {
    if (args.scripted) {
      await scripted(options, env)
      return 0
    }
    await interactive(options)
    return -1
  } catch (error) {
    // Cut short by Ctrl-C: the signal handler is stopping everything and exits when done.
    if (error instanceof DevStoreStoppedError) return -1
    reportFailure(error, Boolean(env.DEMO_DEBUG))
    return failureExitCode(error)
  }
}
