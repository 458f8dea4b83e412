/**
 * The plugin's options. One object serves both places a store passes it: the plugin entry
 * (`plugins: [{ resolve, options }]`, read by the plugin's module, routes and jobs) and the
 * payment provider entry of the payment module. Validated once, with messages that name the
 * option and say what to do.
 */
import { z } from "zod"
import { KUSTOM_IPP_BASE_URLS, KustomIppClient, type KustomIppEnvironment, type KustomIppLogger } from "./kustom-ipp"

const webhookSecret = z
  .string()
  .trim()
  .regex(/^whsec_[A-Za-z0-9+/=]+$/, "must look like whsec_<base64>, as the Kustom portal shows it")

const deviceMap = z.record(z.string().min(1), z.string().trim().min(1, "must be a device id"))

export const pluginOptionsSchema = z
  .object({
    apiKey: z
      .string({ error: "is required: the Kustom API key (kco_test_api_… or kco_live_api_…)" })
      .trim()
      .min(1, "is required: the Kustom API key (kco_test_api_… or kco_live_api_…)"),
    environment: z
      .enum(["playground", "production"], { error: 'must be "playground" or "production"' })
      .optional(),
    baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    merchantId: z.string().trim().min(1).optional(),
    webhookSecrets: z
      // `KUSTOM_IPP_WEBHOOK_SECRET?.split(",")` of an empty variable is `[""]`, and of a list
      // with a trailing comma ends in `""`: blank entries count as unset, as empty options do.
      .preprocess(
        (value) => (Array.isArray(value) ? value.filter((entry) => !(typeof entry === "string" && entry.trim() === "")) : value),
        z.union([webhookSecret, z.array(webhookSecret)]).optional()
      )
      .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value])),
    locationId: z.string().trim().min(1).optional(),
    defaultDeviceId: z.string().trim().min(1).optional(),
    defaultDevices: z
      .object({
        salesChannels: deviceMap.optional(),
        locations: deviceMap.optional(),
      })
      .strict()
      .optional(),
    sessionLifetimeMs: z
      .number()
      .int()
      .min(60_000, "must be at least 60000 (one minute)")
      .max(86_400_000, "must be at most 86400000 (one day)")
      .default(900_000),
    capture: z.boolean({ error: "must be true (capture on payment) or false (authorize only)" }).default(true),
    timeoutMs: z.number().int().min(1_000).max(120_000).default(10_000),
    callbackConcurrency: z.number().int().min(1).max(64).default(4),
  })
  .strict()

/** Keys Medusa adds to every module's and provider's options on its own. */
const MEDUSA_INJECTED_KEYS = new Set(["database"])

export type PluginOptionsInput = z.input<typeof pluginOptionsSchema>

export type PluginOptions = z.output<typeof pluginOptionsSchema> & {
  environment: KustomIppEnvironment
  baseUrl: string
}

export class PluginOptionsError extends Error {
  override readonly name = "KustomIppOptionsError"
  constructor(readonly issues: { option: string; message: string }[]) {
    super(
      `Invalid Kustom In-Person Payments options:\n${issues
        .map((issue) => `  - ${issue.option}: ${issue.message}`)
        .join("\n")}`
    )
  }
}

/** The environment a key belongs to, from Kustom's key prefixes. */
function environmentOfKey(apiKey: string): KustomIppEnvironment | undefined {
  if (apiKey.startsWith("kco_live_")) return "production"
  if (apiKey.startsWith("kco_test_")) return "playground"
  return undefined
}

/**
 * Parses options, or throws a PluginOptionsError listing every problem at once, those of each
 * option and those between options. Empty strings (an unset environment variable interpolated
 * into medusa-config) count as absent. `nodeEnv` is the store's NODE_ENV: a store running in
 * production needs a webhook secret whichever Kustom environment it talks to.
 */
export function parsePluginOptions(raw: unknown, nodeEnv: string | undefined = process.env.NODE_ENV): PluginOptions {
  const input = withoutEmpty(raw)
  const result = pluginOptionsSchema.safeParse(input)
  const issues = result.success
    ? []
    : result.error.issues.map((issue) => ({
        option: issue.path.length ? issue.path.join(".") : "options",
        message: issue.code === "unrecognized_keys" ? `unknown option(s) ${issue.keys.join(", ")}` : issue.message,
      }))
  // The checks between options run on the options that are valid on their own, so that one
  // start-up names every problem, not one after the other.
  const given = input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {}
  const valid = <K extends keyof typeof pluginOptionsSchema.shape>(key: K) => {
    const option = pluginOptionsSchema.shape[key].safeParse(given[key])
    return option.success ? (option.data as z.output<(typeof pluginOptionsSchema.shape)[K]>) : undefined
  }
  const apiKey = valid("apiKey")
  const environment = valid("environment") ?? (apiKey === undefined ? undefined : environmentOfKey(apiKey))
  if (apiKey !== undefined && !environment && given.environment === undefined && given.baseUrl === undefined) {
    issues.push({
      option: "environment",
      message: 'is required when the API key does not start with kco_test_ or kco_live_: set "playground" or "production"',
    })
  }
  const webhookSecrets = valid("webhookSecrets")
  if (webhookSecrets?.length === 0 && (environment === "production" || nodeEnv === "production")) {
    const where = environment === "production" ? "with Kustom's production environment" : "when NODE_ENV is production"
    issues.push({
      option: "webhookSecrets",
      message: `is required ${where}: without it no callback can be trusted and no payment becomes an order until the sweep finds it (copy the secret from the Kustom portal)`,
    })
  }
  if (!result.success || issues.length) throw new PluginOptionsError(issues)
  const options = result.data
  const resolved = options.environment ?? environmentOfKey(options.apiKey) ?? "playground"
  return { ...options, environment: resolved, baseUrl: options.baseUrl ?? KUSTOM_IPP_BASE_URLS[resolved] }
}

function withoutEmpty(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).filter(
      ([key, value]) => value !== undefined && value !== "" && !MEDUSA_INJECTED_KEYS.has(key)
    )
  )
}

/** The Kustom client for these options; the logger only ever receives lines without secrets. */
export function createKustomClient(options: PluginOptions, logger?: KustomIppLogger): KustomIppClient {
  return new KustomIppClient({
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    merchantId: options.merchantId,
    timeoutMs: options.timeoutMs,
    logger,
  })
}
