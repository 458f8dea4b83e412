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

const callbackRetry = z.strictObject({
  maxAttempts: int(1, 100).optional(),
  baseDelayMs: int(0, MAX_TIMER_MS).optional(),
  maxDelayMs: int(0, MAX_TIMER_MS).optional(),
  timeoutMs: int(1, MAX_TIMER_MS).optional(),
})

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

const patchSchema = z.strictObject({
  callbackUrl: callbackUrl.nullable().optional(),
  webhookSecrets: z.array(webhookSecret, { error: "must be an array of strings" }).optional(),
  captureMode: captureMode.optional(),
  sessionLifetimeMs: sessionLifetimeMs.optional(),
  callbackRetry: callbackRetry.optional(),
})

/**
 * `PATCH /_playground/config` takes the names `GET /_playground/config` shows (snake_case, as
 * the rest of the HTTP API), so what a client reads it can send back changed.
 */
const httpPatchSchema = z
  .strictObject({
    callback_url: callbackUrl.nullable().optional(),
    webhook_secrets: z.array(webhookSecret, { error: "must be an array of strings" }).optional(),
    capture_mode: captureMode.optional(),
    session_lifetime_ms: sessionLifetimeMs.optional(),
    callback_retry: z
      .strictObject({
        max_attempts: int(1, 100).optional(),
        base_delay_ms: int(0, MAX_TIMER_MS).optional(),
        max_delay_ms: int(0, MAX_TIMER_MS).optional(),
        timeout_ms: int(1, MAX_TIMER_MS).optional(),
      })
      .optional(),
  })
  .transform((p): PlaygroundConfigurePatch => {
    const retry = p.callback_retry
    return {
      ...("callback_url" in p ? { callbackUrl: p.callback_url } : {}),
      ...(p.webhook_secrets ? { webhookSecrets: p.webhook_secrets } : {}),
      ...(p.capture_mode ? { captureMode: p.capture_mode } : {}),
      ...(p.session_lifetime_ms !== undefined ? { sessionLifetimeMs: p.session_lifetime_ms } : {}),
      ...(retry
        ? {
            callbackRetry: {
              ...(retry.max_attempts !== undefined ? { maxAttempts: retry.max_attempts } : {}),
              ...(retry.base_delay_ms !== undefined ? { baseDelayMs: retry.base_delay_ms } : {}),
              ...(retry.max_delay_ms !== undefined ? { maxDelayMs: retry.max_delay_ms } : {}),
              ...(retry.timeout_ms !== undefined ? { timeoutMs: retry.timeout_ms } : {}),
            },
          }
        : {}),
    }
  })

/** Reads a `PATCH /_playground/config` body; throws with every bad field named as sent. */
export function parseHttpConfigurePatch(body: unknown): PlaygroundConfigurePatch {
  const result = httpPatchSchema.safeParse(body ?? {}, { reportInput: true })
  if (!result.success) throw new Error(describeIssues("Invalid playground configuration", result.error.issues))
  return result.data
}

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
  const p = result.data
  if ("callbackUrl" in p) config.callbackUrl = p.callbackUrl ?? undefined
  if (p.webhookSecrets) config.webhookSecrets = p.webhookSecrets
  if (p.captureMode) config.captureMode = p.captureMode
  if (p.sessionLifetimeMs !== undefined) config.sessionLifetimeMs = p.sessionLifetimeMs
  if (p.callbackRetry) config.callbackRetry = withRetryDefaults(config.callbackRetry, p.callbackRetry)
}
