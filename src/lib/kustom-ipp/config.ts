import { z } from "zod"
import { KustomIppConfigError } from "./errors"

export const KUSTOM_IPP_BASE_URLS = {
  playground: "https://api.playground.kustom.co",
  production: "https://api.kustom.co",
} as const

export type KustomIppEnvironment = keyof typeof KUSTOM_IPP_BASE_URLS

export const KUSTOM_IPP_USER_AGENT = "medusa-plugin-kustom-ipp/0.1.0"

/** Any console-like or Medusa logger; each line is a single string with no headers in it. */
export interface KustomIppLogger {
  debug?: (message: string) => void
  info?: (message: string) => void
  warn?: (message: string) => void
  error?: (message: string) => void
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface KustomIppRetryOptions {
  /** Retries after the first attempt (0 disables retrying). Default 3. */
  maxRetries?: number
  /** Base of the exponential backoff. Default 200 ms. */
  baseDelayMs?: number
  /** Upper bound of any single wait, including one asked for by `Retry-After`. Default 5000 ms. */
  maxDelayMs?: number
}

export interface KustomIppClientOptions {
  /** Sent as `Authorization: Basic <apiKey>`. */
  apiKey: string
  /** Picks the base URL; ignored when `baseUrl` is set. Default `"playground"`. */
  environment?: KustomIppEnvironment
  /** Overrides `environment`, e.g. a local playground `http://127.0.0.1:9100`. */
  baseUrl?: string
  /** Sent as `x-merchant-id` on every request; listing enrollments requires it. */
  merchantId?: string
  /** Per attempt, covering the whole response body. Default 10000 ms. */
  timeoutMs?: number
  retry?: KustomIppRetryOptions
  logger?: KustomIppLogger
  fetch?: FetchLike
  /** Appended to the User-Agent, e.g. `"my-store/1.2"`. */
  userAgent?: string
  /** Test seams for the backoff: how to wait, and the jitter source in [0, 1). */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export interface ResolvedKustomIppConfig {
  apiKey: string
  baseUrl: string
  merchantId?: string
  timeoutMs: number
  retry: Required<KustomIppRetryOptions>
  logger?: KustomIppLogger
  fetch: FetchLike
  userAgent: string
  sleep: (ms: number) => Promise<void>
  random: () => number
}

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === "function"

const LOGGER_METHODS = ["debug", "info", "warn", "error"] as const

// z.custom keeps the caller's object as is: a parsed copy would lose prototype methods
// (class-based loggers) and their `this`.
const loggerSchema = z.custom<KustomIppLogger>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    LOGGER_METHODS.every((m) => {
      const method = (value as Record<string, unknown>)[m]
      return method === undefined || typeof method === "function"
    }),
  { error: "must be an object whose debug/info/warn/error members are functions" },
)

const integer = (what: string) =>
  z.number({ error: `must be a number (${what})` }).int({ error: "must be an integer" })

// Strict: a misspelt option (say `timeout`) must fail loudly, not be ignored.
export const kustomIppClientOptionsSchema = z.strictObject({
  apiKey: z
    .string({ error: "is required and must be a string" })
    .refine((key) => key.trim().length > 0, { error: "must not be empty" })
    .refine((key) => !/[\s]/.test(key), { error: "must not contain whitespace" }),
  environment: z
    .enum(["playground", "production"], { error: 'must be "playground" or "production"' })
    .optional(),
  baseUrl: z
    .url({ error: "must be an absolute http(s) URL", protocol: /^https?$/ })
    .optional(),
  merchantId: z
    .string({ error: "must be a string" })
    .refine((id) => id.trim().length > 0, { error: "must not be empty" })
    .optional(),
  timeoutMs: integer("milliseconds").min(1, { error: "must be at least 1" }).max(600_000, {
    error: "must be at most 600000",
  }).default(10_000),
  retry: z
    .strictObject(
      {
        maxRetries: integer("count").min(0, { error: "must be 0 or more" }).max(10, {
          error: "must be at most 10",
        }).default(3),
        baseDelayMs: integer("milliseconds").min(0, { error: "must be 0 or more" }).default(200),
        maxDelayMs: integer("milliseconds").min(0, { error: "must be 0 or more" }).default(5_000),
      },
      { error: "must be an object" },
    )
    .default({ maxRetries: 3, baseDelayMs: 200, maxDelayMs: 5_000 }),
  logger: loggerSchema.optional(),
  fetch: z.custom<FetchLike>(isFunction, { error: "must be a fetch-compatible function" }).optional(),
  userAgent: z.string({ error: "must be a string" }).optional(),
  sleep: z.custom<(ms: number) => Promise<void>>(isFunction, { error: "must be a function" }).optional(),
  random: z.custom<() => number>(isFunction, { error: "must be a function" }).optional(),
})

/** Validates the options and fills the defaults; throws {@link KustomIppConfigError} naming each bad field. */
export function resolveKustomIppConfig(options: KustomIppClientOptions): ResolvedKustomIppConfig {
  if (typeof options !== "object" || options === null) {
    throw new KustomIppConfigError("Invalid Kustom IPP client options: expected an object with at least apiKey", ["(options)"])
  }
  const parsed = kustomIppClientOptionsSchema.safeParse(options)
  if (!parsed.success) {
    // Messages are built from paths and fixed texts only: zod does not echo inputs, so the
    // API key cannot leak through a config error.
    const issues = parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join(".") || "(options)",
      message: issue.code === "unrecognized_keys" ? `unknown option(s) ${issue.keys.join(", ")}` : issue.message,
    }))
    throw new KustomIppConfigError(
      `Invalid Kustom IPP client options: ${issues.map((i) => `${i.field} ${i.message}`).join("; ")}`,
      issues.map((i) => i.field),
    )
  }
  const o = parsed.data
  const globalFetch: FetchLike | undefined =
    typeof globalThis.fetch === "function" ? (input, init) => globalThis.fetch(input, init) : undefined
  const fetchImpl = o.fetch ?? globalFetch
  if (!fetchImpl) {
    throw new KustomIppConfigError("Invalid Kustom IPP client options: fetch is not available; pass options.fetch", ["fetch"])
  }
  const baseUrl = (o.baseUrl ?? KUSTOM_IPP_BASE_URLS[o.environment ?? "playground"]).replace(/\/+$/, "")
  const userAgent = [KUSTOM_IPP_USER_AGENT, `node/${process.versions.node}`, o.userAgent?.trim()]
    .filter(Boolean)
    .join(" ")
  return {
    apiKey: o.apiKey,
    baseUrl,
    merchantId: o.merchantId?.trim(),
    timeoutMs: o.timeoutMs,
    retry: o.retry,
    logger: o.logger,
    fetch: fetchImpl,
    userAgent,
    sleep: o.sleep ?? defaultSleep,
    random: o.random ?? Math.random,
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
