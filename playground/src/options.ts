/**
 * Validation of `startPlayground` options and `configure` patches. A bad option throws an
 * Error that names the option and the reason, so a mistyped test setup fails loudly at start
 * instead of as a puzzling behaviour later.
 */
import { Webhook } from "standardwebhooks"
import { z } from "zod"
import { stableIdFromName } from "./ids"
import { formatPath } from "./problems"
import type {
  CallbackRetryOptions,
  Location,
  PlaygroundConfigurePatch,
  PlaygroundLogger,
  PlaygroundOptions,
  ResolvedConfig,
} from "./types"

export const DEFAULT_CALLBACK_RETRY: CallbackRetryOptions = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
}

export const DEFAULT_SESSION_LIFETIME_MS = 900_000
export const DEFAULT_SSE_KEEP_ALIVE_MS = 15_000
export const DEFAULT_LOCATION = { name: "Playground Store", city: "Stockholm" }

/** Node's timers cannot wait longer than this; a longer lifetime would fire at once. */
const MAX_TIMER_MS = 2_147_483_647

const silentLogger: PlaygroundLogger = { info() {}, warn() {}, error() {} }

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: "must be a number" })
    .int({ error: "must be an integer" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })

const webhookSecret = z.string({ error: "must be a string" }).superRefine((secret, ctx) => {
  if (!secret.startsWith("whsec_")) {
    ctx.addIssue({ code: "custom", message: 'must start with "whsec_"' })
    return
  }
  try {
    new Webhook(secret)
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `is not a valid base64 secret (${(error as Error).message})` })
  }
})

const callbackUrl = z.string({ error: "must be a string" }).superRefine((value, ctx) => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    ctx.addIssue({ code: "custom", message: "must be an absolute URL" })
    return
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" })
  }
})

const callbackRetryFields = {
  maxAttempts: int(1, 100).optional(),
  baseDelayMs: int(0, MAX_TIMER_MS).optional(),
  maxDelayMs: int(0, MAX_TIMER_MS).optional(),
  timeoutMs: int(1, MAX_TIMER_MS).optional(),
}
const callbackRetry = z.strictObject(callbackRetryFields)

const captureMode = z.enum(["auto", "manual"], { error: 'must be "auto" or "manual"' })
const sessionLifetimeMs = int(1, MAX_TIMER_MS)
const nonEmpty = z.string({ error: "must be a string" }).trim().min(1, { error: "must not be empty" })

const loggerSchema = z.custom<PlaygroundLogger>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    ["info", "warn", "error"].every((m) => typeof (value as Record<string, unknown>)[m] === "function"),
  { error: "must have info, warn and error functions" }
)

const locationSchema = z.strictObject({
  id: nonEmpty.optional(),
  name: nonEmpty,
  city: z.string({ error: "must be a string" }).optional(),
})

const optionsSchema = z.strictObject({
  apiKey: nonEmpty.refine((k) => !/\s/.test(k), { error: "must not contain whitespace" }),
  port: int(0, 65535).optional(),
  host: nonEmpty.optional(),
  merchantId: nonEmpty.optional(),
  callbackUrl: callbackUrl.optional(),
  webhookSecrets: z.array(webhookSecret, { error: "must be an array of strings" }).optional(),
  captureMode: captureMode.optional(),
  sessionLifetimeMs: sessionLifetimeMs.optional(),
  callbackRetry: callbackRetry.optional(),
  locations: z
    .array(locationSchema, { error: "must be an array" })
    .min(1, { error: "must contain at least one location" })
    .optional(),
  stateFile: nonEmpty.optional(),
  logger: loggerSchema.optional(),
  sseKeepAliveMs: int(1, MAX_TIMER_MS).optional(),
})

/** What can change at run time, under the JavaScript names. */
const patchFields = {
  callbackUrl: callbackUrl.nullable().optional(),
  webhookSecrets: z.array(webhookSecret, { error: "must be an array of strings" }).optional(),
  captureMode: captureMode.optional(),
  sessionLifetimeMs: sessionLifetimeMs.optional(),
}
const patchSchema = z.strictObject({ ...patchFields, callbackRetry: callbackRetry.optional() })
type ValidPatch = z.output<typeof patchSchema>

/** `callbackRetry` → `callback_retry`: the names the HTTP API uses. */
export const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const camelCase = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
const isPlainRecord = (value: unknown): value is object =>
  value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
/** The same record with its keys (and those of nested plain records) renamed; other values are kept. */
export function renameKeys(record: object, rename: (key: string) => string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [rename(key), isPlainRecord(value) ? renameKeys(value, rename) : value])
  )
}

