import { describe, expect, it } from "@jest/globals"
import { cartCompletionRefusal, type ShippingProfiles } from "../cart-completion"

const mug = { requires_shipping: true, product_id: "prod_mug" }
const voucher = { requires_shipping: false, product_id: "prod_voucher" }
const pickUp = { shipping_option_id: "so_pick_up" }

const profiles = (ofProduct: Record<string, string>, ofOption: Record<string, string>): ShippingProfiles => ({
  ofProduct: new Map(Object.entries(ofProduct)),
  ofOption: new Map(Object.entries(ofOption)),
})

describe("cartCompletionRefusal: what Medusa's cart completion refuses before it creates the order", () => {
  it("refuses a cart with no items", () => {
    expect(cartCompletionRefusal([], [pickUp])).toBe("Cannot complete a cart with no items")
  })

  it("refuses items that need shipping with no shipping method, and lets a cart with nothing to ship through", () => {
    expect(cartCompletionRefusal([mug, voucher], [])).toBe("No shipping method selected but the cart contains items that require shipping.")
    expect(cartCompletionRefusal([voucher], [])).toBeNull()
  })

  it("refuses items whose shipping profile no shipping method serves", () => {
    const store = profiles({ prod_mug: "sp_default", prod_sofa: "sp_freight" }, { so_pick_up: "sp_default" })
    expect(cartCompletionRefusal([mug], [pickUp], store)).toBeNull()
    expect(cartCompletionRefusal([mug, { requires_shipping: true, product_id: "prod_sofa" }], [pickUp], store)).toBe(
      "The cart items require shipping profiles that are not satisfied by the current shipping methods"
    )
    // Until the profiles are read, only the checks that need none are made.
    expect(cartCompletionRefusal([mug], [pickUp])).toBeNull()
  })
})
