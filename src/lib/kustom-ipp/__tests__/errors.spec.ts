import { inspect } from "node:util"
import {
  type AnyKustomIppError,
  KustomIppApiError,
  KustomIppError,
  KustomIppNetworkError,
  KustomIppTimeoutError,
  KustomIppUnexpectedResponseError,
  isKustomIppError,
  parseRetryAfter,
} from ".."
import { sanitizeCause } from "../errors"
import { errorDetailsFromBody } from "../http"
import { createRedactor } from "../redact"

const API_KEY = "kco_test_api_errors_spec_secret"

describe("error bodies", () => {
  it("reads an RFC 7807 problem with field errors", () => {
    expect(
      errorDetailsFromBody({
        type: "https://docs.kustom.co/problems/validation",
        title: "Validation failed",
        status: 400,
        detail: "The order lines do not add up",
        errors: { "order_items[1].total_amount": "must equal unit_price * quantity - total_discount_amount" },
      }),
    ).toEqual({
      type: "https://docs.kustom.co/problems/validation",
      title: "Validation failed",
      detail: "The order lines do not add up",
      fieldErrors: { "order_items[1].total_amount": "must equal unit_price * quantity - total_discount_amount" },
    })
  })

  it("reads the Checkout / Order Management shape", () => {
    expect(
      errorDetailsFromBody({
        error_code: "CAPTURE_NOT_ALLOWED",
        error_messages: ["Captured amount is higher than the remaining authorized amount"],
        correlation_id: "c0rr-1",
      }),
    ).toEqual({
      errorCode: "CAPTURE_NOT_ALLOWED",
      errorMessages: ["Captured amount is higher than the remaining authorized amount"],
      correlationId: "c0rr-1",
    })
  })

  it("accepts field errors given as lists or arrays of messages", () => {
    expect(errorDetailsFromBody({ errors: { name: ["is required", "is too short"] } }).fieldErrors).toEqual({
      name: "is required; is too short",
    })
    expect(
      errorDetailsFromBody({ errors: [{ field: "device_id", message: "unknown device" }, { nonsense: true }] }).fieldErrors,
    ).toEqual({ device_id: "unknown device" })
  })

  it("ignores bodies that are not objects", () => {
    expect(errorDetailsFromBody("Bad Gateway")).toEqual({})
    expect(errorDetailsFromBody(null)).toEqual({})
    expect(errorDetailsFromBody([1, 2])).toEqual({})
  })
})

describe("Retry-After", () => {
  const now = Date.parse("2026-11-27T12:00:00Z")

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("2", now)).toBe(2000)
    expect(parseRetryAfter(" 0 ", now)).toBe(0)
  })

  it("reads an HTTP-date", () => {
    expect(parseRetryAfter("Fri, 27 Nov 2026 12:00:03 GMT", now)).toBe(3000)
    expect(parseRetryAfter("Fri, 27 Nov 2026 11:00:00 GMT", now)).toBe(0)
  })

  it("ignores missing or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter("", now)).toBeUndefined()
    expect(parseRetryAfter("soon", now)).toBeUndefined()
    expect(parseRetryAfter("-1", now)).toBeUndefined()
  })
})

describe("error objects", () => {
  const apiError = new KustomIppApiError({
    method: "POST",
    path: "/ipp/v1/sessions",
    status: 400,
    title: "Validation failed",
    detail: "The order lines do not add up",
    fieldErrors: { "order_items[0].tax_rate": "must be 0–10000" },
    correlationId: "corr-9",
    attempts: 1,
  })

  it("describe themselves in the message", () => {
    expect(apiError.message).toBe(
      "Kustom IPP POST /ipp/v1/sessions failed with 400 — Validation failed: The order lines do not add up — " +
        "fields: order_items[0].tax_rate: must be 0–10000 — correlation id corr-9",
    )
  })

  it("share a base class and a kind discriminator", () => {
    const errors: AnyKustomIppError[] = [
      apiError,
      new KustomIppNetworkError("net", { retryable: true }),
      new KustomIppTimeoutError("slow", { timeoutMs: 5, retryable: false }),
      new KustomIppUnexpectedResponseError({ method: "GET", path: "/x", status: 200, issues: [{ path: "id", message: "m" }] }),
    ]
    expect(errors.map((e) => e.kind)).toEqual(["api", "network", "timeout", "unexpected_response"])
    for (const error of errors) {
      expect(error).toBeInstanceOf(KustomIppError)
      expect(error).toBeInstanceOf(Error)
      expect(isKustomIppError(error)).toBe(true)
      expect(typeof error.retryable).toBe("boolean")
    }
    expect(errors[0].name).toBe("KustomIppApiError")
    expect(isKustomIppError(new Error("x"))).toBe(false)
  })

  it("serialise to JSON with their message and fields", () => {
    const json = JSON.parse(JSON.stringify(apiError))
    expect(json).toMatchObject({
      name: "KustomIppApiError",
      kind: "api",
      status: 400,
      message: apiError.message,
      fieldErrors: { "order_items[0].tax_rate": "must be 0–10000" },
      method: "POST",
      path: "/ipp/v1/sessions",
    })
  })

  it("keep a sanitised, non-enumerable cause", () => {
    const socketError = Object.assign(new Error(`connect ECONNREFUSED; Authorization: Basic ${API_KEY}`), {
      code: "ECONNREFUSED",
      socket: { headers: { authorization: `Basic ${API_KEY}` } },
    })
    const fetchError = Object.assign(new TypeError("fetch failed"), { cause: socketError })
    const error = new KustomIppNetworkError("network error", {
      cause: sanitizeCause(fetchError, createRedactor(API_KEY)),
    })
    expect(Object.keys(error)).not.toContain("cause")
    expect(JSON.stringify(error)).not.toContain(API_KEY)
    const inspected = inspect(error, { depth: 10, showHidden: true })
    expect(inspected).toContain("ECONNREFUSED")
    expect(inspected).not.toContain(API_KEY)
    expect((error.cause as Error).message).toBe("fetch failed")
  })
})
