/**
 * One HTTP exchange with Kustom: headers, per-attempt timeout, error mapping, logging, and
 * retries with exponential backoff and full jitter for requests that are safe to repeat.
 */
import type { KustomIppLogger, ResolvedKustomIppConfig } from "./config"
import {
  KustomIppAbortError,
  KustomIppApiError,
  type KustomIppApiErrorDetails,
  type KustomIppError,
  KustomIppNetworkError,
  KustomIppTimeoutError,
  type HttpMethod,
  sanitizeCause,
} from "./errors"
import { createRedactor, type Redactor, redactValue } from "./redact"

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[]

export interface HttpRequest {
  method: HttpMethod
  /** Starts with "/"; path segments already encoded. */
  path: string
  query?: Record<string, QueryValue>
  /** Serialised as JSON. */
  body?: unknown
  headers?: Record<string, string>
  /**
   * Whether a failed attempt may be sent again. Only true where a repeat cannot duplicate
   * an effect: GET/PUT/DELETE, and POSTs carrying an idempotency key.
   */
  retry: boolean
  signal?: AbortSignal
  timeoutMs?: number
}

export interface HttpResponse {
  status: number
  headers: Headers
  /** Raw body text ("" when empty). */
  text: string
  /** Parsed JSON; undefined when the body is empty or not JSON (see `isJson`). */
  body: unknown
  isJson: boolean
  attempts: number
}

