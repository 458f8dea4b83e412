import { CALLER_PAYMENT_DATA_KEYS, PROVIDER_PAYMENT_DATA_KEYS, providerPaymentData } from "../payment-data"

describe("providerPaymentData", () => {
  it("answers every key the provider keeps, null when unset, so that none of the caller's stays under it", () => {
    // Medusa stores `{ ...the caller's data, ...the provider's }`.
    const caller = { device_id: "dev_1", kustom_session_id: "another-sale", kustom_order_id: "another-order", order_amount: 1, note: "kept" }
    const stored = { ...caller, ...providerPaymentData({ session_id: "payses_1", device_id: "dev_1", kustom_session_id: "ours", order_amount: 4560 }) }
    expect(stored).toMatchObject({ session_id: "payses_1", device_id: "dev_1", kustom_session_id: "ours", kustom_order_id: null, order_amount: 4560, note: "kept" })
    for (const key of PROVIDER_PAYMENT_DATA_KEYS) expect(stored).toHaveProperty(key)
  })

  it("keeps 0 and leaves only the device to the caller", () => {
    expect(providerPaymentData({ captured_amount: 0 }).captured_amount).toBe(0)
    expect(CALLER_PAYMENT_DATA_KEYS).toEqual(["device_id"])
    expect(PROVIDER_PAYMENT_DATA_KEYS).toEqual(expect.arrayContaining(["kustom_session_id", "kustom_order_id", "order_amount", "session_id", "sale_id"]))
    expect(PROVIDER_PAYMENT_DATA_KEYS).not.toContain("device_id")
  })
})
