/**
 * The device a payment goes to when its caller names none, as the store owner set it in the
 * admin (Settings → In-Person Payments → Default devices). The payment provider asks this
 * before falling back to the `defaultDevices` / `defaultDeviceId` plugin options.
 */
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"

export type DefaultDeviceQuery = {
  salesChannelId?: string | null
  /** The Kustom location the payment is for (e.g. the `locationId` plugin option). */
  kustomLocationId?: string | null
  /** A Medusa stock location; its linked Kustom location is used when `kustomLocationId` is absent. */
  stockLocationId?: string | null
}

export type DefaultDevice = { device_id: string; source: "sales_channel" | "location" | "options" }

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

/** The plugin options that name default devices (see README, options). */
export type DeviceDefaultOptions = {
  locationId?: string
  defaultDeviceId?: string
  defaultDevices?: { salesChannels?: Record<string, string>; locations?: Record<string, string> }
}

/** A cart or a draft order: its sales channel, and where its goods leave from. */
export type SaleForDevice = { kind: "cart" | "draft_order"; id: string; salesChannelId: string | null }

/**
 * The device a sale goes to when nobody names one: the store owner's defaults from the admin
 * (the sales channel's, then the location's), then the plugin options' (`defaultDevices` by
 * sales channel and by location, then `defaultDeviceId`). The location is the Kustom location
 * linked to the stock location the sale's shipping method (pick-up at the counter) leaves
 * from, then the `locationId` option; it is looked up only when the sales channel has no default.
 */
export async function chooseDefaultDevice(
  container: Resolvable,
  sale: SaleForDevice,
  options: DeviceDefaultOptions
): Promise<DefaultDevice | undefined> {
  const byChannel = await resolveDefaultDevice(container, { salesChannelId: sale.salesChannelId })
  if (byChannel) return byChannel
  // The stock location the goods leave from says more about where the sale is than the
  // store-wide `locationId` option, so its linked Kustom location's default comes first.
  const stockLocationId = await stockLocationOfSale(container, sale)
  const byStockLocation = stockLocationId ? await resolveDefaultDevice(container, { stockLocationId }) : undefined
  if (byStockLocation) return byStockLocation
  const byLocation = options.locationId ? await resolveDefaultDevice(container, { kustomLocationId: options.locationId }) : undefined
  if (byLocation) return byLocation
  const fromOptions =
    (sale.salesChannelId ? options.defaultDevices?.salesChannels?.[sale.salesChannelId] : undefined) ||
    (options.locationId ? options.defaultDevices?.locations?.[options.locationId] : undefined) ||
    options.defaultDeviceId
  return fromOptions ? { device_id: fromOptions, source: "options" } : undefined
}

/** The stock location of the sale's first shipping method that has one, or null. Never throws. */
async function stockLocationOfSale(container: Resolvable, sale: SaleForDevice): Promise<string | null> {
  try {
    const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
    const { data: sales } = await query.graph({
      entity: sale.kind === "cart" ? "cart" : "order",
      fields: ["id", "shipping_methods.shipping_option_id"],
      filters: { id: sale.id },
    })
    const optionIds = ((sales[0] as { shipping_methods?: { shipping_option_id?: string | null }[] } | undefined)?.shipping_methods ?? [])
      .map((method) => method?.shipping_option_id)
      .filter((id): id is string => Boolean(id))
    if (!optionIds.length) return null
    const { data: options } = await query.graph({
      entity: "shipping_option",
      fields: ["id", "service_zone.fulfillment_set.location.id"],
      filters: { id: optionIds },
    })
    for (const option of options as { service_zone?: { fulfillment_set?: { location?: { id?: string } | null } | null } | null }[]) {
      const locationId = option?.service_zone?.fulfillment_set?.location?.id
      if (locationId) return locationId
    }
    return null
  } catch {
    return null
  }
}
