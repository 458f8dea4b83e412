import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { KUSTOM_IPP_MODULE } from "../../../modules/kustom-ipp"
import type KustomIppModuleService from "../../../modules/kustom-ipp/service"
import { receiveKustomIppCallbackWorkflow } from "../../../workflows"

/**
 * Kustom's lifecycle callbacks: `POST /hooks/kustom-ipp`. Verifies the Standard Webhooks
 * signature over the raw body, records the delivery, and answers 2xx only once it is recorded.
 * Processing happens afterwards in a workflow; a failure here answers 503 so Kustom redelivers.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  const kustomIpp = req.scope.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const rawBody = (req as MedusaRequest & { rawBody?: Buffer }).rawBody
  if (!rawBody) {
    res.status(415).json({ type: "invalid_data", message: "Send the callback as application/json" })
    return
  }
  const verified = kustomIpp.verifyCallback(rawBody, req.headers)
  // For the admin's "last callback" (it never throws). Off the path from tap to order: a
  // valid callback does not wait for it.
  const noted = kustomIpp.noteCallbackAttempt({ ok: verified.ok, reason: verified.ok ? null : verified.reason }).catch(() => undefined)
  if (!verified.ok) {
    await noted
    // The reason stays in the log: telling a caller which check failed would help a forger.
    logger.warn(`Kustom In-Person Payments: rejected a callback (${verified.reason})`)
    res.status(401).json({ type: "unauthorized", message: "Invalid callback signature" })
    return
  }
  const event = verified.event
  const data = (event.data ?? {}) as Record<string, unknown>
  const text = (value: unknown) => (typeof value === "string" && value ? value : null)
  const timestamp = text(event.timestamp) ? new Date(event.timestamp) : null
  try {
    const { result } = await receiveKustomIppCallbackWorkflow(req.scope).run({
      input: {
        webhook_id: verified.webhookId,
        event_type: event.type,
        kustom_session_id: text(data.session_id),
        kustom_order_id: text(data.order_id),
        failure_reason: text(data.failure_reason),
        event_timestamp: timestamp && !Number.isNaN(timestamp.getTime()) ? timestamp : null,
      },
    })
    res.status(200).json({ received: true, duplicate: result.duplicate })
  } catch (error) {
    logger.error(`Kustom In-Person Payments: could not record callback ${verified.webhookId}: ${(error as Error).message}`)
    res.status(503).json({ type: "unexpected_state", message: "The callback could not be recorded; deliver it again" })
  }
}
