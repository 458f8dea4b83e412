import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { KUSTOM_IPP_EVENTS, type ProcessKustomIppSessionResult } from "../workflows/process-kustom-ipp-session"

/**
 * Money was taken on a device but no order shows it (the amount did not match the sale, the
 * payment it was for no longer exists, the cart became an order without this payment, or Medusa
 * refused to make the sale an order). A person must act: this says so at error level, with the
 * ids needed to find the payment in Kustom and in Medusa.
 */
export default async function logPaymentsNeedingAttention({
  event,
  container,
}: SubscriberArgs<ProcessKustomIppSessionResult & { reason?: string }>) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const { kustom_session_id, payment_session_id, sale_kind, sale_id, reason } = event.data
  logger.error(
    `Kustom In-Person Payments: a payment needs attention (${event.name}): Kustom session ${kustom_session_id}, ` +
      `payment session ${payment_session_id ?? "—"}, ${sale_kind ?? "sale"} ${sale_id ?? "—"}. ${reason ?? ""}`.trim()
  )
}

export const config: SubscriberConfig = {
  event: [KUSTOM_IPP_EVENTS.AMOUNT_MISMATCH, KUSTOM_IPP_EVENTS.UNMATCHED, KUSTOM_IPP_EVENTS.ORDER_REFUSED],
}
