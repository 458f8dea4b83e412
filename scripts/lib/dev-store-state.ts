/**
 * What the dev store keeps in its data folder:
 * - `demo.json` (mode 0600): generated secrets and the ids of what was seeded, so a restart
 *   reuses them and skips the seeding;
 * - `run.json`: the running instance (its pid, URLs and child pids), present only while it
 *   runs, so a second command can find it (the scripted demo) or refuse to start a twin.
 */
import { randomBytes } from "node:crypto"
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { SeededStore } from "./seed-store"

export const STATE_FILE = "demo.json"
export const RUN_FILE = "run.json"
export const PLAYGROUND_STATE_FILE = "playground-state.json"
export const POSTGRES_DIR = "pg"
export const LOG_DIR = "logs"

export type DemoState = {
  version: 1
  apiKey: string
  webhookSecret: string
  jwtSecret: string
  cookieSecret: string
  /** The simulated device the store uses by default. */
  deviceId?: string
  /** The credentials the admin user was last given. */
  admin?: { email: string; password: string }
  /** The database the store was migrated and seeded in; forgotten when that database is new. */
  database?: {
    key: string
    /** What the migrations last ran for (Medusa's version and the plugin's migration files). */
    migrations?: string
    seed?: SeededStore & { seededAt: string }
  }
  draftOrderId?: string
}

export type RunInfo = {
  pid: number
  status: "starting" | "ready"
  startedAt: string
  dataDir: string
  medusaUrl: string
  adminUrl: string
  storeApiUrl: string
  playgroundUrl?: string
  devicePageUrl?: string
  admin: boolean
  pids: { medusa?: number; postgres?: number }
}

export function generateApiKey(): string {
  return `kco_test_api_demo_${randomBytes(12).toString("hex")}`
}

/** Standard Webhooks secrets are `whsec_` and base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`
}

export function generateSecret(): string {
  return randomBytes(32).toString("hex")
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); delete it to start over`)
  }
}

/** Written whole and then renamed, so a crash never leaves half a file; readable by the owner only. */
function writeJsonPrivate(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 })
  chmodSync(temporary, 0o600)
  renameSync(temporary, file)
}

export function readState(dataDir: string): DemoState | undefined {
  return readJson<DemoState>(join(dataDir, STATE_FILE))
}

export function writeState(dataDir: string, state: DemoState): void {
  writeJsonPrivate(join(dataDir, STATE_FILE), state)
}

export function readRunInfo(dataDir: string): RunInfo | undefined {
  try {
    return readJson<RunInfo>(join(dataDir, RUN_FILE))
  } catch {
    return undefined
  }
}

export function writeRunInfo(dataDir: string, info: RunInfo): void {
  writeJsonPrivate(join(dataDir, RUN_FILE), info)
}

export function removeRunInfo(dataDir: string, ownerPid = process.pid): void {
  const info = readRunInfo(dataDir)
  if (!info || info.pid === ownerPid) rmSync(join(dataDir, RUN_FILE), { force: true })
}
