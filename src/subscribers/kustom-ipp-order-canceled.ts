import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { withdrawOrderInStorePaymentsWorkflow } from "../workflows/withdraw-order-in-store-payments"

/**
 * An order cancelled in Medusa (e.g. a draft order converted while its payment waited on a
 * device) has that payment taken off the device, so the clerk cannot take money for it.
 */
export default async function withdrawPaymentsOfCanceledOrder({ event, container }: SubscriberArgs<{ id: string }>) {
  await withdrawOrderInStorePaymentsWorkflow(container).run({ input: { order_id: event.data.id } })
}

export const config: SubscriberConfig = {
  event: "order.canceled",
}
