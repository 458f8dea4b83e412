import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { saysKustomIsUnavailable } from "../../providers/pay-in-store/errors"

/**
 * Kustom being down, limiting requests or unreachable is answered 503 (try again), as the
 * guards answer it, instead of the 500 Medusa's error handler gives every unexpected state. The
 * error can come from deep inside Medusa's own routes and workflows (the provider sending a
 * payment, a capture, a refund), so the answer is corrected on its way out; the message, which
 * says what happened and what to do, is kept as it is.
 */
export function answerKustomUnavailableWith503(_req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction): void {
  const json = res.json.bind(res)
  res.json = (body?: unknown) => {
    if (res.statusCode === 500 && saysKustomIsUnavailable((body as { message?: unknown } | undefined)?.message)) res.status(503)
    return json(body)
  }
  next()
}
