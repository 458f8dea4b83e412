import { describe, expect, it } from "@jest/globals"
import type { DraftOrderPayment } from "../api"
import { badgeOf, phaseAnnouncement, phaseOf, stepStateLabel, stepsOf } from "../payment-phase"

const sent = "2026-11-27T12:00:00.000Z"

function view(payment: Partial<NonNullable<DraftOrderPayment["payment"]>> | null, extra: Partial<DraftOrderPayment> = {}): DraftOrderPayment {
  return {
    sale: { kind: "draft_order", id: "order_1", completed: false, order_id: null, display_id: 7 },
    payment:
      payment === null
        ? null
        : {
            payment_session_id: "payses_1",
            provider_id: "pp_pay-in-store_kustom",
            status: "pending",
            device_id: "dev_1",
            kustom_session_id: "ks_1",
            kustom_status: "CREATED",
            kustom_order_id: null,
            failure_reason: null,
            problem: null,
            order_amount: 48000,
            currency_code: "sek",
            dispatched_at: sent,
            live: true,
            ...payment,
          },
    suggested_device_id: null,
    callbacks: [],
    currency_exponent: 2,
    create_unconfirmed_at: null,
    captured: null,
    ...extra,
  }
}

const created = { event_type: "ipp.session.created", event_at: null, received_at: sent, failure_reason: null, signature_ok: true, processing: "processed" as const }

describe("the Pay in store widget's phases", () => {
  it("follows a payment from sent to paid", () => {
    expect(phaseOf(undefined)).toBe("idle")
    expect(phaseOf(view(null))).toBe("idle")
    expect(phaseOf(view({}))).toBe("sent")
    expect(phaseOf(view({}, { callbacks: [created] }))).toBe("on_device")
    expect(phaseOf(view({ kustom_status: "ACTIVE" }))).toBe("active")
    expect(phaseOf(view({ kustom_status: "FINALIZED" }))).toBe("finalizing")
    expect(phaseOf(view({ kustom_status: "FINALIZED" }, { sale: { kind: "draft_order", id: "order_1", completed: true, order_id: "order_1", display_id: 7 } }))).toBe("paid")
  })

  it("says Authorized, not Paid, for a paid draft whose payment is not captured", () => {
    const paid = { sale: { kind: "draft_order" as const, id: "order_1", completed: true, order_id: "order_1", display_id: 7 } }
    const captured = view({ kustom_status: "FINALIZED", status: "authorized" }, { ...paid, captured: true })
    const held = view({ kustom_status: "FINALIZED", status: "authorized" }, { ...paid, captured: false })
    expect(phaseOf(held)).toBe("paid")
    expect(badgeOf(phaseOf(captured), captured)).toEqual({ label: "Paid", color: "green" })
    expect(badgeOf(phaseOf(held), held)).toEqual({ label: "Authorized", color: "blue" })
    expect(badgeOf("finalizing", held)).toEqual({ label: "Paid", color: "green" })
  })

  it("says Converted for a draft converted in Medusa instead of paid in store", () => {
    const converted = view({ kustom_status: "CANCELLED", status: "canceled" }, { sale: { kind: "draft_order", id: "order_1", completed: true, order_id: "order_1", display_id: 7 }, captured: null })
    expect(badgeOf(phaseOf(converted), converted)).toEqual({ label: "Converted", color: "grey" })
  })

  it("tells a decline (still open on the phone) from the endings", () => {
    expect(phaseOf(view({ kustom_status: "ACTIVE", failure_reason: "INSUFFICIENT_FUNDS" }))).toBe("declined")
    expect(phaseOf(view({ kustom_status: "CANCELLED", status: "canceled", failure_reason: "cancelled" }))).toBe("cancelled")
    expect(phaseOf(view({ kustom_status: "EXPIRED", status: "canceled" }))).toBe("expired")
    expect(phaseOf(view({ kustom_status: "FAILED", status: "error" }))).toBe("failed")
    expect(phaseOf(view({ kustom_status: "FINALIZED", status: "error", problem: "Paid 100 but the sale totals 200" }))).toBe("problem")
  })

  it("waits when Kustom did not confirm the send", () => {
    expect(phaseOf(view({ kustom_session_id: null, kustom_status: null }, { create_unconfirmed_at: sent }))).toBe("unconfirmed")
  })

  it("ticks the steps reached and marks the next one as current", () => {
    const onDevice = stepsOf("on_device", view({}, { callbacks: [created] }))
    expect(onDevice.map((step) => [step.key, step.done, step.current])).toEqual([
      ["sent", true, false],
      ["on_device", true, false],
      ["active", false, true],
      ["paid", false, false],
    ])
    expect(onDevice[0].at).toBe(sent)
    expect(stepsOf("declined", view({ kustom_status: "ACTIVE", failure_reason: "LOST_CARD" })).filter((step) => step.done)).toHaveLength(3)
  })

  it("says each step's state in words, as the icons show it", () => {
    const onDevice = stepsOf("on_device", view({}, { callbacks: [created] }))
    expect(onDevice.map(stepStateLabel)).toEqual(["done", "done", "in progress", "not yet"])
  })

  it("announces the status in words, as the badge shows it", () => {
    expect(phaseAnnouncement("idle", undefined)).toBe("Payment status: Not sent")
    expect(phaseAnnouncement("on_device", view({}, { callbacks: [created] }))).toBe("Payment status: On the device")
    expect(phaseAnnouncement("active", view({ kustom_status: "ACTIVE" }))).toBe("Payment status: Paying")
    const held = view({ kustom_status: "FINALIZED" }, { sale: { kind: "draft_order", id: "order_1", completed: true, order_id: "order_1", display_id: 7 }, captured: false })
    expect(phaseAnnouncement("paid", held)).toBe("Payment status: Authorized")
  })
})
