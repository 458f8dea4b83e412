import { describe, expect, it } from "@jest/globals"
import { unsettledMoney } from "../settlement"

describe("money a cancelled order's payment still holds", () => {
  it("refunds what was captured and not refunded, exactly (no float error)", () => {
    const result = unsettledMoney({ captures: [{ amount: 300.1 }, { amount: 180.2 }], refunds: [{ amount: 100 }] }) as { refund: { toString(): string } }
    expect(result.refund.toString()).toBe("380.3")
    // Medusa's raw amounts (a value with its precision) are read before the rounded ones.
    const raw = unsettledMoney({ captures: [{ raw_amount: { value: "0.3", precision: 20 } as never, amount: 0 }], refunds: [{ amount: 0.1 }] }) as { refund: { toString(): string } }
    expect(raw.refund.toString()).toBe("0.2")
  })

  it("has nothing to do once all that was captured is refunded", () => {
    expect(unsettledMoney({ captures: [{ amount: 480 }], refunds: [{ amount: 400 }, { amount: 80 }] })).toBeNull()
  })

  it("releases an authorization nothing was captured from, unless already cancelled", () => {
    expect(unsettledMoney({ captures: [], refunds: [], canceled_at: null })).toEqual({ release: true })
    expect(unsettledMoney({ captures: [], canceled_at: new Date() })).toBeNull()
  })

  it("does not release a partly captured payment: Medusa's cancel refunds it and keeps it", () => {
    expect(unsettledMoney({ captures: [{ amount: 100 }], refunds: [{ amount: 100 }], canceled_at: null })).toBeNull()
  })
})
