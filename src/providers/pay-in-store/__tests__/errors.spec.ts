import { getHttpResponseFromError } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { KustomIppApiError, KustomIppNetworkError, KustomIppTimeoutError } from "../../../lib/kustom-ipp"
import { toMedusaError } from "../errors"

const DOING = "sending the payment to the device"

const apiError = (status: number, more: Partial<ConstructorParameters<typeof KustomIppApiError>[0]> = {}) =>
  new KustomIppApiError({ method: "POST", path: "/ipp/v1/sessions", status, ...more })

/** What Medusa's own error handler answers for the error. */
const httpStatusOf = (error: Error) => getHttpResponseFromError(error).statusCode

describe("toMedusaError: Kustom's failures as messages a person can act on", () => {
  it("says Kustom is unavailable, not that it refused, for 5xx, and to try again", () => {
    for (const status of [500, 502, 503, 504]) {
      const error = toMedusaError(apiError(status, { title: "Service Unavailable" }), DOING)
      expect(error.message).toBe(`Kustom is not available right now (HTTP ${status}: Service Unavailable) while ${DOING}. Try again in a moment.`)
      expect(httpStatusOf(error)).toBe(500)
      // Medusa answers a 500 with the message itself for this error type, so the person sees it.
      expect(getHttpResponseFromError(error).body.message).toBe(error.message)
    }
  })

  it("says Kustom is limiting requests for 429, with the wait it asked for", () => {
    const error = toMedusaError(apiError(429, { retryAfterMs: 2_500 }), DOING)
    expect(error.message).toBe(`Kustom is limiting requests right now (HTTP 429) while ${DOING}. Try again in a moment (Kustom asks to wait 3 s).`)
  })

  it("names Kustom's reason and the bad fields when it refuses the request (a 400 for the caller)", () => {
    const error = toMedusaError(
      apiError(400, { detail: "The request is invalid", fieldErrors: { device_id: "is not a registered device" } }),
      DOING
    )
    expect(error.message).toBe(`Kustom refused ${DOING} (HTTP 400): The request is invalid — device_id: is not a registered device.`)
    expect(httpStatusOf(error)).toBe(400)
  })

  it("falls back to Order Management's error messages, then to the title", () => {
    expect(toMedusaError(apiError(400, { errorMessages: ["Capture not allowed"] }), "capturing").message).toBe(
      "Kustom refused capturing (HTTP 400): Capture not allowed."
    )
    expect(toMedusaError(apiError(422, { title: "Unprocessable" }), "capturing").message).toBe("Kustom refused capturing (HTTP 422): Unprocessable.")
    expect(toMedusaError(apiError(400), "capturing").message).toBe("Kustom refused capturing (HTTP 400): no detail given.")
  })

  it("points at the API key on 401, and maps 404 and 409 to not found and not allowed", () => {
    const unauthorized = toMedusaError(apiError(401), DOING)
    expect(unauthorized.message).toMatch(/HTTP 401.*Check the Kustom API key in the plugin options\.$/)
    expect(httpStatusOf(unauthorized)).toBe(500)
    expect(httpStatusOf(toMedusaError(apiError(404), DOING))).toBe(404)
    expect(httpStatusOf(toMedusaError(apiError(409), DOING))).toBe(400)
  })

  it("says Kustom could not be reached on timeouts and dropped connections", () => {
    const timeout = new KustomIppTimeoutError("timed out", { method: "POST", path: "/ipp/v1/sessions", timeoutMs: 10_000 })
    const network = new KustomIppNetworkError("socket hang up", { method: "POST", path: "/ipp/v1/sessions" })
    expect(toMedusaError(timeout, DOING).message).toBe(`Kustom could not be reached while ${DOING} (no answer in time). Try again in a moment.`)
    expect(toMedusaError(network, DOING).message).toBe(`Kustom could not be reached while ${DOING} (connection failed). Try again in a moment.`)
  })

  it("passes Medusa's own errors and unrelated errors through unchanged", () => {
    const medusa = new MedusaError(MedusaError.Types.NOT_ALLOWED, "no")
    const plain = new Error("plain")
    expect(toMedusaError(medusa, DOING)).toBe(medusa)
    expect(toMedusaError(plain, DOING)).toBe(plain)
  })
})
