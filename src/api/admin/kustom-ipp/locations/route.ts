import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { kustomModule, listLocations, type LocationView } from "../helpers"

export type LocationsResponse = {
  locations: (LocationView & { stock_location_ids: string[]; default_device_id: string | null })[]
  links: { stock_location_id: string; kustom_location_id: string }[]
}

/** Kustom's locations, with the Medusa stock locations linked to each and its default device. */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse<LocationsResponse>) => {
  const kustom = kustomModule(req.scope)
  const [locations, links, defaults] = await Promise.all([
    listLocations(kustom),
    kustom.settings.listLocationLinks(),
    kustom.settings.listDeviceDefaults({ scope: "location" }),
  ])
  res.json({
    locations: locations.map((location) => ({
      ...location,
      stock_location_ids: links.filter((link) => link.kustom_location_id === location.id).map((link) => link.stock_location_id),
      default_device_id: defaults.find((row) => row.scope_id === location.id)?.device_id ?? null,
    })),
    links: links.map(({ stock_location_id, kustom_location_id }) => ({ stock_location_id, kustom_location_id })),
  })
}
