import type { Redactor } from "./redact"

export type KustomIppErrorKind =
  | "api"
  | "network"
  | "timeout"
  | "aborted"
  | "unexpected_response"
  | "config"
  | "invalid_request"

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE"

interface KustomIppErrorOptions {
  /**
   * True when the failure is transient AND the request is safe to send again as is (it
   * cannot duplicate an effect). A timed-out session create is therefore not retryable:
   * the session may exist.
   */
  retryable?: boolean
  method?: HttpMethod
  path?: string
  /** How many HTTP attempts were made before giving up. */
  attempts?: number
  cause?: unknown
}

/** Base of every error the client throws; switch on `kind` (see {@link AnyKustomIppError}). */
export abstract class KustomIppError extends Error {
  abstract readonly kind: KustomIppErrorKind
  readonly retryable: boolean
  readonly method?: HttpMethod
  readonly path?: string
  readonly attempts?: number
  /** A sanitised copy of the low-level error (non-enumerable). */
  declare readonly cause?: unknown

  constructor(message: string, options: KustomIppErrorOptions = {}) {
    super(message)
    this.name = new.target.name
    this.retryable = options.retryable ?? false
    if (options.method !== undefined) this.method = options.method
    if (options.path !== undefined) this.path = options.path
    if (options.attempts !== undefined) this.attempts = options.attempts
    if (options.cause !== undefined) {
      // Non-enumerable so JSON.stringify and Object.keys skip it; callers sanitise it first
      // (see sanitizeCause) because util.inspect still prints it.
      Object.defineProperty(this, "cause", {
        value: options.cause,
        enumerable: false,
        writable: false,
        configurable: true,
      })
    }
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message }
    for (const key of Object.keys(this)) json[key] = (this as Record<string, unknown>)[key]
    return json
  }
}

export interface KustomIppApiErrorDetails {
  method: HttpMethod
  path: string
  status: number
  statusText?: string
  /** RFC 7807 `type`. */
  type?: string
  title?: string
  detail?: string
  /** RFC 7807 `errors` map, e.g. `{ "order_items[1].total_amount": "…" }`. */
  fieldErrors?: Record<string, string>
  /** Checkout / Order Management `error_code`, e.g. `CAPTURE_NOT_ALLOWED`. */
  errorCode?: string
  errorMessages?: string[]
  correlationId?: string
  /** Parsed `Retry-After`, when the server sent one. */
  retryAfterMs?: number
  /** The response body (parsed JSON, or text cut to a few KB), with the API key scrubbed. */
  body?: unknown
  retryable?: boolean
  attempts?: number
}

/** The server answered with a non-2xx status. */
export class KustomIppApiError extends KustomIppError {
  readonly kind = "api" as const
  readonly status: number
  readonly statusText?: string
  readonly type?: string
  readonly title?: string
  readonly detail?: string
  readonly fieldErrors: Record<string, string>
  readonly errorCode?: string
  readonly errorMessages: string[]
  readonly correlationId?: string
  readonly retryAfterMs?: number
  readonly body?: unknown
  declare readonly method: HttpMethod
  declare readonly path: string

  constructor(details: KustomIppApiErrorDetails) {
    super(describeApiError(details), {
      retryable: details.retryable,
      method: details.method,
      path: details.path,
      attempts: details.attempts,
    })
    this.status = details.status
    this.fieldErrors = details.fieldErrors ?? {}
    this.errorMessages = details.errorMessages ?? []
    assignDefined(this, {
      statusText: details.statusText,
      type: details.type,
      title: details.title,
      detail: details.detail,
      errorCode: details.errorCode,
      correlationId: details.correlationId,
      retryAfterMs: details.retryAfterMs,
      body: details.body,
    })
  }
}

/** The request never got an HTTP answer: connection refused, reset, dropped, DNS… */
export class KustomIppNetworkError extends KustomIppError {
  readonly kind = "network" as const
}

/** No complete answer within `timeoutMs`. For a non-idempotent request the effect may have happened. */
export class KustomIppTimeoutError extends KustomIppError {
  readonly kind = "timeout" as const
  readonly timeoutMs: number

