/**
 * Locations come from the options (the merchant's stores in Kustom's portal); the API only reads them.
 */
import type { Core } from "./core"
import { paginate, parsePaging } from "./paging"
import { notFound } from "./problems"
import { ok, type Route } from "./router"
import type { Location } from "./types"

export function findLocation(core: Core, id: string): Location | undefined {
  return core.config.locations.find((l) => l.id === id)
}

export function locationRoutes(core: Core): Route[] {
  return [
    {
      method: "GET",
      pattern: "/ipp/v1/locations",
      auth: "api",
      handler: (ctx) => ok(paginate(core.config.locations, parsePaging(ctx.query))),
    },
    {
      method: "GET",
      pattern: "/ipp/v1/locations/:id",
      auth: "api",
      handler: (ctx) => {
        const location = findLocation(core, ctx.params.id)
        if (!location) throw notFound(`No location with id ${ctx.params.id}`)
        return ok(location)
      },
    },
  ]
}
