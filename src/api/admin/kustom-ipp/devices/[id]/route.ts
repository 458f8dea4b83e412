import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import type { UpdateDeviceBody } from "../../validators"
import { byId, ENROLLMENT_REF_KEY, kustomCall, kustomModule, listLocations, toDeviceView, type DeviceView } from "../../helpers"

function deviceNotFound(deviceId: string) {
  return (error: unknown) => {
    if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_FOUND) {
      throw new MedusaError(MedusaError.Types.NOT_FOUND, `The device ${deviceId} is no longer registered with Kustom. Refresh the list.`)
    }
    throw error
  }
}

/**
 * Renames a device or moves it to another location. Kustom's PUT replaces the whole device;
 * the client reads it first so its metadata (and the field not being changed) are kept.
 */
export const POST = async (req: AuthenticatedMedusaRequest<UpdateDeviceBody>, res: MedusaResponse<{ device: DeviceView }>) => {
  const kustom = kustomModule(req.scope)
  const deviceId = req.params.id
  const { name, location_id } = req.validatedBody
  if (location_id) {
    await kustomCall("looking up the Kustom location", () => kustom.client.locations.get(location_id)).catch((error) => {
      if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_FOUND) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `location_id: Kustom has no location ${location_id}`)
      }
      throw error
    })
  }
  const device = await kustomCall("updating the device", () =>
    kustom.client.devices.update(deviceId, { ...(name !== undefined ? { name } : {}), ...(location_id !== undefined ? { location_id } : {}) })
  ).catch(deviceNotFound(deviceId))
  const locations = await listLocations(kustom).catch(() => [])
  res.json({ device: toDeviceView(device, byId(locations)) })
}

/**
 * Unregisters the device; Kustom cancels its open payments. It stops being anyone's default, and
 * the enrollment code it was registered with stays "used" (the device's metadata said so, and
 * goes with it).
 */
export const DELETE = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const kustom = kustomModule(req.scope)
  const deviceId = req.params.id
  const device = await kustomCall("reading the device", () => kustom.client.devices.get(deviceId)).catch(deviceNotFound(deviceId))
  await kustomCall("removing the device", () => kustom.client.devices.delete(deviceId)).catch(deviceNotFound(deviceId))
  await kustom.settings.forgetDevice(deviceId)
  const ref = device.metadata?.[ENROLLMENT_REF_KEY]
  if (typeof ref === "string") await kustom.settings.markEnrollmentUsed(ref, deviceId)
  res.json({ id: deviceId, object: "kustom_ipp_device", deleted: true })
}
