import type { InStorePaymentStatus } from "../../../lib/in-store-payments/status"
import { unpaidInStorePaymentMessage } from "../explain-unpaid-in-store-payment"

const waiting: InStorePaymentStatus = {
  sale: { kind: "cart", id: "cart_1", completed: false, order_id: null, display_id: null },
  payment: {
    payment_session_id: "payses_1",
    provider_id: "pp_pay-in-store_kustom",
    status: "pending",
    device_id: "dev_1",
    kustom_session_id: "ks_1",
    kustom_status: "CREATED",
    kustom_order_id: null,
    failure_reason: null,
    problem: null,
    order_amount: 4560,
    currency_code: "sek",
    dispatched_at: null,
    live: true,
  },
}
const withPayment = (payment: Partial<NonNullable<InStorePaymentStatus["payment"]>>): InStorePaymentStatus => ({
  ...waiting,
  payment: { ...waiting.payment!, ...payment },
})

describe("unpaidInStorePaymentMessage", () => {
  it("says where a payment not yet taken stands", () => {
    expect(unpaidInStorePaymentMessage(waiting)).toMatch(/^The payment is waiting on the device: .*carts\/cart_1\/payment/)
    expect(unpaidInStorePaymentMessage(withPayment({ kustom_status: "ACTIVE" }))).toMatch(/^The clerk is taking this payment on the device: /)
    expect(unpaidInStorePaymentMessage(withPayment({ kustom_status: "EXPIRED", status: "canceled" }))).toMatch(/^The payment on the device ended unpaid \(expired\)/)
    expect(unpaidInStorePaymentMessage(withPayment({ kustom_status: "FINALIZED", status: "error", problem: "Paid 45.60 SEK on the device, but …" }))).toBe(
      "This cart's in-store payment needs attention, so it does not become an order: Paid 45.60 SEK on the device, but …"
    )
  })

  it("leaves to Medusa what can be paid, what is done, and what Kustom could not be asked about", () => {
    expect(unpaidInStorePaymentMessage(withPayment({ kustom_status: "FINALIZED" }))).toBeNull()
    expect(unpaidInStorePaymentMessage(withPayment({ status: "authorized" }))).toBeNull()
    expect(unpaidInStorePaymentMessage(withPayment({ live: false }))).toBeNull()
    expect(unpaidInStorePaymentMessage(withPayment({ kustom_status: null }))).toBeNull()
    expect(unpaidInStorePaymentMessage({ ...waiting, sale: { ...waiting.sale, completed: true } })).toBeNull()
    expect(unpaidInStorePaymentMessage({ ...waiting, payment: null })).toBeNull()
  })
})
