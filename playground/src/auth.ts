/**
 * Authentication: Kustom's API key (two Basic forms), the `x-merchant-id` header, and the
 * virtual device's bearer token.
 */
import { timingSafeEqual } from "node:crypto"
import type { IncomingHttpHeaders } from "node:http"
import { badRequest, HttpError } from "./problems"

/** Compare secrets without leaking how much of them matched through timing. */
function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

function basicCredentials(header: string | undefined): string | undefined {
  const match = /^Basic +(\S+) *$/i.exec(header ?? "")
  return match?.[1]
}

/**
 * Accepts `Basic <API key>` and the older `Basic base64("<MID>-<suffix>:<API key>")`, where
 * `<MID>` is the playground's merchant id and `<suffix>` is any non-empty text.
 */
export function isAuthorized(header: string | undefined, apiKey: string, merchantId: string): boolean {
  const credentials = basicCredentials(header)
  if (!credentials) return false
  if (safeEqual(credentials, apiKey)) return true

  // Only canonical base64 counts, so the API key itself is never "decoded" by accident.
  const decoded = Buffer.from(credentials, "base64")
  if (decoded.toString("base64").replace(/=+$/, "") !== credentials.replace(/=+$/, "")) return false
  const text = decoded.toString("utf8")
  const colon = text.indexOf(":")
  if (colon < 0) return false
  const user = text.slice(0, colon)
  const password = text.slice(colon + 1)
  const prefix = `${merchantId}-`
  return user.startsWith(prefix) && user.length > prefix.length && safeEqual(password, apiKey)
}

export function unauthorized(detail = "Missing or invalid API key"): HttpError {
  return new HttpError({
    status: 401,
    detail,
    code: "UNAUTHORIZED",
    headers: { "www-authenticate": 'Basic realm="Kustom"' },
  })
}

/**
 * `x-merchant-id` is optional (Kustom resolves the merchant from the key) except where Kustom
 * requires it; when sent it must name this merchant.
 */
export function checkMerchantHeader(headers: IncomingHttpHeaders, merchantId: string, required: boolean): void {
  const raw = headers["x-merchant-id"]
  const value = Array.isArray(raw) ? raw[0] : raw
  if (value === undefined || value.trim() === "") {
    if (required) {
      throw badRequest("The x-merchant-id header is required for this endpoint", {
        "x-merchant-id": "header is required",
      })
    }
    return
  }
  if (value.trim() !== merchantId) {
    throw new HttpError({
      status: 403,
      detail: `The x-merchant-id header "${value}" does not match the merchant of this API key`,
      code: "FORBIDDEN",
    })
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? "")
  return match?.[1]
}
