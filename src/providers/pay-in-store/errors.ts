import { MedusaError } from "@medusajs/framework/utils"
import { isKustomIppError } from "../../lib/kustom-ipp"

/**
 * Turns a Kustom client error into a MedusaError a person can act on. The client's messages
 * never contain the API key; the Kustom detail and field errors are kept because they say
 * what to fix (an unknown device, a line that does not add up).
 */
export function toMedusaError(error: unknown, doing: string): Error {
  if (error instanceof MedusaError) return error
  if (!isKustomIppError(error)) return error instanceof Error ? error : new Error(String(error))
  switch (error.kind) {
    case "timeout":
    case "network":
      return new MedusaError(
        MedusaError.Types.UNEXPECTED_STATE,
        `Kustom could not be reached while ${doing} (${error.kind === "timeout" ? "no answer in time" : "connection failed"}). Try again in a moment.`
      )
    case "api": {
      const fields = Object.entries(error.fieldErrors)
        .map(([field, message]) => `${field}: ${message}`)
        .join("; ")
      const detail = [error.detail || error.errorMessages.join("; ") || error.title, fields].filter(Boolean).join(" — ")
      if (error.status >= 500 || error.status === 429) {
        // Kustom's own trouble or its rate limit: nothing in the request is wrong, so "refused"
        // would send the person looking for a mistake they did not make.
        const why = error.status === 429 ? "is limiting requests right now" : "is not available right now"
        const wait = error.retryAfterMs ? ` (Kustom asks to wait ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))} s)` : ""
        return new MedusaError(
          MedusaError.Types.UNEXPECTED_STATE,
          `Kustom ${why} (HTTP ${error.status}${detail ? `: ${detail}` : ""}) while ${doing}. Try again in a moment${wait}.`
        )
      }
      const type =
        error.status === 404
          ? MedusaError.Types.NOT_FOUND
          : error.status === 409 || error.status === 403
            ? MedusaError.Types.NOT_ALLOWED
            : error.status === 401
              ? MedusaError.Types.UNEXPECTED_STATE
              : MedusaError.Types.INVALID_DATA
      const hint = error.status === 401 ? " Check the Kustom API key in the plugin options." : ""
      return new MedusaError(type, `Kustom refused ${doing} (HTTP ${error.status}): ${detail || "no detail given"}.${hint}`)
    }
    default:
      return new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Kustom answered unexpectedly while ${doing}: ${error.message}`)
  }
}

/**
 * Whether a message is one of `toMedusaError`'s for Kustom being down, limiting requests or
 * unreachable: nothing in the request was wrong, and trying again later can work.
 */
export function saysKustomIsUnavailable(message: unknown): boolean {
  return typeof message === "string" && /^Kustom (is not available right now|is limiting requests right now|could not be reached while) /.test(message)
}

/** Said whenever a change would pull a payment away from a clerk who is taking it. */
export function clerkIsCollecting(): MedusaError {
  return new MedusaError(
    MedusaError.Types.NOT_ALLOWED,
    "The clerk is already taking this payment on the device. Cancel it on the device (or from the admin) before changing the sale or sending it again."
  )
}
