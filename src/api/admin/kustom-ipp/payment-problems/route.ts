import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { ListPaymentProblemsQuery } from "../validators"
import { kustomModule } from "../helpers"
import { viewPaymentProblem, type InStorePaymentProblem } from "./view"

export type StorePaymentProblem = InStorePaymentProblem & {
  id: string
  sale_kind: "cart" | "draft_order"
  /** The cart or draft order the payment was sent for. */
  sale_id: string
  /** The order the sale became, if it did (a draft order not yet converted has none), and its number. */
  order_id: string | null
  order_display_id: number | null
  /** A draft order's number (#17), also before it is converted; null for a cart. */
  draft_order_display_id: number | null
  created_at: string
}

/**
 * Money taken on a device that no payment records, across the store, newest first: also for
 * carts that never became an order, which no order page shows.
 */
export const GET = async (
  req: AuthenticatedMedusaRequest<unknown, ListPaymentProblemsQuery>,
  res: MedusaResponse<{ problems: StorePaymentProblem[]; count: number; limit: number; offset: number }>
) => {
  const { limit, offset } = req.validatedQuery as ListPaymentProblemsQuery
  const kustom = kustomModule(req.scope)
  const [rows, count] = await kustom.listAndCountKustomIppPaymentProblems({}, { order: { created_at: "DESC" }, take: limit, skip: offset })
  const orderOfSale = await ordersOfSales(req.scope, rows)
  const problems = await Promise.all(
    rows.map(async (row): Promise<StorePaymentProblem> => ({
      ...(await viewPaymentProblem(row, kustom.client)),
      id: row.id,
      sale_kind: row.sale_kind,
      sale_id: row.sale_id,
      ...(orderOfSale.get(row.sale_id) ?? { order_id: null, order_display_id: null, draft_order_display_id: null }),
      created_at: new Date(row.created_at).toISOString(),
    }))
  )
  res.json({ problems, count, limit, offset })
}

/**
 * Which of these sales became orders, and their numbers: a cart through its order link, a draft
 * order (its own number, also before it is converted) once converted.
 */
async function ordersOfSales(
  scope: AuthenticatedMedusaRequest["scope"],
  rows: { sale_kind: "cart" | "draft_order"; sale_id: string }[]
): Promise<Map<string, SaleOrder>> {
  const query = scope.resolve(ContainerRegistrationKeys.QUERY)
  const cartIds = rows.filter((row) => row.sale_kind === "cart").map((row) => row.sale_id)
  const draftIds = rows.filter((row) => row.sale_kind === "draft_order").map((row) => row.sale_id)
  const [carts, drafts] = await Promise.all([
    cartIds.length ? query.graph({ entity: "cart", fields: ["id", "order.id", "order.display_id"], filters: { id: cartIds } }) : { data: [] },
    draftIds.length ? query.graph({ entity: "order", fields: ["id", "display_id", "is_draft_order"], filters: { id: draftIds } }) : { data: [] },
  ])
  const found = new Map<string, SaleOrder>()
  for (const cart of carts.data as { id: string; order?: { id: string; display_id?: number | null } | null }[]) {
    if (cart.order?.id) found.set(cart.id, { order_id: cart.order.id, order_display_id: cart.order.display_id ?? null, draft_order_display_id: null })
  }
  for (const draft of drafts.data as { id: string; display_id?: number | null; is_draft_order?: boolean }[]) {
    const converted = !draft.is_draft_order
    found.set(draft.id, {
      order_id: converted ? draft.id : null,
      order_display_id: converted ? (draft.display_id ?? null) : null,
      draft_order_display_id: draft.display_id ?? null,
    })
  }
  return found
}

type SaleOrder = { order_id: string | null; order_display_id: number | null; draft_order_display_id: number | null }
