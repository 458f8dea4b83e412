import type { AxiosInstance } from "axios"
import { counterDraftOrderBody } from "../../scripts/lib/counter-sale"
import type { SeededStore } from "../../scripts/lib/seed-store"

/** A draft order made through Medusa's admin API, as a clerk would at the counter. */
export async function createDraftOrder(api: AxiosInstance, store: SeededStore, headers: Record<string, string>): Promise<{ id: string; display_id: number }> {
  const {
    data: { draft_order: draft },
  } = await api.post("/admin/draft-orders", counterDraftOrderBody(store), { headers })
  return draft
}
