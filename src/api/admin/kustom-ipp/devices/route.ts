import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { ListDevicesQuery } from "../validators"
import { kustomModule, listDeviceViews, type DeviceView } from "../helpers"

/** The registered devices (clerks' phones), newest first. */
export const GET = async (req: AuthenticatedMedusaRequest<unknown, ListDevicesQuery>, res: MedusaResponse<{ devices: DeviceView[] }>) => {
  const query = req.validatedQuery as ListDevicesQuery
  res.json({ devices: await listDeviceViews(kustomModule(req.scope), { location_id: query.location_id }) })
}
