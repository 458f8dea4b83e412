/**
 * The device a payment goes to when its caller names none, as the store owner set it in the
 * admin (Settings → In-Person Payments → Default devices). The payment provider asks this
 * before falling back to the `defaultDevices` / `defaultDeviceId` plugin options.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"

export type DefaultDeviceQuery = {
  salesChannelId?: string | null
  /** The Kustom location the payment is for (e.g. the `locationId` plugin option). */
  kustomLocationId?: string | null
  /** A Medusa stock location; its linked Kustom location is used when `kustomLocationId` is absent. */
  stockLocationId?: string | null
}

export type DefaultDevice = { device_id: string; source: "sales_channel" | "location" }

type Resolvable = Pick<MedusaContainer, "resolve">

/**
 * The sales channel's default device, else the Kustom location's, else undefined. Never
 * throws for a missing module or table (a store that has not run the migration yet): the
 * caller then uses its own fallback.
 */
export async function resolveDefaultDevice(container: Resolvable, query: DefaultDeviceQuery): Promise<DefaultDevice | undefined> {
  let kustomIpp: KustomIppModuleService
  try {
    kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  } catch {
    return undefined
  }
  try {
    if (query.salesChannelId) {
      const [byChannel] = await kustomIpp.settings.listDeviceDefaults({ scope: "sales_channel", scope_id: query.salesChannelId })
      if (byChannel) return { device_id: byChannel.device_id, source: "sales_channel" }
    }
    let locationId = query.kustomLocationId ?? null
    if (!locationId && query.stockLocationId) {
      const [link] = await kustomIpp.settings.listLocationLinks({ stock_location_id: query.stockLocationId })
      locationId = link?.kustom_location_id ?? null
    }
    if (locationId) {
      const [byLocation] = await kustomIpp.settings.listDeviceDefaults({ scope: "location", scope_id: locationId })
      if (byLocation) return { device_id: byLocation.device_id, source: "location" }
    }
  } catch {
    return undefined
  }
  return undefined
}
