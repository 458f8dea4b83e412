import type { MedusaNextFunction, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"

/**
 * Kustom could not be asked, did not take the cancel, or another change of the same payment is
 * still going on: 503 with the message (Medusa's own handler would answer 500), so that callers
 * know to try again; anything else goes on to Medusa's handler. Nothing was changed in Medusa
 * either way.
 */
export function passOnGuardError(error: unknown, res: MedusaResponse, next: MedusaNextFunction): void {
  if (error instanceof MedusaError && error.type === MedusaError.Types.UNEXPECTED_STATE) {
    res.status(503).json({ type: "unexpected_state", message: error.message })
    return
  }
  next(error)
}