/** Statuses worth another attempt: the request was not processed, or may succeed shortly. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

const MAX_ERROR_BODY_CHARS = 4_000
const MAX_MESSAGE_TEXT_CHARS = 200

type AttemptResult =
  | { type: "response"; response: Response; text: string; durationMs: number }
  | { type: "failure"; failure: "timeout" | "network" | "aborted"; cause: unknown; durationMs: number }

export class HttpTransport {
  readonly #apiKey: string
  readonly #config: ResolvedKustomIppConfig
  readonly #redact: Redactor

  constructor(config: ResolvedKustomIppConfig) {
    this.#apiKey = config.apiKey
    this.#config = config
    this.#redact = createRedactor(config.apiKey)
  }

  get baseUrl(): string {
    return this.#config.baseUrl
  }

  get merchantId(): string | undefined {
    return this.#config.merchantId
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const { retry: retryConfig } = this.#config
    const maxAttempts = req.retry ? retryConfig.maxRetries + 1 : 1
    const timeoutMs = req.timeoutMs ?? this.#config.timeoutMs
    const url = this.#url(req.path, req.query)
    const init: RequestInit = {
      method: req.method,
      headers: this.#headers(req),
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: "error",
    }

    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw this.#abortError(req, attempt - 1)
      const result = await this.#attempt(url, init, timeoutMs, req.signal)
      const canRetry = req.retry && attempt < maxAttempts
      let error: KustomIppError
      let delayMs: number | undefined

      if (result.type === "failure") {
        if (result.failure === "aborted") {
          this.#logAttempt(req, "aborted by the caller", result.durationMs, attempt, maxAttempts, undefined)
          throw this.#abortError(req, attempt)
        }
        const common = {
          retryable: req.retry,
          method: req.method,
          path: req.path,
          attempts: attempt,
          cause: sanitizeCause(result.cause, this.#redact),
        }
        error =
          result.failure === "timeout"
            ? new KustomIppTimeoutError(
                `Kustom IPP ${req.method} ${req.path} timed out after ${timeoutMs} ms`,
                { ...common, timeoutMs },
              )
            : new KustomIppNetworkError(
                `Kustom IPP ${req.method} ${req.path} failed: network error (${describeCause(result.cause, this.#redact)})`,
                common,
              )
        if (canRetry) delayMs = this.#backoff(attempt)
        const what = result.failure === "timeout" ? `timeout after ${timeoutMs} ms` : "network error"
        this.#logAttempt(req, what, result.durationMs, attempt, maxAttempts, delayMs)
      } else {
        const { response, text, durationMs } = result
        const parsed = parseJson(text)
        if (response.status >= 200 && response.status < 300) {
          this.#logAttempt(req, String(response.status), durationMs, attempt, maxAttempts, undefined)
          return {
            status: response.status,
            headers: response.headers,
            text,
            body: parsed.value,
            isJson: parsed.ok,
            attempts: attempt,
          }
        }
        const retryableStatus = req.retry && RETRYABLE_STATUSES.has(response.status)
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now())
        error = this.#apiError(req, response, text, parsed, {
          retryable: retryableStatus,
          attempts: attempt,
          retryAfterMs,
        })
        if (canRetry && retryableStatus) {
          if (retryAfterMs === undefined) delayMs = this.#backoff(attempt)
          // A server asking for a longer wait than we are allowed to block gets its answer
          // now (with retryAfterMs on the error) rather than an early, doomed retry.
          else if (retryAfterMs <= retryConfig.maxDelayMs) delayMs = retryAfterMs
        }
        this.#logAttempt(req, String(response.status), durationMs, attempt, maxAttempts, delayMs)
      }

      if (delayMs === undefined) throw error
      await this.#config.sleep(delayMs)
    }
  }

  async #attempt(url: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal): Promise<AttemptResult> {
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    const onCallerAbort = () => controller.abort()
    signal?.addEventListener("abort", onCallerAbort, { once: true })
    const started = performance.now()
    try {
      const response = await this.#config.fetch(url, { ...init, signal: controller.signal })
      // The timeout covers the body too: a server that stalls mid-body is a timeout.
      const text = await response.text()
      return { type: "response", response, text, durationMs: performance.now() - started }
    } catch (cause) {
      const failure = signal?.aborted ? "aborted" : timedOut ? "timeout" : "network"
      return { type: "failure", failure, cause, durationMs: performance.now() - started }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener("abort", onCallerAbort)
    }
  }

  /** Full jitter: uniform in [0, min(maxDelay, base * 2^(attempt-1))). */
  #backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.#config.retry
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))
    return Math.floor(this.#config.random() * ceiling)
  }

  #url(path: string, query?: Record<string, QueryValue>): string {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue
      const values = Array.isArray(value) ? value : [value]
      for (const v of values) params.append(key, String(v))
    }
    const qs = params.toString()
    return `${this.#config.baseUrl}${path}${qs ? `?${qs}` : ""}`
  }

  #headers(req: HttpRequest): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: `Basic ${this.#apiKey}`,
      Accept: "application/json",
      "User-Agent": this.#config.userAgent,
      ...req.headers,
    }
    if (this.#config.merchantId) headers["x-merchant-id"] = this.#config.merchantId
    if (req.body !== undefined) headers["Content-Type"] = "application/json"
    return headers
  }

  #apiError(
    req: HttpRequest,
    response: Response,
    text: string,
    parsed: { ok: boolean; value: unknown },
    extra: { retryable: boolean; attempts: number; retryAfterMs?: number },
  ): KustomIppApiError {
    const redact = this.#redact
    const fromBody = parsed.ok ? errorDetailsFromBody(parsed.value) : {}
    const trimmedText = text.trim()
    const details: KustomIppApiErrorDetails = {
      method: req.method,
      path: req.path,
      status: response.status,
      statusText: response.statusText || undefined,
      ...fromBody,
      correlationId:
        fromBody.correlationId ??
        (response.headers.get("klarna-correlation-id") ||
          response.headers.get("correlation-id") ||
          response.headers.get("x-correlation-id") ||
          undefined),
      // A proxy's HTML or plain-text page: keep a short excerpt as the detail.
      detail:
        fromBody.detail ??
        (!parsed.ok && trimmedText
          ? truncate(trimmedText.replace(/\s+/g, " "), MAX_MESSAGE_TEXT_CHARS)
          : undefined),
      body: parsed.ok ? parsed.value : trimmedText ? truncate(text, MAX_ERROR_BODY_CHARS) : undefined,
      ...extra,
    }
    return new KustomIppApiError(redactDetails(details, redact))
  }

  #abortError(req: HttpRequest, attempts: number): KustomIppAbortError {
    return new KustomIppAbortError(`Kustom IPP ${req.method} ${req.path} was aborted by the caller`, {
      method: req.method,
      path: req.path,
      attempts,
    })
  }

  #logAttempt(
    req: HttpRequest,
    outcome: string,
    durationMs: number,
    attempt: number,
    maxAttempts: number,
    retryInMs: number | undefined,
  ): void {
    const logger = this.#config.logger
    if (!logger) return
    let line = `Kustom IPP ${req.method} ${req.path} -> ${outcome} in ${Math.round(durationMs)} ms`
    // The attempt count only where there was or will be another: a 404 answered at once is final.
    if (maxAttempts > 1 && (attempt > 1 || retryInMs !== undefined)) line += ` (attempt ${attempt}/${maxAttempts})`
    if (retryInMs !== undefined) line += `; retrying in ${retryInMs} ms`
    const ok = /^2\d\d$/.test(outcome)
    const level: keyof KustomIppLogger = ok ? "debug" : retryInMs !== undefined ? "warn" : /^4\d\d$/.test(outcome) ? "warn" : "error"
    try {
      logger[level]?.(this.#redact(line))
    } catch {
      // A failing logger must not fail the payment call.
    }
  }
}

