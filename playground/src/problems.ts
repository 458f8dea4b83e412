/**
 * Error answers. IPP (and emulator) routes answer RFC 7807 problem details; the Klarna-compatible
 * Order Management routes answer the Checkout error shape. Handlers throw `HttpError` and the
 * server renders it for the route family, so a handler never needs to know which shape applies.
 */
import { randomUUID } from "node:crypto"
import { STATUS_CODES } from "node:http"
import type { z } from "zod"

export type ErrorFamily = "problem" | "order-management"

export type FieldErrors = Record<string, string>

export interface HttpErrorInit {
  status: number
  detail: string
  /** Field path → message, for validation problems. */
  errors?: FieldErrors
  /** Order Management `error_code`; derived from the status when absent. */
  code?: string
  headers?: Record<string, string>
}

export class HttpError extends Error {
  readonly status: number
  readonly detail: string
  readonly errors: FieldErrors | undefined
  readonly code: string | undefined
  readonly headers: Record<string, string>

  constructor(init: HttpErrorInit) {
    super(init.detail)
    this.name = "HttpError"
    this.status = init.status
    this.detail = init.detail
    this.errors = init.errors
    this.code = init.code
    this.headers = init.headers ?? {}
  }
}

export const badRequest = (detail: string, errors?: FieldErrors, code = "BAD_VALUE"): HttpError =>
  new HttpError({ status: 400, detail, errors, code })

export const notFound = (detail: string, code = "NOT_FOUND"): HttpError =>
  new HttpError({ status: 404, detail, code })

export const conflict = (detail: string, code = "CONFLICT"): HttpError =>
  new HttpError({ status: 409, detail, code })

/** A single-field validation error. */
export const fieldError = (field: string, message: string): HttpError =>
  badRequest(`Invalid request: ${field} ${message}`, { [field]: message })

/** `BAD_REQUEST` style code from a status, for faults and generic errors on OM routes. */
export function errorCodeForStatus(status: number): string {
  const phrase = STATUS_CODES[status] ?? "Error"
  return phrase.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_|_$/g, "")
}

export function problemBody(status: number, detail: string, errors?: FieldErrors): Record<string, unknown> {
  return {
    type: "about:blank",
    title: STATUS_CODES[status] ?? "Error",
    status,
    detail,
    errors: errors ?? {},
  }
}

export function orderManagementErrorBody(code: string, messages: string[]): Record<string, unknown> {
  return { error_code: code, error_messages: messages, correlation_id: randomUUID() }
}

export interface RenderedError {
  status: number
  contentType: string
  headers: Record<string, string>
  body: Record<string, unknown>
}

export function renderError(error: HttpError, family: ErrorFamily): RenderedError {
  if (family === "order-management") {
    const messages = [error.detail, ...Object.entries(error.errors ?? {}).map(([f, m]) => `${f}: ${m}`)]
    return {
      status: error.status,
      contentType: "application/json",
      headers: error.headers,
      body: orderManagementErrorBody(error.code ?? errorCodeForStatus(error.status), messages),
    }
  }
  return {
    status: error.status,
    contentType: "application/problem+json",
    headers: error.headers,
    body: problemBody(error.status, error.detail, error.errors),
  }
}

// ---------------------------------------------------------------------------------------------
// zod issues → field errors
// ---------------------------------------------------------------------------------------------

/** `["order_items", 1, "total_amount"]` → `order_items[1].total_amount` (the API's field paths). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ""
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`
    else out += out === "" ? String(part) : `.${String(part)}`
  }
  return out
}

const ARTICLE = (word: string): string => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`)

/** Short, human messages instead of zod's "Invalid input: …" ones. */
function issueMessage(issue: z.core.$ZodIssue): string {
  const missing = issue.code === "invalid_type" && (!("input" in issue) || issue.input === undefined)
  // A schema's own message (anything but zod's "Invalid …" defaults) is kept as written.
  if (!missing && !issue.message.startsWith("Invalid ")) return issue.message
  switch (issue.code) {
    case "invalid_type":
      // zod leaves `input` out when the value was undefined, i.e. the field is missing.
      if (!("input" in issue) || issue.input === undefined) return "is required"
      if (issue.expected === "int") return "must be an integer"
      return `must be ${ARTICLE(issue.expected)}`
    case "invalid_value":
      return `must be one of: ${issue.values.map((v) => String(v)).join(", ")}`
    default:
      return issue.message
  }
}

/** Every issue of a failed parse, keyed by field path (the first message per path wins). */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[], root = "body"): FieldErrors {
  const errors: FieldErrors = {}
  const add = (path: string, message: string): void => {
    const key = path === "" ? root : path
    if (!(key in errors)) errors[key] = message
  }
  for (const issue of issues) {
    const base = formatPath(issue.path)
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add(base === "" ? key : `${base}.${key}`, "is not a known field")
    } else {
      add(base, issueMessage(issue))
    }
  }
  return errors
}

/** `a is required; b must be an integer` — field errors in one line, for `detail` and thrown Errors. */
export function describeFieldErrors(errors: FieldErrors): string {
  return Object.entries(errors)
    .map(([field, message]) => `${field} ${message}`)
    .join("; ")
}

/** Parse with a zod schema or throw a 400 with one error per field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what = "request body"): T {
  const result = schema.safeParse(input, { reportInput: true })
  if (result.success) return result.data
  const errors = issuesToFieldErrors(result.error.issues)
  throw badRequest(`Invalid ${what}: ${describeFieldErrors(errors)}`, errors)
}
