import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { ConcurrencyLimit } from "../lib/concurrency"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"
import { KUSTOM_IPP_CALLBACK_RECEIVED, processKustomIppSession, type KustomIppCallbackReceivedData } from "../workflows"

/** Callbacks processed at once by this instance (`callbackConcurrency`); the rest wait their turn. */
let processing: ConcurrencyLimit | undefined

/**
 * Processes a callback as soon as it is recorded. If processing fails (Kustom unreachable, a
 * lock held too long), the callback is marked failed and the retry job takes it up again. A
 * paid sale Medusa refuses to make an order is recorded as a payment problem instead.
 */
export default async function processKustomIppCallback({ event, container }: SubscriberArgs<KustomIppCallbackReceivedData>) {
  processing ??= new ConcurrencyLimit(container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE).options.callbackConcurrency)
  try {
    const input = { kustom_session_id: event.data.kustom_session_id, callback_id: event.data.id }
    await processing.run(() => processKustomIppSession(container, input))
  } catch (error) {
    const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
    logger.warn(`Kustom In-Person Payments: callback ${event.data.id} will be retried: ${(error as Error).message}`)
    await container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE).markCallbackFailed(event.data.id, error)
  }
}

export const config: SubscriberConfig = {
  event: KUSTOM_IPP_CALLBACK_RECEIVED,
}
