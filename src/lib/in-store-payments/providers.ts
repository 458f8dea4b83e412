import { MedusaError, Modules } from "@medusajs/framework/utils"
import type { IPaymentModuleService, MedusaContainer } from "@medusajs/framework/types"
import { PROVIDER_ID_PREFIX } from "../../providers/pay-in-store/payment-data"


/**
 * The Pay in store provider to use: the one asked for, or the only one registered. A store
 * may register several (one per Kustom account); then callers must name one.
 */
export async function resolvePayInStoreProvider(container: MedusaContainer, requested?: string): Promise<string> {
  const payments = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const providers = (await payments.listPaymentProviders({}, { select: ["id", "is_enabled"] })).filter(
    (provider) => provider.id.startsWith(PROVIDER_ID_PREFIX) && provider.is_enabled
  )
  if (requested) {
    if (!providers.some((provider) => provider.id === requested)) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `provider_id: ${requested} is not a registered Pay in store provider`)
    }
    return requested
  }
  if (providers.length === 1) return providers[0].id
  if (!providers.length) {
    throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "No Pay in store provider is registered: add it to the payment module's providers in medusa-config")
  }
  throw new MedusaError(
    MedusaError.Types.INVALID_DATA,
    `provider_id: several Pay in store providers are registered (${providers.map((provider) => provider.id).join(", ")}); name one`
  )
}