  constructor(message: string, options: KustomIppErrorOptions & { timeoutMs: number }) {
    super(message, options)
    this.timeoutMs = options.timeoutMs
  }
}

/** The caller's AbortSignal fired. */
export class KustomIppAbortError extends KustomIppError {
  readonly kind = "aborted" as const
}

export interface ResponseIssue {
  /** Dotted path of the offending field, e.g. `content[0].platform`; `(root)` for the body itself. */
  path: string
  message: string
}

/** A 2xx answer whose body does not match what the API documents. */
export class KustomIppUnexpectedResponseError extends KustomIppError {
  readonly kind = "unexpected_response" as const
  readonly status: number
  readonly issues: ResponseIssue[]

  constructor(
    options: KustomIppErrorOptions & { method: HttpMethod; path: string; status: number; issues: ResponseIssue[] },
  ) {
    const shown = options.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`)
    const more = options.issues.length > 5 ? ` (and ${options.issues.length - 5} more)` : ""
    super(
      `Kustom IPP ${options.method} ${options.path} answered ${options.status} with an unexpected body: ${shown.join("; ")}${more}`,
      options,
    )
    this.status = options.status
    this.issues = options.issues
  }
}

/** The client options are invalid, or an operation needs an option that is not set. */
export class KustomIppConfigError extends KustomIppError {
  readonly kind = "config" as const
  /** The offending option(s), e.g. `["retry", "maxRetries"]` → `"retry.maxRetries"`. */
  readonly fields: string[]

  constructor(message: string, fields: string[]) {
    super(message)
    this.fields = fields
  }
}

/** The arguments of a call are invalid; nothing was sent. */
export class KustomIppInvalidRequestError extends KustomIppError {
  readonly kind = "invalid_request" as const
  readonly field?: string

  constructor(message: string, field?: string) {
    super(message)
    if (field !== undefined) this.field = field
  }
}

export type AnyKustomIppError =
  | KustomIppApiError
  | KustomIppNetworkError
  | KustomIppTimeoutError
  | KustomIppAbortError
  | KustomIppUnexpectedResponseError
  | KustomIppConfigError
  | KustomIppInvalidRequestError

export function isKustomIppError(error: unknown): error is AnyKustomIppError {
  return error instanceof KustomIppError
}

/**
 * A copy of a low-level error (fetch's TypeError and its socket cause) that keeps name,
 * code and message only, with the API key scrubbed: no sockets, requests or headers.
 */
export function sanitizeCause(cause: unknown, redact: Redactor, depth = 0): Error | undefined {
  if (cause === undefined || cause === null || depth > 3) return undefined
  if (!(cause instanceof Error)) return new Error(redact(String(cause)))
  const copy = new Error(redact(cause.message))
  copy.name = cause.name
  const code = (cause as { code?: unknown }).code
  if (typeof code === "string" || typeof code === "number") {
    Object.defineProperty(copy, "code", { value: code, enumerable: true })
  }
  copy.stack = `${copy.name}: ${copy.message}`
  const inner = sanitizeCause((cause as { cause?: unknown }).cause, redact, depth + 1)
  if (inner) Object.defineProperty(copy, "cause", { value: inner, enumerable: false })
  return copy
}

function describeApiError(d: KustomIppApiErrorDetails): string {
  const parts = [`Kustom IPP ${d.method} ${d.path} failed with ${d.status}${d.statusText ? ` ${d.statusText}` : ""}`]
  const summary = [d.errorCode, d.title].filter(Boolean).join(" ")
  const detail = d.detail ?? (d.errorMessages?.length ? d.errorMessages.join("; ") : undefined)
  const text = [summary, detail].filter(Boolean).join(": ")
  if (text) parts.push(text)
  const fields = Object.entries(d.fieldErrors ?? {})
  if (fields.length) parts.push(`fields: ${fields.map(([f, m]) => `${f}: ${m}`).join("; ")}`)
  if (d.correlationId) parts.push(`correlation id ${d.correlationId}`)
  return parts.join(" — ")
}

function assignDefined(target: object, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value
  }
}