/**
 * `PATCH /_playground/config` takes the names `GET /_playground/config` shows (snake_case, as
 * the rest of the HTTP API), so what a client reads it can send back changed. The same fields
 * as `configure()`, renamed, so that an error names the field as it was sent.
 */
const httpPatchSchema = z.strictObject({
  ...(renameKeys(patchFields, snakeCase) as Record<string, z.ZodType>),
  callback_retry: z.strictObject(renameKeys(callbackRetryFields, snakeCase) as Record<string, z.ZodType>).optional(),
})

function describeIssues(prefix: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => `"${formatPath([...issue.path, k])}": unknown option`).join("; ")
    }
    const path = formatPath(issue.path) || "(options)"
    const missing = issue.code === "invalid_type" && (!("input" in issue) || issue.input === undefined)
    return `"${path}": ${missing ? "is required" : issue.message}`
  })
  return `${prefix}: ${lines.join("; ")}`
}

function withRetryDefaults(
  base: CallbackRetryOptions,
  patch: Partial<CallbackRetryOptions> | undefined
): CallbackRetryOptions {
  const merged = { ...base }
  for (const [key, value] of Object.entries(patch ?? {}) as [keyof CallbackRetryOptions, number | undefined][]) {
    if (value !== undefined) merged[key] = value
  }
  return merged
}

function resolveLocations(input: { id?: string; name: string; city?: string }[] | undefined): Location[] {
  const list: { id?: string; name: string; city?: string }[] = input ?? [DEFAULT_LOCATION]
  const locations = list.map((l) => ({ id: l.id ?? stableIdFromName(l.name), name: l.name, city: l.city ?? null }))
  const seen = new Set<string>()
  for (const [i, location] of locations.entries()) {
    if (seen.has(location.id)) {
      throw new Error(`Invalid playground option "locations[${i}].id": duplicate location id "${location.id}"`)
    }
    seen.add(location.id)
  }
  return locations
}

export function resolveOptions(options: PlaygroundOptions): ResolvedConfig {
  const result = optionsSchema.safeParse(options ?? {}, { reportInput: true })
  if (!result.success) throw new Error(describeIssues("Invalid playground option", result.error.issues))
  const o = result.data
  return {
    apiKey: o.apiKey,
    port: o.port ?? 0,
    host: o.host ?? "127.0.0.1",
    merchantId: o.merchantId ?? "PLAYGROUND",
    callbackUrl: o.callbackUrl,
    webhookSecrets: o.webhookSecrets ?? [],
    captureMode: o.captureMode ?? "auto",
    sessionLifetimeMs: o.sessionLifetimeMs ?? DEFAULT_SESSION_LIFETIME_MS,
    callbackRetry: withRetryDefaults(DEFAULT_CALLBACK_RETRY, o.callbackRetry),
    locations: resolveLocations(o.locations),
    stateFile: o.stateFile,
    logger: o.logger ?? silentLogger,
    sseKeepAliveMs: o.sseKeepAliveMs ?? DEFAULT_SSE_KEEP_ALIVE_MS,
  }
}

/** Validate a patch and apply it to the live configuration (in place, so every module sees it). */
export function applyConfigurePatch(config: ResolvedConfig, patch: PlaygroundConfigurePatch): void {
  const result = patchSchema.safeParse(patch ?? {}, { reportInput: true })
  if (!result.success) throw new Error(describeIssues("Invalid playground configuration", result.error.issues))
  applyValidPatch(config, result.data)
}

/** The same for a `PATCH /_playground/config` body, in the HTTP API's names. */
export function applyHttpConfigurePatch(config: ResolvedConfig, body: unknown): void {
  const result = httpPatchSchema.safeParse(body ?? {}, { reportInput: true })
  if (!result.success) throw new Error(describeIssues("Invalid playground configuration", result.error.issues))
  // Validated field by field by the same schemas as `configure()`'s, under other names.
  applyValidPatch(config, renameKeys(result.data, camelCase) as ValidPatch)
}

function applyValidPatch(config: ResolvedConfig, p: ValidPatch): void {
  if ("callbackUrl" in p) config.callbackUrl = p.callbackUrl ?? undefined
  if (p.webhookSecrets) config.webhookSecrets = p.webhookSecrets
  if (p.captureMode) config.captureMode = p.captureMode
  if (p.sessionLifetimeMs !== undefined) config.sessionLifetimeMs = p.sessionLifetimeMs
  if (p.callbackRetry) config.callbackRetry = withRetryDefaults(config.callbackRetry, p.callbackRetry)
}
