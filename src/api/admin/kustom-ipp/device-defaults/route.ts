import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import type { DeviceDefaultView } from "../../../../modules/kustom-ipp/admin-settings"
import type { PluginOptions } from "../../../../lib/options"
import type { SetDeviceDefaultBody } from "../validators"
import { kustomCall, kustomModule } from "../helpers"

/**
 * `defaults`: set in this admin. `configured`: set in the plugin's options (medusa-config), which
 * apply when the admin sets none: per sales channel, per Kustom location, then the store's.
 */
type DefaultsResponse = {
  defaults: Omit<DeviceDefaultView, "id">[]
  configured: { default_device_id: string | null; sales_channels: Record<string, string>; locations: Record<string, string> }
}

const view = (rows: DeviceDefaultView[]) => rows.map(({ scope, scope_id, device_id }) => ({ scope, scope_id, device_id }))

function configured(options: PluginOptions): DefaultsResponse["configured"] {
  return {
    default_device_id: options.defaultDeviceId ?? null,
    sales_channels: options.defaultDevices?.salesChannels ?? {},
    locations: options.defaultDevices?.locations ?? {},
  }
}

/** The default device of each sales channel and Kustom location. */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse<DefaultsResponse>) => {
  const kustom = kustomModule(req.scope)
  res.json({ defaults: view(await kustom.settings.listDeviceDefaults()), configured: configured(kustom.options) })
}

/** Sets or clears (`device_id: null`) the device used when a payment names none. */
export const POST = async (req: AuthenticatedMedusaRequest<SetDeviceDefaultBody>, res: MedusaResponse<DefaultsResponse>) => {
  const { scope, scope_id, device_id } = req.validatedBody
  const kustom = kustomModule(req.scope)
  if (scope === "sales_channel") {
    const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
    const {
      data: [channel],
    } = await query.graph({ entity: "sales_channel", fields: ["id"], filters: { id: scope_id } })
    if (!channel) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Sales channel ${scope_id} was not found`)
  } else {
    await kustomCall("looking up the Kustom location", () => kustom.client.locations.get(scope_id)).catch((error) => {
      if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_FOUND) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `scope_id: Kustom has no location ${scope_id}`)
      }
      throw error
    })
  }
  if (device_id) {
    await kustomCall("looking up the device", () => kustom.client.devices.get(device_id)).catch((error) => {
      if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_FOUND) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `device_id: the device ${device_id} is not registered with Kustom`)
      }
      throw error
    })
  }
  await kustom.settings.setDeviceDefault({ scope, scope_id, device_id })
  res.json({ defaults: view(await kustom.settings.listDeviceDefaults()), configured: configured(kustom.options) })
}
