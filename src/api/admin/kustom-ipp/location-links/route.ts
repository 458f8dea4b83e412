import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import type { LinkLocationBody } from "../validators"
import { kustomCall, kustomModule } from "../helpers"

export type LocationLinksResponse = { links: { stock_location_id: string; kustom_location_id: string }[] }

/**
 * The stored links between Medusa stock locations and Kustom locations, without asking Kustom:
 * what the admin shows for each stock location while Kustom's own list cannot be had.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse<LocationLinksResponse>) => {
  const links = await kustomModule(req.scope).settings.listLocationLinks()
  res.json({ links: links.map(({ stock_location_id, kustom_location_id }) => ({ stock_location_id, kustom_location_id })) })
}

/** Links a Medusa stock location to a Kustom location (or unlinks it with `kustom_location_id: null`). */
export const POST = async (req: AuthenticatedMedusaRequest<LinkLocationBody>, res: MedusaResponse) => {
  const { stock_location_id, kustom_location_id } = req.validatedBody
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const {
    data: [stockLocation],
  } = await query.graph({ entity: "stock_location", fields: ["id", "name"], filters: { id: stock_location_id } })
  if (!stockLocation) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Stock location ${stock_location_id} was not found`)
  }
  const kustom = kustomModule(req.scope)
  if (kustom_location_id) {
    await kustomCall("looking up the Kustom location", () => kustom.client.locations.get(kustom_location_id)).catch((error) => {
      if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_FOUND) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `kustom_location_id: Kustom has no location ${kustom_location_id}`)
      }
      throw error
    })
  }
  const link = await kustom.settings.linkStockLocation(stock_location_id, kustom_location_id)
  res.json({ link: link ? { stock_location_id: link.stock_location_id, kustom_location_id: link.kustom_location_id } : null })
}
