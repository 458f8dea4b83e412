import CartModuleService from "@medusajs/cart/dist/services/cart-module"
import { CART_TOTAL_RELATIONS } from "../cart-totals"

describe("CART_TOTAL_RELATIONS", () => {
  it("is the list the cart module loads to compute a cart's total", () => {
    const config: { relations?: string[]; select?: string[] } = { select: ["id", "total"] }
    // The cart module's own choice, read from the installed version rather than copied.
    ;(CartModuleService.prototype as unknown as { addRelationsToCalculateTotals: (c: object, f: string[]) => void })
      .addRelationsToCalculateTotals.call(undefined, config, ["total"])
    expect([...CART_TOTAL_RELATIONS].sort()).toEqual([...(config.relations ?? [])].sort())
  })
})