/**
 * `Retry-After` as milliseconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unparseable, so the normal backoff applies.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // HTTP-dates always name the month; this keeps Date.parse from reading "-1" as a year.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}

/** Reads both RFC 7807 problem details and the Checkout `{ error_code, error_messages, correlation_id }` shape. */
export function errorDetailsFromBody(
  body: unknown,
): Pick<KustomIppApiErrorDetails, "type" | "title" | "detail" | "fieldErrors" | "errorCode" | "errorMessages" | "correlationId"> {
  if (!isRecord(body)) return {}
  const errorMessages = Array.isArray(body.error_messages)
    ? body.error_messages.filter((m): m is string => typeof m === "string")
    : undefined
  const fieldErrors = toFieldErrors(body.errors)
  return dropUndefined({
    type: nonEmptyString(body.type),
    title: nonEmptyString(body.title),
    detail: nonEmptyString(body.detail) ?? nonEmptyString(body.message),
    fieldErrors: fieldErrors && Object.keys(fieldErrors).length ? fieldErrors : undefined,
    errorCode: nonEmptyString(body.error_code) ?? nonEmptyString(body.code),
    errorMessages: errorMessages?.length ? errorMessages : undefined,
    correlationId: nonEmptyString(body.correlation_id),
  })
}

/** `errors` as a `{ field: message }` map; also accepts `[{ field, message }]` lists. */
function toFieldErrors(errors: unknown): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  const message = (value: unknown): string =>
    typeof value === "string"
      ? value
      : Array.isArray(value)
        ? value.map(message).join("; ")
        : isRecord(value) && typeof value.message === "string"
          ? value.message
          : JSON.stringify(value)
  if (Array.isArray(errors)) {
    for (const entry of errors) {
      if (!isRecord(entry)) continue
      const field = nonEmptyString(entry.field) ?? nonEmptyString(entry.name) ?? nonEmptyString(entry.path)
      if (field) out[field] = message(entry.message ?? entry.detail ?? entry)
    }
    return out
  }
  if (!isRecord(errors)) return undefined
  for (const [field, value] of Object.entries(errors)) out[field] = message(value)
  return out
}

function redactDetails(details: KustomIppApiErrorDetails, redact: Redactor): KustomIppApiErrorDetails {
  const r = (s: string | undefined) => (s === undefined ? undefined : redact(s))
  return {
    ...details,
    statusText: r(details.statusText),
    type: r(details.type),
    title: r(details.title),
    detail: r(details.detail),
    errorCode: r(details.errorCode),
    correlationId: r(details.correlationId),
    errorMessages: details.errorMessages?.map(redact),
    fieldErrors: details.fieldErrors
      ? Object.fromEntries(Object.entries(details.fieldErrors).map(([k, v]) => [redact(k), redact(v)]))
      : undefined,
    body: redactValue(details.body, redact),
  }
}

function describeCause(cause: unknown, redact: Redactor): string {
  const parts: string[] = []
  let current: unknown = cause
  for (let depth = 0; current instanceof Error && depth < 3; depth++) {
    const code = (current as { code?: unknown }).code
    parts.push(typeof code === "string" ? `${current.message} [${code}]` : current.message)
    current = (current as { cause?: unknown }).cause
  }
  return redact(parts.join(": ") || "unknown error")
}

function parseJson(text: string): { ok: boolean; value: unknown } {
  if (!text.trim()) return { ok: false, value: undefined }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false, value: undefined }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key]
  return value
}
