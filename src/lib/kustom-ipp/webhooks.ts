/**
 * Verification of Kustom's lifecycle callbacks, signed with Standard Webhooks.
 *
 * The `standardwebhooks` library's `verify()` hard-codes a 5-minute window against the real
 * clock. To make the tolerance configurable (and `now` injectable), the timestamp header is
 * checked here first; the library's `sign()` then computes the expected `v1,` signature for
 * each configured secret, and it is compared in constant time with every `v1,` entry of
 * `webhook-signature` (Kustom sends one per secret during a rotation).
 */
import { timingSafeEqual } from "node:crypto"
import { Webhook } from "standardwebhooks"
import type { z } from "zod"
import {
  formatIssuePath,
  isKnownKustomWebhookEventType,
  type KustomWebhookEvent,
  kustomWebhookEventSchema,
  type UnknownKustomWebhookEvent,
  unknownKustomWebhookEventSchema,
  webhookIdentifierSchema,
} from "./schemas"

export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300

export type KustomWebhookFailureReason =
  | "missing_headers"
  | "invalid_timestamp"
  | "timestamp_too_old"
  | "timestamp_in_future"
  | "invalid_signature"
  | "no_secrets_configured"
  | "malformed_body"
  | "invalid_event"
  | "invalid_webhook_id"

/**
 * Failures found only after the signature verified: the sender is genuine, so it is safe (and
 * useful) to tell it what is wrong with the delivery. Every other failure says nothing of why.
 */
export const AUTHENTIC_WEBHOOK_FAILURE_REASONS: readonly KustomWebhookFailureReason[] = [
  "malformed_body",
  "invalid_event",
  "invalid_webhook_id",
]

