/**
 * The sale made at the counter of the seeded store, by the demo and by the tests: a walk-in
 * customer, a mug and two T-shirts, picked up at the counter. Free of Medusa imports, so that
 * the demo launcher can use it without loading Medusa.
 */
import type { SeededStore } from "./seed-store"

export function walkInAddress(countryCode: string) {
  return { first_name: "Walk", last_name: "In", address_1: "Storgatan 1", city: "Stockholm", postal_code: "11122", country_code: countryCode }
}

/** The body of `POST /admin/draft-orders` for the counter sale. */
export function counterDraftOrderBody(store: SeededStore, email = "counter@example.com") {
  return {
    email,
    region_id: store.regionId,
    sales_channel_id: store.salesChannelId,
    items: [
      { variant_id: store.variants.mug, quantity: 1 },
      { variant_id: store.variants.tee, quantity: 2 },
    ],
    shipping_address: walkInAddress(store.countryCode),
    shipping_methods: [{ name: "Pick up at the counter", shipping_option_id: store.shippingOptionId, amount: 10 }],
  }
}
