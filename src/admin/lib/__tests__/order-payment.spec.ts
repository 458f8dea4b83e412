import { describe, expect, it } from "@jest/globals"
import { heldAfterCancel, lapsingAfterCancel, paymentStatusOf, givenBackText, refundedOnlyInKustom } from "../order-payment"

const payment = (amounts: Partial<Parameters<typeof heldAfterCancel>[0]> = {}) => ({
  kustom_order_status: "CAPTURED" as const,
  kustom_status: "FINALIZED",
  captured_amount: 10_000,
  refunded_amount: 0,
  remaining_authorized_amount: 0,
  live: true,
  ...amounts,
})

describe("paymentStatusOf", () => {
  it("says refunded or partially refunded from the amounts, since Kustom's statuses stop at captured", () => {
    expect(paymentStatusOf(payment())).toBe("CAPTURED")
    expect(paymentStatusOf(payment({ refunded_amount: 2_500 }))).toBe("PART_REFUNDED")
    expect(paymentStatusOf(payment({ refunded_amount: 10_000 }))).toBe("REFUNDED")
    expect(paymentStatusOf(payment({ kustom_order_status: "PART_CAPTURED", captured_amount: 4_000, refunded_amount: 4_000, remaining_authorized_amount: 6_000 }))).toBe("REFUNDED")
    expect(paymentStatusOf(payment({ kustom_order_status: "AUTHORIZED", captured_amount: 0 }))).toBe("AUTHORIZED")
    expect(paymentStatusOf(payment({ kustom_order_status: null, kustom_status: "FINALIZED" }))).toBe("FINALIZED")
    expect(paymentStatusOf(payment({ kustom_order_status: null, kustom_status: null }))).toBeNull()
  })
})

describe("heldAfterCancel", () => {
  it("counts what Kustom still holds on a cancelled order: captured and not refunded, or an untouched authorization", () => {
    expect(heldAfterCancel(payment(), "canceled")).toBe(10_000)
    expect(heldAfterCancel(payment({ refunded_amount: 2_500 }), "canceled")).toBe(7_500)
    expect(heldAfterCancel(payment({ kustom_order_status: "AUTHORIZED", captured_amount: 0, remaining_authorized_amount: 10_000 }), "canceled")).toBe(10_000)
  })

  it("counts nothing once given back, on an order that is not cancelled, or when Kustom could not be asked", () => {
    expect(heldAfterCancel(payment({ refunded_amount: 10_000 }), "canceled")).toBe(0)
    expect(heldAfterCancel(payment({ kustom_order_status: "CANCELLED", captured_amount: 0 }), "canceled")).toBe(0)
    expect(heldAfterCancel(payment(), "completed")).toBe(0)
    expect(heldAfterCancel(payment(), undefined)).toBe(0)
    expect(heldAfterCancel(payment({ live: false }), "canceled")).toBe(0)
  })

  it("leaves out the rest of an authorization after a partial capture, which Kustom cannot release", () => {
    expect(heldAfterCancel(payment({ kustom_order_status: "PART_CAPTURED", captured_amount: 4_000, refunded_amount: 4_000, remaining_authorized_amount: 6_000 }), "canceled")).toBe(0)
  })
})