/** `webhook-id` is a key for de-duplication: visible ASCII, at most this many characters. */
export const MAX_WEBHOOK_ID_LENGTH = 256
const WEBHOOK_ID_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_WEBHOOK_ID_LENGTH}}$`)

/** Node's `IncomingHttpHeaders`, a plain record (any case), or a Fetch `Headers`. */
export type WebhookHeaders =
  | Record<string, string | readonly string[] | undefined>
  | { get(name: string): string | null }

export interface VerifyKustomWebhookInput {
  /** The body exactly as received, before any JSON parsing. */
  rawBody: string | Buffer | Uint8Array
  headers: WebhookHeaders
  /** `whsec_…` secrets; any one verifying is enough (list old and new during a rotation). */
  secrets: readonly string[]
  /** Allowed distance between `webhook-timestamp` and now, both ways. Default 300. */
  toleranceSeconds?: number
  now?: Date
}

interface VerifiedMeta {
  /** `webhook-id`: stable across redeliveries of one event, so use it to de-duplicate. */
  webhookId: string
  /** `webhook-timestamp` of this delivery attempt. */
  signedAt: Date
}

export type VerifyKustomWebhookResult =
  | ({ ok: true; known: true; event: KustomWebhookEvent } & VerifiedMeta)
  /** Authentic, but of a type this client does not know: acknowledge it (2xx) and ignore it. */
  | ({ ok: true; known: false; event: UnknownKustomWebhookEvent } & VerifiedMeta)
  /** `authentic`: the signature verified, and only the content was refused. */
  | { ok: false; authentic: boolean; reason: KustomWebhookFailureReason; message: string }

/** Never throws: every bad input becomes `{ ok: false, reason }`. Messages carry no secrets. */
export function verifyKustomWebhook(input: VerifyKustomWebhookInput): VerifyKustomWebhookResult {
  try {
    return verify(input)
  } catch {
    return fail("invalid_signature", "the webhook could not be verified")
  }
}

function verify(input: VerifyKustomWebhookInput): VerifyKustomWebhookResult {
  const webhooks = usableSecrets(input.secrets)
  if (webhooks.length === 0) {
    return fail("no_secrets_configured", "no usable webhook secret is configured (expected whsec_… base64 secrets)")
  }

  const id = header(input.headers, "webhook-id")
  const timestampHeader = header(input.headers, "webhook-timestamp")
  const signatureHeader = header(input.headers, "webhook-signature")
  const missing = [
    !id && "webhook-id",
    !timestampHeader && "webhook-timestamp",
    !signatureHeader && "webhook-signature",
  ].filter(Boolean)
  if (!id || !timestampHeader || !signatureHeader) {
    return fail("missing_headers", `missing header(s): ${missing.join(", ")}`)
  }

  const timestamp = /^\d{1,12}$/.test(timestampHeader.trim()) ? Number(timestampHeader.trim()) : Number.NaN
  if (!Number.isSafeInteger(timestamp)) {
    return fail("invalid_timestamp", "webhook-timestamp is not a unix time in seconds")
  }
  const tolerance = validTolerance(input.toleranceSeconds)
  const nowDate = input.now instanceof Date && !Number.isNaN(input.now.getTime()) ? input.now : new Date()
  const now = Math.floor(nowDate.getTime() / 1000)
  if (now - timestamp > tolerance) {
    return fail("timestamp_too_old", `webhook-timestamp is ${now - timestamp} s old (tolerance ${tolerance} s)`)
  }
  if (timestamp - now > tolerance) {
    return fail("timestamp_in_future", `webhook-timestamp is ${timestamp - now} s in the future (tolerance ${tolerance} s)`)
  }

  if (typeof input.rawBody !== "string" && !(input.rawBody instanceof Uint8Array)) {
    return fail("malformed_body", "rawBody must be the raw request body as a string or Buffer")
  }
  const body = bodyText(input.rawBody)
  // The signature covers text; bytes that are not UTF-8 cannot be what the sender signed.
  if (body === undefined) return fail("invalid_signature", "the body is not valid UTF-8")
  const signedAt = new Date(timestamp * 1000)
  const passed = signatureHeader
    .split(/\s+/)
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => Buffer.from(entry.slice(3), "utf8"))
  const verified = webhooks.some((webhook) => {
    const expected = Buffer.from(webhook.sign(id, signedAt, body).slice(3), "utf8")
    return passed.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))
  })
  if (!verified) return fail("invalid_signature", "no webhook-signature entry matches a configured secret")
  if (!WEBHOOK_ID_PATTERN.test(id)) {
    return fail("invalid_webhook_id", `webhook-id must be 1 to ${MAX_WEBHOOK_ID_LENGTH} visible ASCII characters (got ${id.length})`)
  }

  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return fail("malformed_body", "the body is not valid JSON")
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail("malformed_body", "the body is not a JSON object")
  }

  const meta: VerifiedMeta = { webhookId: id, signedAt }
  const type = (json as { type?: unknown }).type
  if (typeof type === "string" && isKnownKustomWebhookEventType(type)) {
    const parsed = kustomWebhookEventSchema.safeParse(json)
    if (!parsed.success) return fail("invalid_event", describeIssues(parsed.error))
    return { ok: true, known: true, event: parsed.data, ...meta }
  }
  const parsed = unknownKustomWebhookEventSchema.safeParse(json)
  if (!parsed.success) return fail("invalid_event", describeIssues(parsed.error))
  return { ok: true, known: false, event: parsed.data, ...meta }
}

export interface KustomWebhookEventFields {
  type: string
  sessionId: string | null
  orderId: string | null
  failureReason: string | null
  /** The event's own `timestamp`, when it is a readable date. */
  occurredAt: Date | null
}

/**
 * What a verified event says, flattened for storage. A known event was validated whole; an
 * event of an unknown type keeps a session id only when it is a well-formed identifier (it
 * then prompts a status read), and nothing else from its free-form `data`.
 */
export function kustomWebhookEventFields(event: KustomWebhookEvent | UnknownKustomWebhookEvent): KustomWebhookEventFields {
  const occurredAt = event.timestamp ? new Date(event.timestamp) : null
  const common = { type: event.type, occurredAt: occurredAt && !Number.isNaN(occurredAt.getTime()) ? occurredAt : null }
  if (isKnownKustomWebhookEventType(event.type)) {
    const { data } = event as KustomWebhookEvent
    return { ...common, sessionId: data.session_id, orderId: data.order_id || null, failureReason: data.failure_reason || null }
  }
  const sessionId = webhookIdentifierSchema.safeParse((event as UnknownKustomWebhookEvent).data?.session_id)
  return { ...common, sessionId: sessionId.success ? sessionId.data : null, orderId: null, failureReason: null }
}

function fail(reason: KustomWebhookFailureReason, message: string): VerifyKustomWebhookResult {
  return { ok: false, authentic: AUTHENTIC_WEBHOOK_FAILURE_REASONS.includes(reason), reason, message }
}

/** Secrets the library accepts (valid base64 after `whsec_`); others are skipped. */
function usableSecrets(secrets: readonly string[] | undefined): Webhook[] {
  if (!Array.isArray(secrets)) return []
  const out: Webhook[] = []
  for (const secret of secrets) {
    if (typeof secret !== "string" || !secret.trim()) continue
    try {
      out.push(new Webhook(secret.trim()))
    } catch {
      // Malformed secret: skipped, so one bad entry does not block a rotation.
    }
  }
  return out
}

function validTolerance(value: number | undefined): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : DEFAULT_WEBHOOK_TOLERANCE_SECONDS
}

function header(headers: WebhookHeaders | undefined, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined
  let value: unknown
  if (typeof (headers as { get?: unknown }).get === "function") {
    value = (headers as { get(name: string): string | null }).get(name)
  } else {
    for (const [key, v] of Object.entries(headers)) {
      if (key.toLowerCase() === name) {
        value = v
        break
      }
    }
  }
  // Repeated signature headers each carry entries; repeated id/timestamp keep the first.
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === "string")
    value = name === "webhook-signature" ? strings.join(" ") : strings[0]
  }
  return typeof value === "string" && value.trim() ? value.trim() : undefined
}

function bodyText(raw: string | Uint8Array): string | undefined {
  if (typeof raw === "string") return raw
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw)
  } catch {
    return undefined
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`)
    .join("; ")
}
