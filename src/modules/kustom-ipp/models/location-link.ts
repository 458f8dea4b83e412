import { model } from "@medusajs/framework/utils"

/**
 * Which Kustom location a Medusa stock location is: enrollment codes created from the stock
 * location's page are tied to it, and its page lists that location's devices.
 */
export const KustomIppLocationLink = model
  .define("kustom_ipp_location_link", {
    id: model.id({ prefix: "kipll" }).primaryKey(),
    stock_location_id: model.text().unique(),
    kustom_location_id: model.text(),
  })
  .indexes([{ on: ["kustom_location_id"] }])
