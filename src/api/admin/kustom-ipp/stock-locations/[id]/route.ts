import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import {
  kustomModule,
  listDeviceViews,
  listEnrollmentViews,
  listLocations,
  notFound,
  type DeviceView,
  type EnrollmentView,
  type LocationView,
} from "../../helpers"

export type StockLocationDevicesResponse = {
  stock_location_id: string
  kustom_location: LocationView | null
  /** Set when the link points at a location Kustom no longer has. */
  missing_kustom_location_id: string | null
  default_device_id: string | null
  devices: DeviceView[]
  pending_enrollments: EnrollmentView[]
}

/**
 * A stock location's devices and pending codes, through the Kustom location it is linked to.
 * 404 for a stock location Medusa does not have (as POST /location-links answers).
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse<StockLocationDevicesResponse>) => {
  const kustom = kustomModule(req.scope)
  const stockLocationId = req.params.id
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const {
    data: [stockLocation],
  } = await query.graph({ entity: "stock_location", fields: ["id"], filters: { id: stockLocationId } })
  if (!stockLocation) throw notFound(`Stock location ${stockLocationId} was not found`)
  const [link] = await kustom.settings.listLocationLinks({ stock_location_id: stockLocationId })
  const empty = { stock_location_id: stockLocationId, default_device_id: null, devices: [], pending_enrollments: [] }
  if (!link) {
    res.json({ ...empty, kustom_location: null, missing_kustom_location_id: null })
    return
  }
  const locations = await listLocations(kustom)
  const location = locations.find((candidate) => candidate.id === link.kustom_location_id)
  if (!location) {
    res.json({ ...empty, kustom_location: null, missing_kustom_location_id: link.kustom_location_id })
    return
  }
  const [devices, enrollments, defaults] = await Promise.all([
    listDeviceViews(kustom, { location_id: location.id }),
    listEnrollmentViews(kustom, { location_id: location.id, include_consumed: false }),
    kustom.settings.listDeviceDefaults({ scope: "location", scope_id: location.id }),
  ])
  res.json({
    stock_location_id: stockLocationId,
    kustom_location: location,
    missing_kustom_location_id: null,
    default_device_id: defaults[0]?.device_id ?? null,
    devices,
    pending_enrollments: enrollments.enrollments.filter((enrollment) => enrollment.status === "PENDING"),
  })
}
