import type { AxiosInstance } from "axios"
import type { SeededStore } from "../../scripts/lib/seed-store"

/** A draft order made through Medusa's admin API, as a clerk would at the counter. */
export async function createDraftOrder(api: AxiosInstance, store: SeededStore, headers: Record<string, string>): Promise<{ id: string; display_id: number }> {
  const {
    data: { draft_order: draft },
  } = await api.post(
    "/admin/draft-orders",
    {
      email: "counter@example.com",
      region_id: store.regionId,
      sales_channel_id: store.salesChannelId,
      items: [
        { variant_id: store.variants.mug, quantity: 1 },
        { variant_id: store.variants.tee, quantity: 2 },
      ],
      shipping_address: { first_name: "Walk", last_name: "In", address_1: "Storgatan 1", city: "Stockholm", postal_code: "11122", country_code: store.countryCode },
      shipping_methods: [{ name: "Pick up at the counter", shipping_option_id: store.shippingOptionId, amount: 10 }],
    },
    { headers }
  )
  return draft
}
