import Medusa from "@medusajs/js-sdk"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { webcrypto } from "node:crypto"
import { completeCartWorkflow, deletePaymentSessionsWorkflow } from "@medusajs/medusa/core-flows"
import { Webhook } from "standardwebhooks"
import type { KustomIppClient } from "../../src/lib/kustom-ipp"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { KUSTOM_IPP_MODULE, type KustomIppModuleService } from "../../src/modules/kustom-ipp"
import { settleCancelledOrderPayments as settleRun } from "../../src/jobs/settle-cancelled-order-payments"
import { ownRun } from "../helpers/jobs"
import { processKustomIppSession, processKustomIppSessionWorkflow, withdrawOrderInStorePaymentsWorkflow } from "../../src/workflows"
import { PAY_IN_STORE_PROVIDER_ID, seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { captureOutput } from "../helpers/capture-output"
import { choosePaymentMethod, createDevice, expireSession, kustomClient, onDevice, sessionCreates } from "../helpers/kustom"
import { usePlayground } from "../helpers/playground"
import { createCart, ordersOfCart, paidOrderOfCart, payInStore, paymentSessionOf } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"


// The test's own runs; the scheduler's run may hold the job's run lock a moment.
const settleCancelledOrderPayments = ownRun(settleRun)
jest.setTimeout(180_000)

// Standard Webhooks' signer uses the Web Crypto API.
globalThis.crypto ??= webcrypto as Crypto

const fixture = usePlayground()
const output = captureOutput()
afterAll(() => output.restore())

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore
    let kustom: KustomIppClient
    let device: { id: string; token: string }

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      kustom = kustomClient(fixture)
      store = await seedStore(getContainer())
      device = await createDevice(fixture, "Counter 1")
    })

    const container = () => getContainer()
    const storeHeaders = () => ({ "x-publishable-api-key": store.publishableKey })

    const completeCart = (cartId: string) => api.post(`/store/carts/${cartId}/complete`, {}, { headers: storeHeaders(), validateStatus: () => true })

    it("records a decline on the payment session, then completes the order when the next card is accepted", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      // A storefront completing the cart itself before the tap is told where the payment stands.
      const early = await completeCart(cartId)
      expect([early.status, early.data]).toEqual([
        400,
        {
          type: "not_allowed",
          message: `The payment is waiting on the device: once the card is accepted there, the cart becomes an order by itself (GET /store/kustom-ipp/carts/${cartId}/payment says when). Nothing was done.`,
        },
      ])

      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "INSUFFICIENT_FUNDS" })
      const declined = await waitFor(async () => {
        const session = await paymentSessionOf(container(), sale.paymentSessionId)
        return session.data.failure_reason === "INSUFFICIENT_FUNDS" ? session : undefined
      }, "the decline to be recorded")
      expect(declined.status).toBe("pending")
      expect(await ordersOfCart(container(), cartId)).toBe(0)

      const { data: status } = await api.get(`/store/kustom-ipp/carts/${cartId}/payment`, { headers: storeHeaders() })
      expect(status.payment).toMatchObject({ kustom_status: "ACTIVE", failure_reason: "INSUFFICIENT_FUNDS" })
      const whileCollecting = await completeCart(cartId)
      expect([whileCollecting.status, whileCollecting.data.message]).toEqual([
        400,
        "The clerk is taking this payment on the device (the last card was declined: INSUFFICIENT_FUNDS): once a card is accepted there, the cart becomes an order by itself. Nothing was done.",
      ])

      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "SUCCESS" })
      const order = await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      expect(order.id).toBeTruthy()
      const { data: after } = await api.get(`/store/kustom-ipp/carts/${cartId}/payment`, { headers: storeHeaders() })
      expect(after.sale).toMatchObject({ completed: true, order_id: order.id, display_id: order.display_id })
      // Paid: the earlier decline is no longer the payment's state (the callbacks keep it).
      expect(after.payment).toMatchObject({ kustom_status: "FINALIZED", failure_reason: null })
      expect((await paymentSessionOf(container(), sale.paymentSessionId)).data.failure_reason).toBeNull()
      // Once paid, completing is Medusa's as ever: the same order, idempotently.
      const completed = await completeCart(cartId)
      expect([completed.status, completed.data.type, completed.data.order?.id]).toEqual([200, "order", order.id])
      expect(await ordersOfCart(container(), cartId)).toBe(1)
    })

    it("keeps the cart open when the clerk cancels on the device, and takes the payment when sent again", async () => {
      const cartId = await createCart(api, store)
      const first = await payInStore(api, store, cartId, { device_id: device.id })
      await onDevice(fixture, device.token, first.kustomSessionId, "cancel")
      const cancelled = await waitFor(async () => {
        const session = await paymentSessionOf(container(), first.paymentSessionId)
        return session.status === "canceled" ? session : undefined
      }, "the cancellation to be recorded")
      expect(cancelled.data).toMatchObject({ kustom_status: "CANCELLED" })
      const ended = await completeCart(cartId)
      expect([ended.status, ended.data.message]).toEqual([
        400,
        "The payment on the device ended unpaid (cancelled): send it again (a new payment session) or choose another way to pay. Nothing was done.",
      ])

      const other = await createDevice(fixture, "Counter 2")
      const second = await payInStore(api, store, cartId, { device_id: other.id })
      expect(second.kustomSessionId).not.toBe(first.kustomSessionId)
      await onDevice(fixture, other.token, second.kustomSessionId, { outcome: "SUCCESS" })
      await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      expect(await ordersOfCart(container(), cartId)).toBe(1)
    })

    it("cancels the session on the device when the payment is sent to another device instead", async () => {
      const cartId = await createCart(api, store)
      const first = await payInStore(api, store, cartId, { device_id: device.id })
      const other = await createDevice(fixture, "Counter 2")
      await payInStore(api, store, cartId, { device_id: other.id })
      expect((await kustom.sessions.get(first.kustomSessionId)).status).toBe("CANCELLED")
    })

    it("replaces a session still waiting on the device when the payment is updated, and refuses while the clerk is collecting", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      const other = await createDevice(fixture, "Counter 2")
      const payments = container().resolve(Modules.PAYMENT)
      const current = await paymentSessionOf(container(), sale.paymentSessionId)

      const updated = await payments.updatePaymentSession({
        id: current.id,
        amount: current.amount,
        currency_code: current.currency_code,
        data: { ...current.data, device_id: other.id },
      })
      const replacement = (updated.data as { kustom_session_id: string }).kustom_session_id
      expect(replacement).not.toBe(sale.kustomSessionId)
      expect((await kustom.sessions.get(sale.kustomSessionId)).status).toBe("CANCELLED")
      expect(await kustom.sessions.get(replacement)).toMatchObject({ status: "CREATED", device_id: other.id })

      await onDevice(fixture, other.token, replacement, { outcome: "DECLINED_GENERIC" })
      const collecting = await paymentSessionOf(container(), sale.paymentSessionId)
      await expect(
        payments.updatePaymentSession({ id: collecting.id, amount: Number(collecting.amount) + 1, currency_code: collecting.currency_code, data: collecting.data })
      ).rejects.toThrow(/already taking this payment on the device/)
      expect((await kustom.sessions.get(replacement)).status).toBe("ACTIVE")
    })

    it("refuses a cart change while the clerk is collecting, and takes a session that was only waiting off the device", async () => {
      const waitingCart = await createCart(api, store)
      const waiting = await payInStore(api, store, waitingCart, { device_id: device.id })
      await api.post(`/store/carts/${waitingCart}/line-items`, { variant_id: store.variants.mug, quantity: 1 }, { headers: storeHeaders() })
      expect((await kustom.sessions.get(waiting.kustomSessionId)).status).toBe("CANCELLED")

      const busyCart = await createCart(api, store)
      const busy = await payInStore(api, store, busyCart, { device_id: device.id })
      await onDevice(fixture, device.token, busy.kustomSessionId, { outcome: "INSUFFICIENT_FUNDS" })
      await waitFor(async () => (await paymentSessionOf(container(), busy.paymentSessionId)).data.kustom_status === "ACTIVE", "the clerk to be collecting")
      const refused = await api.post(`/store/carts/${busyCart}/line-items`, { variant_id: store.variants.mug, quantity: 1 }, { headers: storeHeaders(), validateStatus: () => true })
      expect(refused.status).toBe(400)
      expect(refused.data.message).toMatch(/already taking this payment on the device/)
      expect((await kustom.sessions.get(busy.kustomSessionId)).status).toBe("ACTIVE")
      await onDevice(fixture, device.token, busy.kustomSessionId, { outcome: "SUCCESS" })
      const order = await waitFor(() => paidOrderOfCart(container(), busyCart), "the order")
      expect(toMinorUnits(order.total, "sek")).toBe((await kustom.sessions.get(busy.kustomSessionId)).order_amount)
    })

    /** Sends the cart's payment (again) through the store API as a POS front end does; the answer, whatever its status. */
    const sendAgain = (sale: { paymentCollectionId: string }, data: Record<string, unknown>) =>
      api.post(
        `/store/payment-collections/${sale.paymentCollectionId}/payment-sessions`,
        { provider_id: PAY_IN_STORE_PROVIDER_ID, data },
        { headers: storeHeaders(), validateStatus: () => true }
      )
    const sessionIdsOf = async (cartId: string): Promise<string[]> => {
      const {
        data: [cart],
      } = await container().resolve("query").graph({ entity: "cart", fields: ["payment_collection.payment_sessions.id"], filters: { id: cartId } })
      return cart.payment_collection.payment_sessions.map((session: { id: string }) => session.id)
    }

    it("refuses to send the payment again while the clerk is collecting, going by Kustom's live status, and leaves it on the device", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      const other = await createDevice(fixture, "Counter 2")
      // No callback reaches the store: only Kustom knows that the clerk has started.
      fixture.playground.setCallbackFaults({ dropAll: true })
      await choosePaymentMethod(fixture, device.token, sale.kustomSessionId)
      expect((await paymentSessionOf(container(), sale.paymentSessionId)).data.kustom_status).toBe("CREATED")
      const creates = sessionCreates(fixture)

      for (const deviceId of [device.id, other.id]) {
        const refused = await sendAgain(sale, { device_id: deviceId })
        expect({ status: refused.status, ...refused.data }).toEqual({
          status: 400,
          type: "not_allowed",
          message: "The clerk is already taking this payment on the device. Cancel it on the device (or from the admin) before changing the sale or sending it again.",
        })
      }
      expect((await kustom.sessions.get(sale.kustomSessionId)).status).toBe("ACTIVE")
      expect(sessionCreates(fixture)).toBe(creates)
      expect(await sessionIdsOf(cartId)).toEqual([sale.paymentSessionId])

      fixture.playground.setCallbackFaults({})
      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "SUCCESS" })
      await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      expect(await ordersOfCart(container(), cartId)).toBe(1)
    })

    /** Every callback recorded for the session (at least one of `type`) is processed: no processing holds the sale. */
    const callbacksProcessed = (kustomSessionId: string, type: string) =>
      waitFor(async () => {
        const callbacks = await container().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE).listKustomIppCallbacks({ kustom_session_id: kustomSessionId })
        return callbacks.some((callback) => callback.event_type === type) && callbacks.every((callback) => callback.status === "processed") ? true : undefined
      }, `the ${type} callback to be processed`)

    it("says the sale is done only once the payment is recorded, not when the order exists", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      // A first card is declined, and that is recorded.
      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "INSUFFICIENT_FUNDS" })
      await callbacksProcessed(sale.kustomSessionId, "ipp.payment.failed")
      // The next card pays, with no callback yet: as in the moment inside Medusa's cart
      // completion after the order exists and before the payment is authorized on it.
      fixture.playground.setCallbackFaults({ dropAll: true })
      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "SUCCESS" })
      await container().resolve(Modules.CART).updateCarts(cartId, { completed_at: new Date() })
      const during = await api.get(`/store/kustom-ipp/carts/${cartId}/payment`, { headers: storeHeaders() })
      expect(during.data.sale).toMatchObject({ completed: false, order_id: null })
      // Paid, live from Kustom: the earlier decline is not the payment's state any more.
      expect(during.data.payment).toMatchObject({ kustom_status: "FINALIZED", status: "pending", failure_reason: null })

      // Recorded: done.
      await container().resolve(Modules.CART).updateCarts(cartId, { completed_at: null })
      fixture.playground.setCallbackFaults({})
      await processKustomIppSessionWorkflow(container()).run({ input: { kustom_session_id: sale.kustomSessionId } })
      const order = await paidOrderOfCart(container(), cartId)
      const after = await api.get(`/store/kustom-ipp/carts/${cartId}/payment`, { headers: storeHeaders() })
      expect(after.data.sale).toMatchObject({ completed: true, order_id: order.id })
      expect(after.data.payment.status).toMatch(/^(authorized|captured)$/)
    })

    it("refuses to take on a device what an order edit left due, and says why", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "SUCCESS" })
      const order = await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      const { headers } = await createAdminHeaders(container())
      // One more mug after the sale: Medusa asks for the difference in a new payment collection.
      await api.post(`/admin/order-edits`, { order_id: order.id }, { headers })
      await api.post(`/admin/order-edits/${order.id}/items`, { items: [{ variant_id: store.variants.mug, quantity: 1 }] }, { headers })
      await api.post(`/admin/order-edits/${order.id}/request`, {}, { headers })
      await api.post(`/admin/order-edits/${order.id}/confirm`, {}, { headers })
      const {
        data: { order: edited },
      } = await api.get(`/admin/orders/${order.id}?fields=display_id,*payment_collections`, { headers })
      const due = edited.payment_collections.find((collection: { status: string }) => collection.status === "not_paid")
      expect(due).toBeTruthy()

      const creates = sessionCreates(fixture)
      const refused = await api.post(
        `/store/payment-collections/${due.id}/payment-sessions`,
        { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: device.id } },
        { headers: storeHeaders(), validateStatus: () => true }
      )
      expect({ status: refused.status, message: refused.data.message }).toEqual({
        status: 400,
        message:
          `Order #${edited.display_id} is already an order: Pay in store takes the payment of a cart or a draft order. ` +
          "What is still due on an order (after an order edit, exchange or claim) has to be collected with another payment method.",
      })
      expect(sessionCreates(fixture)).toBe(creates)
    })

    /** A cart paid on the device and become an order, its callbacks all processed, with what Kustom captured. */
    async function settledSale() {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "SUCCESS" })
      const order = await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      const kustomOrderId = (await kustom.sessions.get(sale.kustomSessionId)).order_id as string
      const captured = (await kustom.orders.get(kustomOrderId)).captured_amount
      expect(captured).toBe(toMinorUnits(order.total, "sek"))
      await callbacksProcessed(sale.kustomSessionId, "ipp.session.finalized")
      return { cartId, order, kustomOrderId, captured }
    }

    it("refunds a payment recorded on an order after it was cancelled, once the cart's completion has finished", async () => {
      const { cartId, order, kustomOrderId, captured } = await settledSale()

      // The end state of the race: Medusa cancelled the order while its cart was still being
      // completed, so its cancel saw no payment; the payment was recorded afterwards.
      await container().resolve(Modules.ORDER).cancel(order.id)
      // A completion still running holds the cart's lock: the settling waits for it.
      const locking = container().resolve(Modules.LOCKING)
      await locking.acquire(cartId, { ownerId: "completion-in-progress", expire: 30 })
      const settling = withdrawOrderInStorePaymentsWorkflow(container()).run({ input: { order_id: order.id } })
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      expect((await kustom.orders.get(kustomOrderId)).refunded_amount).toBe(0)
      await locking.release(cartId, { ownerId: "completion-in-progress" })
      await settling

      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ captured_amount: captured, refunded_amount: captured })
      const [payment] = (await paidOrderOfCart(container(), cartId)).payment_collections.flatMap((collection: any) => collection.payments)
      const { data } = await api.get(`/admin/payments/${payment.id}?fields=*refunds`, { headers: (await createAdminHeaders(container())).headers })
      expect(data.payment.refunds.map((refund: { amount: number }) => toMinorUnits(refund.amount, "sek"))).toEqual([captured])

      // Run again (a redelivered event): nothing more moves.
      await withdrawOrderInStorePaymentsWorkflow(container()).run({ input: { order_id: order.id } })
      expect((await kustom.orders.get(kustomOrderId)).refunds).toHaveLength(1)
    })

    /** As the scheduled run sees it a few minutes from now (the job leaves younger payments to the subscriber). */
    const later = () => ({ now: new Date(Date.now() + 180_000) })

    it("settles in the sweep a payment on a cancelled order that the order.canceled run could not", async () => {
      const { cartId, order, kustomOrderId, captured } = await settledSale()
      const { headers } = await createAdminHeaders(container())
      // Kustom is down while Medusa cancels the order: Medusa's cancel logs the failed refund and
      // goes on (it still adds the refund's transaction), and the order.canceled run fails too.
      fixture.playground.injectFault({ path: "/ordermanagement/*", status: 503 })
      try {
        expect((await api.post(`/admin/orders/${order.id}/cancel`, {}, { headers })).status).toBe(200)
        // Younger than two minutes, it is the subscriber's.
        expect(await settleCancelledOrderPayments(container())).toEqual({ orders: [], failed: [] })
        // Later, the job takes it, and cannot refund it yet.
        await settleCancelledOrderPayments(container(), later())
      } finally {
        fixture.playground.clearFaults()
      }
      expect((await kustom.orders.get(kustomOrderId)).refunded_amount).toBe(0)

      // Kustom answers again: the job's next run refunds it, once, in both books.
      await waitFor(async () => {
        await settleCancelledOrderPayments(container(), later())
        return (await kustom.orders.get(kustomOrderId)).refunded_amount === captured ? true : undefined
      }, "the job to refund the cancelled order's payment")
      expect((await kustom.orders.get(kustomOrderId)).refunds).toHaveLength(1)
      const [payment] = (await paidOrderOfCart(container(), cartId)).payment_collections.flatMap((collection: any) => collection.payments)
      expect(payment.refunds.map((refund: { amount: number }) => toMinorUnits(refund.amount, "sek"))).toEqual([captured])
      // One refund in the order's transactions: the summary shows the order settled, not owed twice.
      const transactions = await container().resolve(Modules.ORDER).listOrderTransactions({ order_id: order.id, reference: "refund" })
      expect(transactions.map((transaction) => toMinorUnits(transaction.amount as number, "sek"))).toEqual([-captured])
      // Settled: the next run has nothing to do.
      expect(await settleCancelledOrderPayments(container(), later())).toEqual({ orders: [], failed: [] })
      expect((await kustom.orders.get(kustomOrderId)).refunds).toHaveLength(1)
    })

    it("never deletes a payment session the clerk is collecting, whichever Medusa flow asks", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await choosePaymentMethod(fixture, device.token, sale.kustomSessionId)
      // Past every route guard: Medusa's own workflow for dropping payment sessions, as a cart
      // refresh or another plugin would run it. The provider refuses, and Medusa undoes the step.
      const { errors } = await deletePaymentSessionsWorkflow(container()).run({ input: { ids: [sale.paymentSessionId] }, throwOnError: false })
      expect(errors.map((failure: { error?: { message?: string } }) => failure.error?.message)).toEqual(["Could not delete all payment sessions"])
      expect((await kustom.sessions.get(sale.kustomSessionId)).status).toBe("ACTIVE")
      expect(await sessionIdsOf(cartId)).toEqual([sale.paymentSessionId])

      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "SUCCESS" })
      await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      expect(await ordersOfCart(container(), cartId)).toBe(1)
    })

    it("refuses a device id that cannot work before Medusa replaces the payment session, and names the field", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      const creates = sessionCreates(fixture)

      for (let attempt = 0; attempt < 3; attempt++) {
        const unknown = await sendAgain(sale, { device_id: "nope" })
        expect({ status: unknown.status, ...unknown.data }).toEqual({
          status: 400,
          type: "invalid_data",
          message:
            'data.device_id: no device "nope" is registered with Kustom: it was removed, or the id is wrong. Choose another device, or enroll the phone in Settings → In-Person Payments.',
        })
      }
      const malformed: [Record<string, unknown>, string][] = [
        [{ device_id: "abc\u0000def" }, "data.device_id: must not contain control characters such as line breaks, tabs or NUL (found U+0000 at character 4)"],
        [{ device_id: 7 }, "data.device_id: must be a device id (text), got a number (7)"],
        [{ device_id: "  " }, "data.device_id: must not be empty: leave it out to use the default device"],
        [{ device_id: "d".repeat(201) }, "data.device_id: must be at most 200 characters"],
        [{ device_id: device.id, note: { lines: ["ok", "a\u0000b"] } }, "data.note.lines.1: must not contain NUL characters (found U+0000 at character 2)"],
      ]
      for (const [data, message] of malformed) {
        const refused = await sendAgain(sale, data)
        expect({ status: refused.status, ...refused.data }).toEqual({ status: 400, type: "invalid_data", message })
      }

      // The payment waiting on the device is the one sent first, untouched.
      expect((await kustom.sessions.get(sale.kustomSessionId)).status).toBe("CREATED")
      expect(sessionCreates(fixture)).toBe(creates)
      expect(await sessionIdsOf(cartId)).toEqual([sale.paymentSessionId])
      expect((await paymentSessionOf(container(), sale.paymentSessionId)).data.kustom_session_id).toBe(sale.kustomSessionId)

      // A device Kustom knows still takes it over.
      const other = await createDevice(fixture, "Counter 2")
      const moved = await sendAgain(sale, { device_id: other.id })
      expect(moved.status).toBe(200)
      expect((await kustom.sessions.get(sale.kustomSessionId)).status).toBe("CANCELLED")
      expect(sessionCreates(fixture)).toBe(creates + 1)
    })

    it("finds an expired session (Kustom sends no callback for it) and lets the sale be paid again", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await expireSession(fixture, sale.kustomSessionId)
      const { data: status } = await api.get(`/store/kustom-ipp/carts/${cartId}/payment`, { headers: storeHeaders() })
      expect(status.payment).toMatchObject({ kustom_status: "EXPIRED", live: true })

      const again = await payInStore(api, store, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(again.kustomSessionId)
      await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
    })

    it("creates exactly one order from duplicated, concurrent and out-of-order callbacks", async () => {
      fixture.playground.setCallbackFaults({ duplicate: 4, concurrent: true, outOfOrder: true })
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(sale.kustomSessionId)
      const order = await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      await fixture.playground.waitForDeliveries(
        (deliveries) => deliveries.filter((d) => d.session_id === sale.kustomSessionId && d.status === 200).length >= 12,
        15_000
      )
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(await ordersOfCart(container(), cartId)).toBe(1)
      const payments = order.payment_collections.flatMap((collection: any) => collection.payments)
      expect(payments).toHaveLength(1)
      const kustomOrder = await kustom.orders.get((await kustom.sessions.get(sale.kustomSessionId)).order_id as string)
      expect(kustomOrder.captures).toHaveLength(1)
      expect(kustomOrder.refunded_amount).toBe(0)
    })

    /** A price changed without Medusa refreshing the payment collection, then the tap: the flagged payment session. */
    async function tapAfterPriceChange(cartId: string, sale: { kustomSessionId: string; paymentSessionId: string }) {
      const carts = container().resolve(Modules.CART)
      const [item] = await carts.listLineItems({ cart_id: cartId }, { take: 1 })
      await carts.updateLineItems(item.id, { unit_price: Number(item.unit_price) + 1 })
      await kustom.playground.simulateTap(sale.kustomSessionId)
      return waitFor(async () => {
        const session = await paymentSessionOf(container(), sale.paymentSessionId)
        return session.status === "error" ? session : undefined
      }, "the mismatch to be recorded")
    }

    it("creates no order when the sale changed behind the session's back, and says why", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      const flagged = await tapAfterPriceChange(cartId, sale)
      expect(flagged.data.problem).toMatch(/No order was created/)
      expect(await ordersOfCart(container(), cartId)).toBe(0)
      await waitFor(
        async () => output.text().includes(`a payment needs attention (kustom_ipp.session.amount_mismatch): Kustom session ${sale.kustomSessionId}`),
        "the attention log line"
      )
    })

    it("keeps a flagged payment unpayable when Medusa puts it back, and pays no sale with money Kustom no longer holds", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      const flagged = await tapAfterPriceChange(cartId, sale)
      const problem = flagged.data.problem as string
      expect(problem).toMatch(/No order was created/)

      // A send that fails after Medusa removed the flagged session makes Medusa put it back.
      const failed = await api.post(
        `/store/payment-collections/${sale.paymentCollectionId}/payment-sessions`,
        { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: "no-such-device" } },
        { headers: storeHeaders(), validateStatus: () => true }
      )
      expect(failed.status).toBe(400)
      const [restored, ...others] = await container().resolve(Modules.PAYMENT).listPaymentSessions({ payment_collection_id: sale.paymentCollectionId }, { select: ["id", "status", "data"] })
      expect(others).toEqual([])
      expect(restored).toMatchObject({ status: "error", data: { kustom_session_id: sale.kustomSessionId, problem } })
      const completed = await api.post(`/store/carts/${cartId}/complete`, {}, { headers: storeHeaders(), validateStatus: () => true })
      expect([completed.status, completed.data.message]).toEqual([400, `This cart's in-store payment needs attention, so it does not become an order: ${problem}`])

      // Authorizing itself checks the sale's total now and what Kustom still holds, whatever
      // made the session pending (here: written directly) and whoever completes the cart.
      const pg = container().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      const makePending = () => pg("payment_session").where({ id: restored.id }).update({ status: "pending", data: JSON.stringify({ ...restored.data, problem: null }) })
      const problemAfterCompleting = async () => {
        await makePending()
        await expect(completeCartWorkflow(container()).run({ input: { id: cartId } })).rejects.toBeTruthy()
        expect(await ordersOfCart(container(), cartId)).toBe(0)
        const session = await paymentSessionOf(container(), restored.id)
        expect(session.status).toBe("error")
        return session.data.problem
      }
      const { order_amount: paid, order_id: kustomOrderId } = await kustom.sessions.get(sale.kustomSessionId)
      const cartTotal = async () => toMinorUnits((await container().resolve(Modules.CART).retrieveCart(cartId, { select: ["total", "currency_code"] })).total, "sek")
      expect(await problemAfterCompleting()).toBe(
        `Kustom reports ${(paid / 100).toFixed(2)} SEK paid, but the sale now totals ${((await cartTotal()) / 100).toFixed(2)} SEK; it does not pay it`
      )
      // The cart back at what was paid, and the payment released in Kustom, as the problem asks.
      const carts = container().resolve(Modules.CART)
      const [item] = await carts.listLineItems({ cart_id: cartId }, { take: 1 })
      await carts.updateLineItems(item.id, { unit_price: Number(item.unit_price) - 1 })
      expect(await cartTotal()).toBe(paid)
      // The playground captures a finalized payment at once (its default capture mode), so it is refunded.
      expect((await kustom.orders.get(kustomOrderId as string)).captured_amount).toBe(paid)
      await kustom.orders.refund(kustomOrderId as string, { refunded_amount: paid })
      expect(await problemAfterCompleting()).toBe(`Kustom has given back ${(paid / 100).toFixed(2)} SEK of this payment; it no longer pays the sale`)
    })

    it("leaves one payment on the device when a send is dropped by its client and sent again at once", async () => {
      const cartId = await createCart(api, store)
      const first = await payInStore(api, store, cartId, { device_id: device.id })
      const createdBefore = new Set(fixture.playground.events().filter((event) => event.type === "ipp.session.created").map((event) => event.data.session_id))
      const send = (signal?: AbortSignal) =>
        api.post(
          `/store/payment-collections/${first.paymentCollectionId}/payment-sessions`,
          { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: device.id } },
          { headers: storeHeaders(), validateStatus: () => true, signal }
        )
      // The first send's create takes a while; its client gives up long before.
      fixture.playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", latencyMs: 1_500, times: 1 })
      const dropped = new AbortController()
      const firstSend = send(dropped.signal).catch(() => "dropped")
      await new Promise((resolve) => setTimeout(resolve, 300))
      dropped.abort()
      expect(await firstSend).toBe("dropped")
      const again = await send()
      expect(again.status).toBe(200)

      // Every session sent for this cart since, and the first: one is left on the device, the one Medusa holds.
      const sent = await waitFor(async () => {
        const ids = fixture.playground.events().filter((event) => event.type === "ipp.session.created" && !createdBefore.has(event.data.session_id)).map((event) => event.data.session_id)
        return ids.length === 2 ? ids : undefined
      }, "both sends' sessions")
      const statuses = await Promise.all([first.kustomSessionId, ...sent].map(async (id) => (await kustom.sessions.get(id)).status))
      expect(statuses.filter((status) => status === "CREATED")).toHaveLength(1)
      const sessions = await container().resolve(Modules.PAYMENT).listPaymentSessions({ payment_collection_id: first.paymentCollectionId })
      expect(sessions.map((session) => session.data.kustom_session_id)).toEqual([[first.kustomSessionId, ...sent][statuses.indexOf("CREATED")]])
    })

    it("leaves one payment on the device when it is sent twice at once, and takes it once", async () => {
      for (let round = 0; round < 3; round++) {
        const cartId = await createCart(api, store)
        const first = await payInStore(api, store, cartId, { device_id: device.id })
        const send = () =>
          api.post(
            `/store/payment-collections/${first.paymentCollectionId}/payment-sessions`,
            { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: device.id } },
            { headers: storeHeaders(), validateStatus: () => true }
          )
        const answers = await Promise.all([send(), send()])
        expect(answers.map((answer) => answer.status)).toEqual([200, 200])
        const sent = [first.kustomSessionId, ...answers.map((answer) => answer.data.payment_collection.payment_sessions[0].data.kustom_session_id as string)]
        const statuses = await Promise.all(sent.map(async (id) => (await kustom.sessions.get(id)).status))
        expect(statuses.filter((status) => status === "CREATED")).toHaveLength(1)
        const sessions = await container().resolve(Modules.PAYMENT).listPaymentSessions({ payment_collection_id: first.paymentCollectionId })
        expect(sessions).toHaveLength(1)
        expect(sessions[0].data.kustom_session_id).toBe(sent[statuses.indexOf("CREATED")])

        await kustom.playground.simulateTap(sessions[0].data.kustom_session_id as string)
        await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
        expect(await ordersOfCart(container(), cartId)).toBe(1)
      }
    })

    it("answers a storefront's payment sent twice at once before the cart has a payment collection, and leaves one payment on the device", async () => {
      const cartId = await createCart(api, store)
      const sdk = new Medusa({ baseUrl: api.defaults.baseURL as string, publishableKey: store.publishableKey })
      const { cart } = await sdk.store.cart.retrieve(cartId)
      // The SDK asks Medusa for the cart's payment collection first; two at once both found none.
      const answers = await Promise.allSettled([0, 1].map(() => sdk.store.payment.initiatePaymentSession(cart, { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: device.id } })))
      expect(answers.map((answer) => (answer.status === "rejected" ? String(answer.reason) : "ok"))).toEqual(["ok", "ok"])
      const collections = await container().resolve("query").graph({ entity: "cart_payment_collection", fields: ["payment_collection_id"], filters: { cart_id: cartId } })
      expect(collections.data).toHaveLength(1)
      const sessions = await container().resolve(Modules.PAYMENT).listPaymentSessions({ payment_collection_id: collections.data[0].payment_collection_id })
      expect(sessions).toHaveLength(1)
      const sent = (answers as PromiseFulfilledResult<{ payment_collection: { payment_sessions?: { data: Record<string, unknown> }[] } }>[]).map(
        (answer) => answer.value.payment_collection.payment_sessions?.[0]?.data.kustom_session_id as string
      )
      const statuses = await Promise.all(sent.map(async (id) => (await kustom.sessions.get(id)).status))
      expect(statuses.filter((status) => status === "CREATED")).toHaveLength(1)
      expect(sessions[0].data.kustom_session_id).toBe(sent[statuses.indexOf("CREATED")])

      await kustom.playground.simulateTap(sessions[0].data.kustom_session_id as string)
      await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      expect(await ordersOfCart(container(), cartId)).toBe(1)
    })

    it("records a paid cart Medusa refuses to make an order as a payment problem, once, instead of trying for ever", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      const { headers } = await createAdminHeaders(container())
      // While the payment waits on the device, the T-shirt moves to a shipping profile that the
      // cart's shipping method does not serve: Medusa's cart completion then refuses the cart.
      const {
        data: { shipping_profile: freight },
      } = await api.post("/admin/shipping-profiles", { name: "Freight", type: "freight" }, { headers })
      const {
        data: [variant],
      } = await container().resolve("query").graph({ entity: "product_variant", fields: ["product_id"], filters: { id: store.variants.tee } })
      await api.post(`/admin/products/${variant.product_id}`, { shipping_profile_id: freight.id }, { headers })

      await kustom.playground.simulateTap(sale.kustomSessionId)
      const flagged = await waitFor(async () => {
        const session = await paymentSessionOf(container(), sale.paymentSessionId)
        return session?.status === "error" ? session : undefined
      }, "the refusal recorded")
      const paid = await kustom.sessions.get(sale.kustomSessionId)
      const problem =
        `Paid ${(paid.order_amount / 100).toFixed(2)} SEK on the device, but Medusa refused to make cart ${cartId} an order: ` +
        "The cart items require shipping profiles that are not satisfied by the current shipping methods. No order records this payment: " +
        `give the money back in Kustom (refund the payment, or cancel its authorization if nothing was captured); its Kustom order is ${paid.order_id}.`
      expect(flagged.data).toMatchObject({ problem, kustom_status: "FINALIZED", kustom_order_id: paid.order_id })
      expect(await ordersOfCart(container(), cartId)).toBe(0)

      // The storefront's polling ends with the problem; Settings lists it for the store.
      const { data: status } = await api.get(`/store/kustom-ipp/carts/${cartId}/payment`, { headers: storeHeaders() })
      expect(status.sale.completed).toBe(false)
      expect(status.payment).toMatchObject({ status: "error", kustom_status: "FINALIZED", problem })
      const { data: problems } = await api.get(`/admin/kustom-ipp/payment-problems`, { headers })
      expect(problems.problems.filter((item: { kustom_session_id: string }) => item.kustom_session_id === sale.kustomSessionId)).toEqual([
        expect.objectContaining({ sale_kind: "cart", sale_id: cartId, order_id: null, problem, resolved: false }),
      ])
      // The callback is done with (marked as the run's last step): the retry job does not take it up again.
      const finalizedCallbacks = () =>
        container().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE).listKustomIppCallbacks({ kustom_session_id: sale.kustomSessionId, event_type: "ipp.session.finalized" })
      const callbacks = await waitFor(async () => {
        const rows = await finalizedCallbacks()
        return rows.every((row) => row.status !== "received") ? rows : undefined
      }, "the callback processed")
      expect(callbacks.map((callback) => callback.status)).toEqual(["processed"])

      // Looking again (a redelivery, the sweep) keeps to it: still no order, the same problem.
      const again = await processKustomIppSession(container(), { kustom_session_id: sale.kustomSessionId })
      expect(again).toMatchObject({ outcome: "order_refused", order_id: null })
      expect(await ordersOfCart(container(), cartId)).toBe(0)
      expect((await paymentSessionOf(container(), sale.paymentSessionId)).data.problem).toBe(problem)
    })

    it("keeps money a mismatched tap took on the order's page after the payment is sent again and paid", async () => {
      const cartId = await createCart(api, store)
      const first = await payInStore(api, store, cartId, { device_id: device.id })
      const flagged = await tapAfterPriceChange(cartId, first)
      const paid = await kustom.sessions.get(first.kustomSessionId)
      const { headers } = await createAdminHeaders(container())
      // Settings lists it for the whole store, before there is an order to show it on.
      // (A late callback of an earlier test may add its own: this test looks at its session's.)
      const problemOf = (list: { problems: { kustom_session_id: string }[] }) =>
        list.problems.filter((problem) => problem.kustom_session_id === first.kustomSessionId)
      const { data: before } = await api.get(`/admin/kustom-ipp/payment-problems`, { headers })
      expect(before).toMatchObject({ limit: 20, offset: 0 })
      expect(problemOf(before)).toEqual([
        expect.objectContaining({ sale_kind: "cart", sale_id: cartId, order_id: null, order_display_id: null, resolved: false }),
      ])

      // The cart changes through the store (Medusa refreshes its payment, deleting the flagged
      // session), then the right amount is sent and paid.
      await api.post(`/store/carts/${cartId}/line-items`, { variant_id: store.variants.mug, quantity: 1 }, { headers: storeHeaders() })
      const again = await payInStore(api, store, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(again.kustomSessionId)
      const order = await waitFor(() => paidOrderOfCart(container(), cartId), "the order")
      const payments = container().resolve(Modules.PAYMENT)
      expect(await payments.listPaymentSessions({ id: first.paymentSessionId })).toEqual([])

      const { data: view } = await api.get(`/admin/kustom-ipp/orders/${order.id}/payment`, { headers })
      expect(view.payments).toHaveLength(1)
      expect(view.problems).toEqual([
        {
          payment_session_id: first.paymentSessionId,
          currency_code: "sek",
          currency_exponent: 2,
          amount: paid.order_amount,
          device_id: device.id,
          kustom_session_id: first.kustomSessionId,
          kustom_order_id: paid.order_id,
          problem: flagged.data.problem,
          kustom_order_status: (await kustom.orders.get(paid.order_id as string)).status,
          refunded_amount: 0,
          held_amount: paid.order_amount,
          resolved: false,
        },
      ])
      const { data: after } = await api.get(`/admin/kustom-ipp/payment-problems?limit=5`, { headers })
      expect(after).toMatchObject({ limit: 5, offset: 0 })
      expect(problemOf(after)).toEqual([
        { ...view.problems[0], id: expect.any(String), sale_kind: "cart", sale_id: cartId, order_id: order.id, order_display_id: order.display_id, draft_order_display_id: null, created_at: expect.any(String) },
      ])

      // A part given back in Kustom (its portal) shows with what Kustom still holds; once all of
      // it is back, the list says so.
      await kustom.orders.refund(paid.order_id as string, { refunded_amount: 1_000 })
      const { data: partly } = await api.get(`/admin/kustom-ipp/payment-problems`, { headers })
      expect(problemOf(partly)).toEqual([expect.objectContaining({ refunded_amount: 1_000, held_amount: paid.order_amount - 1_000, resolved: false })])
      await kustom.orders.refund(paid.order_id as string, { refunded_amount: paid.order_amount - 1_000 })
      const { data: refunded } = await api.get(`/admin/kustom-ipp/payment-problems`, { headers })
      expect(problemOf(refunded)).toEqual([expect.objectContaining({ refunded_amount: paid.order_amount, held_amount: 0, resolved: true })])
      const { data: pastTheEnd } = await api.get(`/admin/kustom-ipp/payment-problems?offset=${refunded.count}`, { headers })
      expect(pastTheEnd).toEqual({ problems: [], count: refunded.count, limit: 20, offset: refunded.count })
      for (const [query, field] of [
        ["limit=0", "limit"],
        ["limit=51", "limit"],
        ["limit=ten", "limit"],
        ["limit=0x2", "limit"],
        ["limit=1e1", "limit"],
        ["limit[]=1", "limit"],
        ["offset=", "offset"],
        ["offset=-1", "offset"],
        ["sale_id=x", "sale_id"],
      ]) {
        const refused = await api.get(`/admin/kustom-ipp/payment-problems?${query}`, { headers, validateStatus: () => true })
        expect([query, refused.status, refused.data.type]).toEqual([query, 400, "invalid_data"])
        expect(refused.data.message).toContain(field)
      }
    })

    it("answers 401 to forged and tampered callbacks, 400 to signed unreadable ones, and changes nothing", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      const body = JSON.stringify({
        id: "kevt_forged",
        merchant_id: "PLAYGROUND",
        timestamp: new Date().toISOString(),
        type: "ipp.session.finalized",
        data: { session_id: sale.kustomSessionId, order_id: null, failure_reason: null },
      })
      const post = (payload: string, headers: Record<string, string>) =>
        api.post("/hooks/kustom-ipp", payload, { headers: { "content-type": "application/json", ...headers }, validateStatus: () => true })

      const forger = new Webhook(`whsec_${Buffer.from("not the store's secret at all!!").toString("base64")}`)
      const now = new Date()
      const forged = await post(body, { "webhook-id": "msg_forged", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": forger.sign("msg_forged", now, body) })
      expect(forged.status).toBe(401)

      const genuine = new Webhook(fixture.webhookSecret)
      const signature = genuine.sign("msg_tampered", now, body)
      const tampered = await post(body.replace("finalized", "cancelled"), { "webhook-id": "msg_tampered", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signature })
      expect(tampered.status).toBe(401)
      expect(tampered.data).toEqual({ type: "unauthorized", message: "Invalid callback signature" })

      // Correctly signed but unreadable: the holder of the secret is told what is wrong.
      const event = JSON.parse(body)
      const withNul = JSON.stringify({ ...event, data: { ...event.data, session_id: `${sale.kustomSessionId}\u0000` } })
      const unreadable = await post(withNul, { "webhook-id": "msg_nul", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": genuine.sign("msg_nul", now, withNul) })
      expect(unreadable.status).toBe(400)
      expect(unreadable.data).toEqual({ type: "invalid_data", message: "Invalid callback: data.session_id: must not contain control characters" })
      const longId = "m".repeat(3001)
      const unkeyable = await post(body, { "webhook-id": longId, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": genuine.sign(longId, now, body) })
      expect(unkeyable.status).toBe(400)
      expect(unkeyable.data.message).toBe("Invalid callback: webhook-id must be 1 to 256 visible ASCII characters (got 3001)")

      const kustomIpp = container().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      expect(await kustomIpp.listKustomIppCallbacks({ webhook_id: ["msg_forged", "msg_tampered", "msg_nul", longId] })).toHaveLength(0)
      expect((await paymentSessionOf(container(), sale.paymentSessionId)).status).toBe("pending")
      expect(await ordersOfCart(container(), cartId)).toBe(0)
    })

    it("logs a callback refused for its body (too large, compressed) as a rejected callback", async () => {
      const url = `${api.defaults.baseURL}/hooks/kustom-ipp`
      const headers = { "content-type": "application/json", "webhook-id": "msg_body", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,x" }
      const huge = await fetch(url, { method: "POST", headers, body: `{"pad":"${"x".repeat(70 * 1024)}"}` })
      expect(huge.status).toBe(413)
      const compressed = await fetch(url, { method: "POST", headers: { ...headers, "content-encoding": "gzip" }, body: "{}" })
      expect(compressed.status).toBe(415)
      const logged = output.text()
      expect(logged).toContain("Kustom In-Person Payments: rejected a callback (HTTP 413: The body is larger than 64 KiB)")
      expect(logged).toContain("Kustom In-Person Payments: rejected a callback (HTTP 415: Send the body uncompressed (no Content-Encoding))")
    })

    it("takes a genuine callback whatever the JSON content type's spelling, charset or formatting", async () => {
      fixture.playground.setCallbackFaults({ dropAll: true })
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(sale.kustomSessionId)
      const signer = new Webhook(fixture.webhookSecret)
      const deliver = async (webhookId: string, contentType: string, type: string) => {
        // Pretty-printed, with characters outside ASCII: the signature covers these exact bytes.
        const body = JSON.stringify(
          { id: `kevt_${webhookId}`, merchant_id: "PLAYGROUND", timestamp: new Date().toISOString(), type, data: { session_id: sale.kustomSessionId, note: "Kaffe & kanelbulle — 2 st, Göteborg ☕" } },
          null,
          2
        )
        const now = new Date()
        const response = await api.post("/hooks/kustom-ipp", Buffer.from(body, "utf8"), {
          headers: {
            "content-type": contentType,
            "webhook-id": webhookId,
            "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
            "webhook-signature": signer.sign(webhookId, now, body),
          },
          validateStatus: () => true,
        })
        return response.status
      }
      expect(await deliver("msg_ct_upper", "Application/JSON", "ipp.session.created")).toBe(200)
      expect(await deliver("msg_ct_charset", "application/json; charset=utf-8", "ipp.session.activated")).toBe(200)
      expect(await deliver("msg_ct_final", "application/json;charset=UTF-8", "ipp.session.finalized")).toBe(200)

      const kustomIpp = container().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      expect(await kustomIpp.listKustomIppCallbacks({ webhook_id: ["msg_ct_upper", "msg_ct_charset", "msg_ct_final"] })).toHaveLength(3)
      expect(await waitFor(() => paidOrderOfCart(container(), cartId), "the order")).toBeDefined()
    })

    it("refunds in Kustom when a paid order is cancelled in Medusa", async () => {
      const { headers } = await createAdminHeaders(container())
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(sale.kustomSessionId)
      const order = await waitFor(() => paidOrderOfCart(container(), cartId), "the order")

      await api.post(`/admin/orders/${order.id}/cancel`, {}, { headers })
      const kustomOrder = await kustom.orders.get((await kustom.sessions.get(sale.kustomSessionId)).order_id as string)
      expect(kustomOrder.refunded_amount).toBe(toMinorUnits(order.total, "sek"))
      expect(kustomOrder.refunds).toHaveLength(1)
    })
  },
})