describe("refundedOnlyInKustom", () => {
  const books = (amounts: Partial<Parameters<typeof refundedOnlyInKustom>[0]> = {}) => ({
    ...payment(),
    medusa_captured_amount: 10_000,
    medusa_refunded_amount: 0,
    ...amounts,
  })

  it("counts what Kustom refunded of a capture Medusa never recorded, when both agree on what Kustom holds", () => {
    // A lost capture answer, then the order cancelled: Medusa records nothing, Kustom captured and refunded all.
    expect(refundedOnlyInKustom(books({ refunded_amount: 10_000, medusa_captured_amount: 0 }))).toBe(10_000)
    // Medusa recorded 4,000 of it, refunded it, and the plugin refunded the other 6,000 in Kustom.
    expect(refundedOnlyInKustom(books({ refunded_amount: 10_000, medusa_captured_amount: 4_000, medusa_refunded_amount: 4_000 }))).toBe(6_000)
  })

  it("counts nothing when Medusa records every refund, when the two disagree, or when Kustom could not be asked", () => {
    expect(refundedOnlyInKustom(books())).toBe(0)
    expect(refundedOnlyInKustom(books({ refunded_amount: 2_500, medusa_refunded_amount: 2_500 }))).toBe(0)
    // A refund whose answer was lost: the card says they disagree instead.
    expect(refundedOnlyInKustom(books({ refunded_amount: 2_500 }))).toBe(0)
    expect(refundedOnlyInKustom(books({ refunded_amount: 10_000, medusa_captured_amount: 0, live: false }))).toBe(0)
  })
})

describe("givenBackText", () => {
  const problem = (fields: Partial<Parameters<typeof givenBackText>[0]> = {}) => ({
    resolved: false,
    kustom_order_status: "CAPTURED",
    refunded_amount: 0,
    held_amount: 12_000,
    currency_code: "eur",
    currency_exponent: 2,
    ...fields,
  })

  it("says how the money came back: refunded in full (Kustom's order still says captured) or the authorization cancelled", () => {
    expect(givenBackText(problem({ resolved: true, refunded_amount: 12_000, held_amount: 0 }))).toBe("Resolved: Kustom has given this payment back (refunded in full). ")
    expect(givenBackText(problem({ resolved: true, kustom_order_status: "CANCELLED", held_amount: 0 }))).toBe(
      "Resolved: Kustom has given this payment back (the authorization was cancelled). ",
    )
    expect(givenBackText(problem())).toBe("")
  })

  it("says how much came back so far and how much Kustom still holds after a partial refund, in the payment's currency", () => {
    expect(givenBackText(problem({ refunded_amount: 2_000, held_amount: 10_000 }))).toMatch(/given back €20\.00 of this payment so far and still holds €100\.00\. $/)
    expect(givenBackText(problem({ currency_code: "kwd", currency_exponent: 3, refunded_amount: 1_005, held_amount: 10 }))).toMatch(/1\.005 .*0\.010/)
    expect(givenBackText(problem({ currency_code: "jpy", currency_exponent: 0, refunded_amount: 500, held_amount: 1_500 }))).toMatch(/500 .*1,500/)
  })

  it("says to cancel the authorization first when Kustom only authorized the payment, as Kustom refuses a refund of it", () => {
    expect(givenBackText(problem({ kustom_order_status: "AUTHORIZED", held_amount: 12_000 }))).toBe(
      "Kustom has only authorized this payment, nothing is captured: cancel the authorization in Kustom. ",
    )
  })

  it("says nothing of amounts when Kustom could not be asked", () => {
    expect(givenBackText(problem({ refunded_amount: null, held_amount: null }))).toBe("")
  })
})

describe("lapsingAfterCancel", () => {
  it("counts the rest of an authorization left on the card of a cancelled order after a partial capture", () => {
    const partlyCaptured = payment({ kustom_order_status: "PART_CAPTURED" as never, captured_amount: 30_000, refunded_amount: 30_000, remaining_authorized_amount: 49_125 })
    expect(lapsingAfterCancel(partlyCaptured, "canceled")).toBe(49_125)
    expect(lapsingAfterCancel(partlyCaptured, "pending")).toBe(0)
    expect(lapsingAfterCancel({ ...partlyCaptured, live: false }, "canceled")).toBe(0)
    // Nothing captured: the whole authorization is cancelled by the order's cancel (heldAfterCancel's case).
    expect(lapsingAfterCancel(payment({ kustom_order_status: "AUTHORIZED" as never, captured_amount: 0, remaining_authorized_amount: 79_125 }), "canceled")).toBe(0)
  })
})
