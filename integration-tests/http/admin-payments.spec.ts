/**
 * "Pay in store" from the admin, through the routes the draft order and order widgets use: the
 * live status with its callbacks, the preselected device, cancel from the admin, sending again
 * after a decline, a cancel or an expiry, errors a person can act on, and the order's payment
 * details with the refunds made through Medusa's standard refund action.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { KustomIppClient } from "../../src/lib/kustom-ipp"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { createDraftOrder } from "../helpers/draft-order"
import { createDevice, expireSession, kustomClient, onDevice, sessionCreates } from "../helpers/kustom"
import { usePlayground } from "../helpers/playground"
import { createCart, paidOrderOfCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"

jest.setTimeout(180_000)

const fixture = usePlayground()

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore
    let kustom: KustomIppClient
    let headers: Record<string, string>
    let device: { id: string; token: string }

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      kustom = kustomClient(fixture)
      store = await seedStore(getContainer())
      headers = (await createAdminHeaders(getContainer())).headers
      device = await createDevice(fixture, "Counter 1")
    })

    const paymentOf = async (draftId: string) => (await api.get(`/admin/kustom-ipp/draft-orders/${draftId}/payment`, { headers })).data
    const send = async (draftId: string, deviceId: string) =>
      (await api.post(`/admin/kustom-ipp/draft-orders/${draftId}/payment`, { device_id: deviceId }, { headers })).data
    const waitForPayment = (draftId: string, what: string, predicate: (view: any) => boolean) =>
      waitFor(async () => {
        const view = await paymentOf(draftId)
        return predicate(view) ? view : undefined
      }, what)

    it("sends, shows each step with its callbacks, and links the order once paid", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const before = await paymentOf(draft.id)
      expect(before).toMatchObject({ sale: { kind: "draft_order", completed: false }, payment: null, callbacks: [], captured: null })

      const sent = await send(draft.id, device.id)
      expect(sent.payment).toMatchObject({ device_id: device.id, kustom_status: "CREATED", status: "pending" })
      expect(sent.currency_exponent).toBe(2)
      const onDeviceView = await waitForPayment(draft.id, "the created callback", (view) =>
        view.callbacks.some((callback: any) => callback.event_type === "ipp.session.created")
      )
      expect(onDeviceView.callbacks[0]).toMatchObject({ event_type: "ipp.session.created", signature_ok: true })

      await fetch(`${fixture.playground.url}/pos/v1/sessions/${sent.payment.kustom_session_id}/payment-method`, {
        method: "POST",
        headers: { authorization: `Bearer ${device.token}`, "content-type": "application/json" },
        body: JSON.stringify({ method: "card" }),
      })
      await waitForPayment(draft.id, "the clerk to choose card", (view) => view.payment.kustom_status === "ACTIVE")

      await onDevice(fixture, device.token, sent.payment.kustom_session_id, { outcome: "SUCCESS" })
      const paid = await waitForPayment(draft.id, "the order", (view) => view.sale.completed)
      expect(paid.sale).toMatchObject({ completed: true, order_id: draft.id, display_id: draft.display_id })
      expect(paid.payment.kustom_status).toBe("FINALIZED")
      // This store captures on the tap, so the widget says "Paid".
      expect(paid.captured).toBe(true)
      await waitForPayment(draft.id, "the finalized callback", (view) =>
        view.callbacks.map((callback: any) => callback.event_type).includes("ipp.session.finalized")
      )
    })

    it("preselects the device the last payment went to, or else the sales channel's default", async () => {
      const other = await createDevice(fixture, "Counter 2")
      const fresh = await createDraftOrder(api, store, headers)
      expect((await paymentOf(fresh.id)).suggested_device_id).toBeNull()
      await api.post("/admin/kustom-ipp/device-defaults", { scope: "sales_channel", scope_id: store.salesChannelId, device_id: device.id }, { headers })
      expect((await paymentOf(fresh.id)).suggested_device_id).toBe(device.id)

      const first = await createDraftOrder(api, store, headers)
      await send(first.id, other.id)
      const second = await createDraftOrder(api, store, headers)
      expect((await paymentOf(second.id)).suggested_device_id).toBe(other.id)
      expect((await paymentOf(first.id)).suggested_device_id).toBe(other.id)
    })

    it("cancels from the admin, then sends again to another device", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const sent = await send(draft.id, device.id)
      const { data: cancelled } = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment/cancel`, {}, { headers })
      expect(cancelled.payment).toMatchObject({ kustom_status: "CANCELLED", status: "canceled" })
      expect((await kustom.sessions.get(sent.payment.kustom_session_id)).status).toBe("CANCELLED")

      const again = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment/cancel`, {}, { headers, validateStatus: () => true })
      expect(again.status).toBe(400)
      expect(again.data.message).toMatch(/no longer on the device \(it is cancelled\)/)

      const other = await createDevice(fixture, "Counter 2")
      const resent = await send(draft.id, other.id)
      expect(resent.payment).toMatchObject({ device_id: other.id, kustom_status: "CREATED" })
      expect(resent.payment.kustom_session_id).not.toBe(sent.payment.kustom_session_id)
      await onDevice(fixture, other.token, resent.payment.kustom_session_id, { outcome: "SUCCESS" })
      await waitForPayment(draft.id, "the order", (view) => view.sale.completed)
    })

    it("shows a decline with its reason, and sends again once the clerk gave up and after an expiry", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const sent = await send(draft.id, device.id)
      await onDevice(fixture, device.token, sent.payment.kustom_session_id, { outcome: "INSUFFICIENT_FUNDS" })
      const declined = await waitForPayment(draft.id, "the decline callback", (view) =>
        view.callbacks.some((callback: any) => callback.event_type === "ipp.payment.failed")
      )
      expect(declined.payment).toMatchObject({ kustom_status: "ACTIVE", failure_reason: "INSUFFICIENT_FUNDS" })
      expect(declined.callbacks.find((callback: any) => callback.event_type === "ipp.payment.failed").failure_reason).toBe("INSUFFICIENT_FUNDS")

      // Declined, the payment stays on the device for another card; it can be sent again once the clerk cancels it there.
      await onDevice(fixture, device.token, sent.payment.kustom_session_id, "cancel")
      const resent = await send(draft.id, device.id)
      expect(resent.payment).toMatchObject({ kustom_status: "CREATED", failure_reason: null })
      expect(resent.payment.kustom_session_id).not.toBe(sent.payment.kustom_session_id)
      expect((await kustom.sessions.get(sent.payment.kustom_session_id)).status).toBe("CANCELLED")

      await expireSession(fixture, resent.payment.kustom_session_id)
      const expired = await paymentOf(draft.id)
      expect(expired.payment.kustom_status).toBe("EXPIRED")
      const cancelExpired = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment/cancel`, {}, { headers, validateStatus: () => true })
      expect(cancelExpired.data.message).toMatch(/no longer on the device \(it is expired\)/)

      const third = await send(draft.id, device.id)
      await onDevice(fixture, device.token, third.payment.kustom_session_id, { outcome: "SUCCESS" })
      await waitForPayment(draft.id, "the order", (view) => view.sale.completed)
      const paidCancel = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment/cancel`, {}, { headers, validateStatus: () => true })
      expect(paidCancel.data.message).toMatch(/already made on the device/)
    })

    it("refuses to send again while the clerk is collecting, leaves the payment on the device, and cancels it only on purpose", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const sent = await send(draft.id, device.id)
      const sessionId = sent.payment.kustom_session_id
      // A declined card: the session stays ACTIVE on the device for another card.
      await onDevice(fixture, device.token, sessionId, { outcome: "INSUFFICIENT_FUNDS" })
      const other = await createDevice(fixture, "Counter 2")
      const creates = sessionCreates(fixture)

      for (const deviceId of [other.id, device.id]) {
        const refused = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: deviceId }, { headers, validateStatus: () => true })
        expect({ status: refused.status, ...refused.data }).toEqual({
          status: 400,
          type: "not_allowed",
          message: "The clerk is already taking this payment on the device. Cancel it on the device (or from the admin) before changing the sale or sending it again.",
        })
      }
      expect((await kustom.sessions.get(sessionId)).status).toBe("ACTIVE")
      expect(sessionCreates(fixture)).toBe(creates)
      expect((await paymentOf(draft.id)).payment).toMatchObject({ kustom_session_id: sessionId, device_id: device.id, kustom_status: "ACTIVE", status: "pending" })

      // Taking it off the device deliberately still works, and then it can go to another device.
      const { data: cancelled } = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment/cancel`, {}, { headers })
      expect(cancelled.payment).toMatchObject({ kustom_session_id: sessionId, kustom_status: "CANCELLED", status: "canceled" })
      const resent = await send(draft.id, other.id)
      expect(resent.payment).toMatchObject({ device_id: other.id, kustom_status: "CREATED" })
      expect(resent.payment.kustom_session_id).not.toBe(sessionId)
      expect(sessionCreates(fixture)).toBe(creates + 1)
    })

    it("refuses to change a draft order while its payment is on a device, and allows it once cancelled", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const sent = await send(draft.id, device.id)
      const sessionId = sent.payment.kustom_session_id
      const { data: before } = await api.get(`/admin/draft-orders/${draft.id}?fields=id,email,total`, { headers })
      const attempts = () =>
        Promise.all([
          api.post(`/admin/draft-orders/${draft.id}/edit`, {}, { headers, validateStatus: () => true }),
          api.post(`/admin/draft-orders/${draft.id}`, { email: "someone.else@example.com" }, { headers, validateStatus: () => true }),
          // Medusa's order routes reach a draft order too.
          api.post(`/admin/order-edits`, { order_id: draft.id }, { headers, validateStatus: () => true }),
          api.post(`/admin/orders/${draft.id}`, { email: "someone.else@example.com" }, { headers, validateStatus: () => true }),
          api.delete(`/admin/draft-orders/${draft.id}`, { headers, validateStatus: () => true }),
        ])

      for (const refused of await attempts()) {
        expect({ status: refused.status, ...refused.data }).toEqual({
          status: 400,
          type: "not_allowed",
          message:
            `This draft order's payment is waiting on a device. Cancel it first ("Cancel payment" under Pay in store on its page, or under In-store payment on the order's page once it is converted), then change it and send the payment again.`,
        })
      }
      // The clerk picks it up: still refused, in the words used everywhere else.
      await onDevice(fixture, device.token, sessionId, { outcome: "INSUFFICIENT_FUNDS" })
      for (const refused of await attempts()) {
        expect([refused.status, refused.data.message]).toEqual([400, expect.stringMatching(/^The clerk is already taking this payment on the device\./)])
      }
      const { data: after } = await api.get(`/admin/draft-orders/${draft.id}?fields=id,email,total`, { headers })
      expect(after.draft_order).toEqual(before.draft_order)
      expect((await kustom.sessions.get(sessionId)).status).toBe("ACTIVE")

      await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment/cancel`, {}, { headers })
      const edit = await api.post(`/admin/draft-orders/${draft.id}/edit`, {}, { headers, validateStatus: () => true })
      const update = await api.post(`/admin/draft-orders/${draft.id}`, { email: "someone.else@example.com" }, { headers, validateStatus: () => true })
      expect([edit.status, update.status]).toEqual([200, 200])
      expect(update.data.draft_order.email).toBe("someone.else@example.com")
    })

    it("leaves one payment on the device when a draft order is sent twice at once", async () => {
      const other = await createDevice(fixture, "Counter 2")
      for (let round = 0; round < 3; round++) {
        const draft = await createDraftOrder(api, store, headers)
        const first = await send(draft.id, device.id)
        const answers = await Promise.all(
          [device.id, other.id].map((deviceId) =>
            api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: deviceId }, { headers, validateStatus: () => true })
          )
        )
        expect(answers.map((answer) => answer.status)).toEqual([200, 200])
        const sent = [first, ...answers.map((answer) => answer.data)].map((view) => view.payment.kustom_session_id as string)
        const statuses = await Promise.all(sent.map(async (id) => (await kustom.sessions.get(id)).status))
        expect(statuses.filter((status) => status === "CREATED")).toHaveLength(1)
        // The one left on a device is the payment the draft order has now.
        expect(sent[statuses.indexOf("CREATED")]).toBe((await paymentOf(draft.id)).payment.kustom_session_id)
      }
    })

    it("explains a removed device and an unreachable Kustom in words, not JSON", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const gone = await kustom.playground.createDevice({ name: "Gone" })
      await api.delete(`/admin/kustom-ipp/devices/${gone.id}`, { headers })
      const removed = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: gone.id }, { headers, validateStatus: () => true })
      expect(removed.status).toBe(400)
      expect(removed.data.message).toBe(
        `device_id: no device "${gone.id}" is registered with Kustom: it was removed, or the id is wrong. Choose another device, or enroll the phone in Settings → In-Person Payments.`
      )
      expect((await paymentOf(draft.id)).payment).toBeNull()
      // A device that never existed is not said to have been removed: the same words cover both.
      const never = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: "nope" }, { headers, validateStatus: () => true })
      expect({ status: never.status, ...never.data }).toEqual({
        status: 400,
        type: "invalid_data",
        message: 'device_id: no device "nope" is registered with Kustom: it was removed, or the id is wrong. Choose another device, or enroll the phone in Settings → In-Person Payments.',
      })

      fixture.playground.injectFault({ path: "/ipp/v1/*", dropConnection: true })
      const unreachable = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: device.id }, { headers, validateStatus: () => true })
      fixture.playground.clearFaults()
      expect(unreachable.status).toBeGreaterThanOrEqual(500)
      expect(unreachable.data.message).toMatch(/Kustom could not be reached while checking the device .*Try again in a moment/)
      expect(unreachable.data.message).not.toMatch(/[{}]/)
    })

    it("says so when Kustom took the payment but did not confirm it in time", async () => {
      const draft = await createDraftOrder(api, store, headers)
      fixture.playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", dropConnection: true, when: "after", times: 1 })
      // Kustom's confirmation (the created callback) comes only after the send has given up waiting for it.
      fixture.playground.setCallbackFaults({ delayMs: 6_000, types: ["ipp.session.created"] })
      const sent = await send(draft.id, device.id).finally(() => fixture.playground.setCallbackFaults({}))
      expect(sent.payment).toMatchObject({ kustom_session_id: null, status: "pending" })
      expect(sent.create_unconfirmed_at).toBeTruthy()
      // The created callback settles which session it is.
      const confirmed = await waitForPayment(draft.id, "the session to be confirmed", (view) => Boolean(view.payment.kustom_session_id))
      expect(confirmed.create_unconfirmed_at).toBeNull()
    })

    it("answers 404 for an order that never was a draft order, on every draft order route", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "SUCCESS" })
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the cart's order")

      const answers = [
        await api.get(`/admin/kustom-ipp/draft-orders/${order.id}/payment`, { headers, validateStatus: () => true }),
        await api.post(`/admin/kustom-ipp/draft-orders/${order.id}/payment`, { device_id: device.id }, { headers, validateStatus: () => true }),
        await api.post(`/admin/kustom-ipp/draft-orders/${order.id}/payment/cancel`, {}, { headers, validateStatus: () => true }),
      ]
      for (const answer of answers) {
        expect({ status: answer.status, ...answer.data }).toEqual({
          status: 404,
          type: "not_found",
          message: `Draft order ${order.id} not found: it is an order, not a draft`,
        })
      }
      // Nothing was sent for it: the cart's finalized session is still the latest one in Kustom.
      expect((await kustom.sessions.get(sale.kustomSessionId)).status).toBe("FINALIZED")
      // Its in-store payment is shown where orders are.
      expect((await api.get(`/admin/kustom-ipp/orders/${order.id}/payment`, { headers })).data.payments).toHaveLength(1)

      const missing = await api.get("/admin/kustom-ipp/draft-orders/order_nope/payment", { headers, validateStatus: () => true })
      expect({ status: missing.status, ...missing.data }).toEqual({ status: 404, type: "not_found", message: "Draft order order_nope was not found" })
    })

    it("shows an order's in-store payment with its callbacks, and the refunds made through Medusa", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const sent = await send(draft.id, device.id)
      await onDevice(fixture, device.token, sent.payment.kustom_session_id, { outcome: "SUCCESS" })
      await waitForPayment(draft.id, "the order", (view) => view.sale.completed)

      const { data } = await api.get(`/admin/kustom-ipp/orders/${draft.id}/payment`, { headers })
      expect(data.payments).toHaveLength(1)
      const payment = data.payments[0]
      const session = await kustom.sessions.get(sent.payment.kustom_session_id)
      expect(payment).toMatchObject({
        device_id: device.id,
        device_name: "Counter 1",
        kustom_session_id: session.session_id,
        kustom_order_id: session.order_id,
        kustom_order_status: "CAPTURED",
        captured_amount: session.order_amount,
        refunded_amount: 0,
        amount: session.order_amount,
        currency_code: "sek",
        currency_exponent: 2,
        live: true,
        refunds: [],
      })
      expect(payment.callbacks.map((callback: any) => callback.event_type)).toEqual(
        expect.arrayContaining(["ipp.session.created", "ipp.session.finalized"])
      )
      expect(payment.callbacks.every((callback: any) => callback.signature_ok === true)).toBe(true)

      await api.post(`/admin/payments/${payment.payment_id}/refund`, { amount: 25 }, { headers })
      const { data: refunded } = await api.get(`/admin/kustom-ipp/orders/${draft.id}/payment`, { headers })
      expect(refunded.payments[0]).toMatchObject({ refunded_amount: toMinorUnits(25, "sek"), kustom_order_status: "CAPTURED" })
      expect(refunded.payments[0].refunds).toEqual([expect.objectContaining({ amount: 2_500 })])
      expect(refunded.payments[0].kustom_refunds).toEqual([expect.objectContaining({ refunded_amount: 2_500 })])

      // Paid in store, the draft is an order now: it keeps its payment view, and cannot be sent again.
      expect((await paymentOf(draft.id)).sale).toMatchObject({ kind: "draft_order", completed: true, order_id: draft.id })
      const sendPaid = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: device.id }, { headers, validateStatus: () => true })
      expect(sendPaid.status).toBe(400)
      expect(sendPaid.data.message).toMatch(/no longer a draft: it has been paid or converted/)

      // A draft that was never paid in store shows nothing.
      const other = await createDraftOrder(api, store, headers)
      expect((await api.get(`/admin/kustom-ipp/orders/${other.id}/payment`, { headers })).data.payments).toEqual([])
    })
  },
})
