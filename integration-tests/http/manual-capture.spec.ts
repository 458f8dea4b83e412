import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { withdrawOrderInStorePaymentsWorkflow } from "../../src/workflows"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { createDraftOrder } from "../helpers/draft-order"
import { createDevice, kustomClient } from "../helpers/kustom"
import { usePlayground } from "../helpers/playground"
import { createCart, paidOrderOfCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"

jest.setTimeout(180_000)

// Kustom only authorizes, and the store captures later ("capture: false").
const fixture = usePlayground({ captureMode: "manual" }, { KUSTOM_IPP_CAPTURE: "false" })

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore
    let headers: Record<string, string>

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      store = await seedStore(getContainer())
      headers = (await createAdminHeaders(getContainer())).headers
    })

    it("authorizes on the device, captures from Medusa, and refunds in parts up to what was captured", async () => {
      const kustom = kustomClient(fixture)
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(sale.kustomSessionId)

      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      const [payment] = order.payment_collections.flatMap((collection: any) => collection.payments)
      expect(payment.captured_at).toBeFalsy()
      const kustomOrderId = (await kustom.sessions.get(sale.kustomSessionId)).order_id as string
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ status: "AUTHORIZED", captured_amount: 0 })

      await api.post(`/admin/payments/${payment.id}/capture`, {}, { headers })
      const total = toMinorUnits(order.total, "sek")
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ status: "CAPTURED", captured_amount: total })
      // A second capture request changes nothing in Kustom.
      await api.post(`/admin/payments/${payment.id}/capture`, {}, { headers, validateStatus: () => true })
      expect((await kustom.orders.get(kustomOrderId)).captures).toHaveLength(1)

      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, { headers })
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 20 }, { headers })
      let kustomOrder = await kustom.orders.get(kustomOrderId)
      expect(kustomOrder.refunded_amount).toBe(3_000)
      expect(kustomOrder.refunds.map((refund) => refund.refunded_amount)).toEqual([1_000, 2_000])

      const tooMuch = await api.post(`/admin/payments/${payment.id}/refund`, { amount: order.total }, { headers, validateStatus: () => true })
      expect(tooMuch.status).toBeGreaterThanOrEqual(400)
      expect(tooMuch.status).toBeLessThan(500)
      kustomOrder = await kustom.orders.get(kustomOrderId)
      expect(kustomOrder.refunded_amount).toBe(3_000)

      // The rest with half an öre too much: it completes the refunds, so it refunds exactly what
      // Kustom has left (rounded on its own it would be one öre more, and refused).
      const rest = Number(((total - 3_000) / 100 + 0.005).toFixed(3))
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: rest }, { headers })
      expect((await kustom.orders.get(kustomOrderId)).refunded_amount).toBe(total)
      expect((await kustom.orders.get(kustomOrderId)).refunds.map((refund) => refund.refunded_amount)).toEqual([1_000, 2_000, total - 3_000])
    })

    it("says a draft order paid in store is authorized, not captured, until it is captured", async () => {
      const kustom = kustomClient(fixture)
      const device = await createDevice(fixture)
      const draft = await createDraftOrder(api, store, headers)
      const { data: sent } = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: device.id }, { headers })
      await kustom.playground.simulateTap(sent.payment.kustom_session_id)
      const viewOf = async () => (await api.get(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { headers })).data
      const paid = await waitFor(async () => {
        const view = await viewOf()
        return view.sale.completed ? view : undefined
      }, "the order")
      expect(paid.captured).toBe(false)

      const {
        data: [order],
      } = await getContainer().resolve("query").graph({ entity: "order", fields: ["payment_collections.payments.id"], filters: { id: draft.id } })
      const [payment] = (order as any).payment_collections.flatMap((collection: any) => collection.payments)
      await api.post(`/admin/payments/${payment.id}/capture`, {}, { headers })
      expect((await viewOf()).captured).toBe(true)
    })

    /** A sale tapped on the device and authorized, with its Medusa payment and Kustom order. */
    async function authorizedSale(onStore: SeededStore) {
      const kustom = kustomClient(fixture)
      const device = await createDevice(fixture)
      const cartId = await createCart(api, onStore)
      const sale = await payInStore(api, onStore, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(sale.kustomSessionId)
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      const [payment] = order.payment_collections.flatMap((collection: any) => collection.payments)
      const kustomOrderId = (await kustom.sessions.get(sale.kustomSessionId)).order_id as string
      return { kustom, order, payment, kustomOrderId }
    }

    const attempt = (path: string, body: Record<string, unknown>) => api.post(path, body, { headers, validateStatus: () => true })

    it("captures in Kustom what each capture in Medusa captures, refuses a fraction of a minor unit, and cancelling returns exactly what was captured", async () => {
      const { kustom, order, payment, kustomOrderId } = await authorizedSale(store)
      const total = toMinorUnits(order.total, "sek")

      // A partial capture stays partial in Kustom.
      await api.post(`/admin/payments/${payment.id}/capture`, { amount: 50 }, { headers })
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ captured_amount: 5_000, remaining_authorized_amount: total - 5_000 })

      // Half an öre cannot be moved by a card: refused, nothing captured on either side.
      const fraction = await attempt(`/admin/payments/${payment.id}/capture`, { amount: 10.005 })
      expect({ status: fraction.status, message: fraction.data.message }).toEqual({
        status: 400,
        message: "Cannot capture 10.005 SEK: amounts in SEK are whole multiples of 0.01, and a card payment cannot move a fraction of that. Nothing was captured.",
      })
      expect((await kustom.orders.get(kustomOrderId)).captures.map((capture) => capture.captured_amount)).toEqual([5_000])

      await api.post(`/admin/payments/${payment.id}/capture`, { amount: 25.5 }, { headers })
      expect((await kustom.orders.get(kustomOrderId)).captures.map((capture) => capture.captured_amount)).toEqual([5_000, 2_550])

      // Nor can a refund move half an öre.
      const refundFraction = await attempt(`/admin/payments/${payment.id}/refund`, { amount: 0.005 })
      expect({ status: refundFraction.status, message: refundFraction.data.message }).toEqual({
        status: 400,
        message: "Cannot refund 0.005 SEK: amounts in SEK are whole multiples of 0.01, and a card payment cannot move a fraction of that. Nothing was refunded.",
      })
      expect((await kustom.orders.get(kustomOrderId)).refunded_amount).toBe(0)

      // Cancelling the order gives back what was captured, and releases the rest.
      await api.post(`/admin/orders/${order.id}/cancel`, {}, { headers })
      const cancelled = await kustom.orders.get(kustomOrderId)
      expect({ captured: cancelled.captured_amount, refunded: cancelled.refunded_amount }).toEqual({ captured: 7_550, refunded: 7_550 })
      const {
        data: { payment: inMedusa },
      } = await api.get(`/admin/payments/${payment.id}?fields=*captures,*refunds`, { headers })
      const sumOf = (rows: { amount: number }[]) => rows.reduce((sum, row) => sum + toMinorUnits(row.amount, "sek"), 0)
      expect({ captured: sumOf(inMedusa.captures), refunded: sumOf(inMedusa.refunds) }).toEqual({ captured: 7_550, refunded: 7_550 })
    })

    it("never moves money twice when Kustom carried out a capture or refund whose every answer was lost, and refuses captures on a cancelled order", async () => {
      const { kustom, order, payment, kustomOrderId } = await authorizedSale(store)
      const total = toMinorUnits(order.total, "sek")
      const inMedusa = async () => {
        const { data } = await api.get(`/admin/payments/${payment.id}?fields=*captures,*refunds`, { headers })
        const sumOf = (rows: { amount: number }[]) => rows.reduce((sum, row) => sum + toMinorUnits(row.amount, "sek"), 0)
        return { captured: sumOf(data.payment.captures), refunded: sumOf(data.payment.refunds) }
      }
      /** Kustom carries each request out, but every answer (the client's retries too) is a 503. */
      const answersLost = async (path: string, run: () => Promise<{ status: number }>) => {
        fixture.playground.injectFault({ method: "POST", path, status: 503, when: "after" })
        try {
          expect((await run()).status).toBeGreaterThanOrEqual(500)
        } finally {
          fixture.playground.clearFaults()
        }
      }
      const captures = `/ordermanagement/v1/orders/${kustomOrderId}/captures`
      const refunds = `/ordermanagement/v1/orders/${kustomOrderId}/refunds`

      // Kustom captured 50, Medusa deleted its capture; the person tries again, as told.
      await answersLost(captures, () => attempt(`/admin/payments/${payment.id}/capture`, { amount: 50 }))
      expect((await kustom.orders.get(kustomOrderId)).captured_amount).toBe(5_000)
      expect(await inMedusa()).toEqual({ captured: 0, refunded: 0 })
      // The order's in-store payment card shows the two sides disagreeing.
      const disagreeing = (await api.get(`/admin/kustom-ipp/orders/${order.id}/payment`, { headers })).data.payments[0]
      expect(disagreeing).toMatchObject({ live: true, captured_amount: 5_000, medusa_captured_amount: 0, refunded_amount: 0, medusa_refunded_amount: 0 })
      expect((await attempt(`/admin/payments/${payment.id}/capture`, { amount: 50 })).status).toBe(200)
      const agreeing = (await api.get(`/admin/kustom-ipp/orders/${order.id}/payment`, { headers })).data.payments[0]
      expect(agreeing).toMatchObject({ captured_amount: 5_000, medusa_captured_amount: 5_000 })
      expect((await kustom.orders.get(kustomOrderId)).captures.map((capture) => capture.captured_amount)).toEqual([5_000])
      expect(await inMedusa()).toEqual({ captured: 5_000, refunded: 0 })

      // Less than Kustom already holds unrecorded would leave Medusa short: refused, nothing moves.
      await answersLost(captures, () => attempt(`/admin/payments/${payment.id}/capture`, { amount: 30 }))
      const tooLittle = await attempt(`/admin/payments/${payment.id}/capture`, { amount: 10 })
      expect({ status: tooLittle.status, message: tooLittle.data.message }).toEqual({
        status: 400,
        message:
          "Kustom has already captured 30.00 SEK of this payment that Medusa does not record (an earlier capture whose answer was lost, or one made outside Medusa). Capture at least 30.00 SEK here to record it. Nothing was captured.",
      })
      // More than that: only the difference is captured.
      await api.post(`/admin/payments/${payment.id}/capture`, { amount: 40 }, { headers })
      expect((await kustom.orders.get(kustomOrderId)).captures.map((capture) => capture.captured_amount)).toEqual([5_000, 3_000, 1_000])
      expect(await inMedusa()).toEqual({ captured: 9_000, refunded: 0 })

      // The same for a refund.
      await answersLost(refunds, () => attempt(`/admin/payments/${payment.id}/refund`, { amount: 20 }))
      expect((await kustom.orders.get(kustomOrderId)).refunded_amount).toBe(2_000)
      expect((await attempt(`/admin/payments/${payment.id}/refund`, { amount: 20 })).status).toBe(200)
      expect((await kustom.orders.get(kustomOrderId)).refunds.map((refund) => refund.refunded_amount)).toEqual([2_000])
      expect(await inMedusa()).toEqual({ captured: 9_000, refunded: 2_000 })

      // Cancelled: Medusa refunds what was captured, and the rest is never captured afterwards.
      await api.post(`/admin/orders/${order.id}/cancel`, {}, { headers })
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ captured_amount: 9_000, refunded_amount: 9_000 })
      const afterCancel = await attempt(`/admin/payments/${payment.id}/capture`, { amount: 10 })
      expect({ status: afterCancel.status, message: afterCancel.data.message }).toEqual({
        status: 400,
        message: `Order #${order.display_id} is cancelled, so its in-store payment is not captured any more. Nothing was captured.`,
      })
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ captured_amount: 9_000, remaining_authorized_amount: total - 9_000 })
      expect(await inMedusa()).toEqual({ captured: 9_000, refunded: 9_000 })
    })

    it("gives back what Kustom captured without Medusa's record when the order is cancelled", async () => {
      const { kustom, order, payment, kustomOrderId } = await authorizedSale(store)
      fixture.playground.injectFault({ method: "POST", path: `/ordermanagement/v1/orders/${kustomOrderId}/captures`, status: 503, when: "after" })
      try {
        expect((await attempt(`/admin/payments/${payment.id}/capture`, { amount: 100 })).status).toBeGreaterThanOrEqual(500)
      } finally {
        fixture.playground.clearFaults()
      }
      expect((await kustom.orders.get(kustomOrderId)).captured_amount).toBe(10_000)

      // Medusa records nothing captured, so its cancel cancels the payment: the 100 goes back.
      await api.post(`/admin/orders/${order.id}/cancel`, {}, { headers })
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ captured_amount: 10_000, refunded_amount: 10_000 })
      const { data } = await api.get(`/admin/payments/${payment.id}?fields=id,canceled_at`, { headers })
      expect(data.payment.canceled_at).toBeTruthy()
      const view = (await api.get(`/admin/kustom-ipp/orders/${order.id}/payment`, { headers })).data.payments[0]
      // The rest stays authorized on the card (Kustom has no partial release); the card says how much.
      const { order_amount } = await kustom.orders.get(kustomOrderId)
      expect(view).toMatchObject({
        captured_amount: 10_000,
        refunded_amount: 10_000,
        remaining_authorized_amount: order_amount - 10_000,
        medusa_captured_amount: 0,
        medusa_refunded_amount: 0,
      })
    })

    it("refunds in Kustom, when the order is cancelled, a capture Medusa recorded only in part", async () => {
      const { kustom, order, payment, kustomOrderId } = await authorizedSale(store)
      await api.post(`/admin/payments/${payment.id}/capture`, { amount: 100 }, { headers })
      // A second capture whose answer is lost: Kustom captured it, Medusa did not record it.
      fixture.playground.injectFault({ method: "POST", path: `/ordermanagement/v1/orders/${kustomOrderId}/captures`, status: 503, when: "after" })
      try {
        expect((await attempt(`/admin/payments/${payment.id}/capture`, { amount: 50 })).status).toBe(503)
      } finally {
        fixture.playground.clearFaults()
      }
      expect((await kustom.orders.get(kustomOrderId)).captured_amount).toBe(15_000)

      // Medusa's cancel refunds the 100 it recorded; the 50 it never recorded is refunded too.
      await api.post(`/admin/orders/${order.id}/cancel`, {}, { headers })
      const settled = await waitFor(async () => {
        const kustomOrder = await kustom.orders.get(kustomOrderId)
        return kustomOrder.refunded_amount === 15_000 ? kustomOrder : undefined
      }, "everything Kustom captured refunded")
      expect(settled).toMatchObject({ captured_amount: 15_000, refunded_amount: 15_000 })
      expect(settled.refunds.map((refund) => refund.refunded_amount)).toEqual([10_000, 5_000])
      const { data } = await api.get(`/admin/payments/${payment.id}?fields=*captures,*refunds`, { headers })
      expect(data.payment.captures.map((capture: { amount: number }) => capture.amount)).toEqual([100])
      expect(data.payment.refunds.map((refund: { amount: number }) => refund.amount)).toEqual([100])
      // Run again (the job, a redelivered event): nothing more moves.
      await withdrawOrderInStorePaymentsWorkflow(getContainer()).run({ input: { order_id: order.id } })
      expect((await kustom.orders.get(kustomOrderId)).refunds).toHaveLength(2)
      const view = (await api.get(`/admin/kustom-ipp/orders/${order.id}/payment`, { headers })).data.payments[0]
      expect(view).toMatchObject({ captured_amount: 15_000, refunded_amount: 15_000, medusa_captured_amount: 10_000, medusa_refunded_amount: 10_000 })
    })

    it("refuses to confirm a return, exchange, claim or order edit of an order only authorized in store, and confirms once it is captured", async () => {
      const { kustom, order, payment, kustomOrderId } = await authorizedSale(store)
      const refusal = (kind: string) =>
        `Order #${order.display_id}'s in-store payment is not captured in full yet. Confirming this ${kind} would make Medusa cancel that payment ` +
        `to collect the new total anew, which releases what is still authorized on the customer's card. Capture the payment on the order page first, then confirm the ${kind}.`
      const refusedAt = async (path: string, kind: string) => {
        const refused = await attempt(path, {})
        expect({ path, status: refused.status, message: refused.data.message }).toEqual({ path, status: 400, message: refusal(kind) })
      }
      // One change of an order at a time: each is refused, then dropped, before the next.
      const { data: returned } = await api.post(`/admin/returns`, { order_id: order.id }, { headers })
      await refusedAt(`/admin/returns/${returned.return.id}/request`, "return")
      await refusedAt(`/admin/returns/${returned.return.id}/receive/confirm`, "return")
      await api.delete(`/admin/returns/${returned.return.id}/request`, { headers })
      const { data: exchanged } = await api.post(`/admin/exchanges`, { order_id: order.id }, { headers })
      await refusedAt(`/admin/exchanges/${exchanged.exchange.id}/request`, "exchange")
      await api.delete(`/admin/exchanges/${exchanged.exchange.id}/request`, { headers })
      const { data: claimed } = await api.post(`/admin/claims`, { order_id: order.id, type: "refund" }, { headers })
      await refusedAt(`/admin/claims/${claimed.claim.id}/request`, "claim")
      await api.delete(`/admin/claims/${claimed.claim.id}/request`, { headers })
      await api.post(`/admin/order-edits`, { order_id: order.id }, { headers })
      await api.post(`/admin/order-edits/${order.id}/items`, { items: [{ variant_id: store.variants.mug, quantity: 1 }] }, { headers })
      await api.post(`/admin/order-edits/${order.id}/request`, {}, { headers })
      await refusedAt(`/admin/order-edits/${order.id}/confirm`, "order edit")
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ status: "AUTHORIZED", captured_amount: 0 })

      // Captured first: the edit is confirmed, and Kustom keeps the payment; Medusa asks for the difference apart.
      await api.post(`/admin/payments/${payment.id}/capture`, {}, { headers })
      expect((await attempt(`/admin/order-edits/${order.id}/confirm`, {})).status).toBe(200)
      const total = toMinorUnits(order.total, "sek")
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ status: "CAPTURED", captured_amount: total, refunded_amount: 0 })
    })

    it("releases an authorization recorded on an order after it was cancelled", async () => {
      const { kustom, order, payment, kustomOrderId } = await authorizedSale(store)
      // Cancelled while its cart was being completed: Medusa's cancel saw no payment to release.
      await getContainer().resolve(Modules.ORDER).cancel(order.id)
      await withdrawOrderInStorePaymentsWorkflow(getContainer()).run({ input: { order_id: order.id } })
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ status: "CANCELLED", captured_amount: 0 })
      const { data } = await api.get(`/admin/payments/${payment.id}?fields=id,canceled_at`, { headers })
      expect(data.payment.canceled_at).toBeTruthy()
    })

    it("completes a capture and a refund of a total with a fraction of a yen, as Kustom rounded it", async () => {
      // 10 % tax added on top of yen prices: Medusa's total keeps half a yen (5 505.5); the
      // session sent Kustom 5 506. Only the capture or refund that completes the payment may round.
      const yen = await seedStore(getContainer(), {
        currencyCode: "jpy",
        countryCode: "jp",
        taxRate: 10,
        prices: { mug: 1_251, tee: 2_493, shipping: 10 },
        name: "Kustom Corner Shop Tokyo",
      })
      const { kustom, order, payment, kustomOrderId } = await authorizedSale(yen)
      expect(Number(order.total)).toBe(5_505.5)
      expect((await kustom.orders.get(kustomOrderId)).order_amount).toBe(5_506)

      const partial = await attempt(`/admin/payments/${payment.id}/capture`, { amount: 1_000.5 })
      expect(partial.status).toBe(400)
      await api.post(`/admin/payments/${payment.id}/capture`, { amount: 1_000 }, { headers })
      // The rest, with its half yen: it completes the payment, so it takes what Kustom has left.
      await api.post(`/admin/payments/${payment.id}/capture`, { amount: 4_505.5 }, { headers })
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ captured_amount: 5_506, remaining_authorized_amount: 0 })
      expect((await kustom.orders.get(kustomOrderId)).captures.map((capture) => capture.captured_amount)).toEqual([1_000, 4_506])

      expect((await attempt(`/admin/payments/${payment.id}/refund`, { amount: 100.5 })).status).toBe(400)
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 100 }, { headers })
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 5_405.5 }, { headers })
      const refunded = await kustom.orders.get(kustomOrderId)
      expect(refunded.refunds.map((refund) => refund.refunded_amount)).toEqual([100, 5_406])
      expect(refunded.refunded_amount).toBe(5_506)

      // Once the books are whole, a fraction more is refused: nothing is left for it to complete,
      // and Medusa would record more than Kustom moved.
      // (Medusa itself takes no capture of a payment captured in full: it records nothing.)
      await attempt(`/admin/payments/${payment.id}/capture`, { amount: 0.4 })
      const refundMore = await attempt(`/admin/payments/${payment.id}/refund`, { amount: 0.4 })
      expect({ status: refundMore.status, message: refundMore.data.message }).toEqual({
        status: 400,
        message: "Cannot refund 0.4 JPY: amounts in JPY are whole multiples of 1, and a card payment cannot move a fraction of that. Nothing was refunded.",
      })
      const {
        data: [books],
      } = await getContainer().resolve("query").graph({ entity: "payment", fields: ["captures.amount", "refunds.amount"], filters: { id: payment.id } })
      const total = (rows: { amount: unknown }[]) => rows.reduce((sum, row) => sum + Number(row.amount), 0)
      expect({ captured: total((books as any).captures), refunded: total((books as any).refunds) }).toEqual({ captured: 5_505.5, refunded: 5_505.5 })
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ captured_amount: 5_506, refunded_amount: 5_506 })
    })
  },
})
