import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { kustomWebhookEventFields } from "../../../lib/kustom-ipp"
import { KUSTOM_IPP_MODULE } from "../../../modules/kustom-ipp"
import type KustomIppModuleService from "../../../modules/kustom-ipp/service"
import { receiveKustomIppCallbackWorkflow } from "../../../workflows"
import type { RequestWithRawBody } from "../../body/read-raw-body"

/**
 * Kustom's lifecycle callbacks: `POST /hooks/kustom-ipp`. Verifies the Standard Webhooks
 * signature over the raw body (any Content-Type), records the delivery, and answers 2xx only
 * once it is recorded. Processing happens afterwards in a workflow; a failure here answers
 * 503 so Kustom redelivers.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  const kustomIpp = req.scope.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const verified = kustomIpp.verifyCallback((req as RequestWithRawBody).rawBody ?? Buffer.alloc(0), req.headers)
  // For the admin's "last callback" (it never throws). Off the path from tap to order: a
  // valid callback does not wait for it.
  const noted = kustomIpp.noteCallbackAttempt({ ok: verified.ok, reason: verified.ok ? null : verified.reason }).catch(() => undefined)
  if (!verified.ok) {
    await noted
    logger.warn(`Kustom In-Person Payments: rejected a callback (${verified.reason})`)
    if (verified.authentic) {
      // Signed by the holder of the secret, so saying what is wrong helps and gives nothing away.
      res.status(400).json({ type: "invalid_data", message: `Invalid callback: ${verified.message}` })
    } else {
      // Which check failed stays in the log: telling an unsigned caller would help a forger.
      res.status(401).json({ type: "unauthorized", message: "Invalid callback signature" })
    }
    return
  }
  const fields = kustomWebhookEventFields(verified.event)
  try {
    const { result } = await receiveKustomIppCallbackWorkflow(req.scope).run({
      input: {
        webhook_id: verified.webhookId,
        event_type: fields.type,
        kustom_session_id: fields.sessionId,
        kustom_order_id: fields.orderId,
        failure_reason: fields.failureReason,
        event_timestamp: fields.occurredAt,
      },
    })
    res.status(200).json({ received: true, duplicate: result.duplicate })
  } catch (error) {
    logger.error(`Kustom In-Person Payments: could not record callback ${verified.webhookId}: ${describeStorageError(error)}`)
    res.status(503).json({ type: "unexpected_state", message: "The callback could not be recorded; deliver it again" })
  }
}

/** The cause without the statement: a database error's message repeats the SQL and its values. */
function describeStorageError(error: unknown): string {
  const { message = String(error), code } = (error ?? {}) as { message?: string; code?: string }
  const cause = message.includes(" - ") ? message.slice(message.lastIndexOf(" - ") + 3) : message
  return `${code ? `${code}: ` : ""}${cause.slice(0, 300)}`
}
