/**
 * A draft order sent to a device and then converted with Medusa's own "Convert to order" while
 * the payment is still on the device: the tap that follows records the money on the order
 * (the draft became it, same id), once, however often the callback comes.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { KustomIppClient } from "../../src/lib/kustom-ipp"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { KUSTOM_IPP_MODULE, type KustomIppModuleService } from "../../src/modules/kustom-ipp"
import { processKustomIppSessionWorkflow } from "../../src/workflows/process-kustom-ipp-session"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { createDraftOrder } from "../helpers/draft-order"
import { TEST_API_KEY, usePlayground } from "../helpers/playground"
import { postSignedCallback } from "../helpers/signed-callback"
import { waitFor } from "../helpers/wait"
import { ownRun } from "../helpers/jobs"
import { settleCancelledOrderPayments as settleRun } from "../../src/jobs/settle-cancelled-order-payments"

// The test's own runs; the scheduler's run may hold the job's run lock a moment.
const settleCancelledOrderPayments = ownRun(settleRun)

jest.setTimeout(180_000)

const fixture = usePlayground()

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore
    let kustom: KustomIppClient
    let headers: Record<string, string>

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      kustom = new KustomIppClient({ apiKey: TEST_API_KEY, baseUrl: fixture.playground.url })
      store = await seedStore(getContainer())
      headers = (await createAdminHeaders(getContainer())).headers
    })

    async function readOrder(orderId: string) {
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const {
        data: [order],
      } = await query.graph({
        entity: "order",
        fields: [
          "id",
          "is_draft_order",
          "status",
          "total",
          "summary.*",
          "transactions.id",
          "transactions.amount",
          "payment_collections.payments.*",
          "payment_collections.payments.captures.*",
        ],
        filters: { id: orderId },
      })
      const payments = ((order as any).payment_collections ?? []).flatMap((collection: any) => collection?.payments ?? [])
      return { order: order as any, payments }
    }

    async function finalizedCallbacks(kustomSessionId: string) {
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      return kustomIpp.listKustomIppCallbacks({ kustom_session_id: kustomSessionId, event_type: "ipp.session.finalized" })
    }

    /** The clerk's tap, and the store done with the finalized callback it brings. */
    async function tapAndProcess(kustomSessionId: string) {
      await kustom.playground.simulateTap(kustomSessionId)
      await waitFor(async () => {
        const callbacks = await finalizedCallbacks(kustomSessionId)
        return callbacks.length === 1 && callbacks[0].status === "processed" ? true : undefined
      }, "the finalized callback to be processed")
    }

    /** A draft order with its payment sent to a new simulated device, waiting there. */
    async function sentToDevice(deviceName: string) {
      const draft = await createDraftOrder(api, store, headers)
      const device = await kustom.playground.createDevice({ name: deviceName })
      const { data: sent } = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: device.id }, { headers })
      return { draft, device, kustomSessionId: sent.payment.kustom_session_id as string }
    }

    it("records the payment on a draft order converted in Medusa while it was on the device, once", async () => {
      const { draft, device, kustomSessionId } = await sentToDevice("Counter 3")
      expect((await kustom.sessions.get(kustomSessionId)).status).toBe("CREATED")

      // Medusa's own conversion, while the payment waits on the device.
      const converted = await api.post(`/admin/draft-orders/${draft.id}/convert-to-order`, {}, { headers })
      expect(converted.status).toBe(200)
      expect((await kustom.sessions.get(kustomSessionId)).status).toBe("CREATED")

      await tapAndProcess(kustomSessionId)
      const { order, payments } = await readOrder(draft.id)

      const session = await kustom.sessions.get(kustomSessionId)
      expect(session.status).toBe("FINALIZED")
      const kustomOrder = await kustom.orders.get(session.order_id as string)
      expect(kustomOrder.captured_amount).toBe(session.order_amount)

      expect(order.is_draft_order).toBe(false)
      expect(payments).toHaveLength(1)
      expect(payments[0].captured_at).toBeTruthy()
      expect(payments[0].captures).toHaveLength(1)
      expect(toMinorUnits(payments[0].captures[0].amount, "sek")).toBe(kustomOrder.captured_amount)
      // The order shows the money as paid, not outstanding.
      expect(toMinorUnits(order.summary.transaction_total, "sek")).toBe(kustomOrder.captured_amount)
      expect(toMinorUnits(order.summary.pending_difference, "sek")).toBe(0)
      const transactions = order.transactions.length

      const { data: orderPayment } = await api.get(`/admin/kustom-ipp/orders/${draft.id}/payment`, { headers })
      expect(orderPayment.payments).toHaveLength(1)
      expect(orderPayment.payments[0]).toMatchObject({
        payment_id: payments[0].id,
        kustom_session_id: kustomSessionId,
        kustom_status: "FINALIZED",
        kustom_order_id: session.order_id,
        amount: session.order_amount,
        captured_amount: kustomOrder.captured_amount,
      })

      const { data: view } = await api.get(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { headers })
      expect(view.sale).toMatchObject({ completed: true, order_id: draft.id })
      expect(view.payment).toMatchObject({ status: "authorized", kustom_status: "FINALIZED", problem: null })
      expect(view.captured).toBe(true)

      // The same event delivered again, and the session processed once more: nothing changes.
      const status = await postSignedCallback(`${api.defaults.baseURL}/hooks/kustom-ipp`, fixture.webhookSecret, {
        type: "ipp.session.finalized",
        session_id: kustomSessionId,
        order_id: session.order_id,
      })
      expect(status).toBe(200)
      await waitFor(async () => {
        const callbacks = await finalizedCallbacks(kustomSessionId)
        return callbacks.length === 2 && callbacks.every((callback) => callback.status === "processed") ? true : undefined
      }, "the redelivered callback to be processed")
      const { result } = await processKustomIppSessionWorkflow(getContainer()).run({ input: { kustom_session_id: kustomSessionId } })
      expect(result).toMatchObject({ outcome: "already_ordered", order_id: draft.id })

      const after = await readOrder(draft.id)
      expect(after.payments).toHaveLength(1)
      expect(after.payments[0].captures).toHaveLength(1)
      expect(after.order.transactions).toHaveLength(transactions)
      expect(toMinorUnits(after.order.summary.transaction_total, "sek")).toBe(kustomOrder.captured_amount)
      expect((await kustom.orders.get(session.order_id as string)).captured_amount).toBe(kustomOrder.captured_amount)
    })

    it("shows on the converted order the payment waiting on the device, and cancels it from there", async () => {
      const { draft, device, kustomSessionId } = await sentToDevice("Counter 7")
      await api.post(`/admin/draft-orders/${draft.id}/convert-to-order`, {}, { headers })
      const { data: before } = await api.get(`/admin/kustom-ipp/orders/${draft.id}/payment`, { headers })
      const session = await kustom.sessions.get(kustomSessionId)
      expect(before).toMatchObject({ payments: [], problems: [] })
      expect(before.waiting).toEqual([
        {
          payment_session_id: expect.any(String),
          currency_code: "sek",
          currency_exponent: 2,
          amount: session.order_amount,
          device_id: device.id,
          device_name: "Counter 7",
          kustom_session_id: kustomSessionId,
          kustom_status: "CREATED",
        },
      ])

      const cancelled = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment/cancel`, {}, { headers })
      expect(cancelled.status).toBe(200)
      expect((await kustom.sessions.get(kustomSessionId)).status).toBe("CANCELLED")
      const { data: after } = await api.get(`/admin/kustom-ipp/orders/${draft.id}/payment`, { headers })
      expect(after).toEqual({ payments: [], problems: [], waiting: [] })
    })

    it("refuses a credit line on the converted order while its payment waits on the device, so the total stays what the device asks", async () => {
      const { draft, kustomSessionId } = await sentToDevice("Counter 9")
      await api.post(`/admin/draft-orders/${draft.id}/convert-to-order`, {}, { headers })
      const totalBefore = (await readOrder(draft.id)).order.summary.current_order_total
      const creditLine = { amount: 50, reference: "order", reference_id: draft.id }
      const refused = await api.post(`/admin/orders/${draft.id}/credit-lines`, creditLine, { headers, validateStatus: () => true })
      expect(refused.status).toBe(400)
      // Said for an order, which cannot be sent to a device again: how to collect it instead.
      expect(refused.data.message).toBe(
        `This order's payment, sent before its draft was converted, is waiting on a device. Cancel it first ("Cancel payment" under In-store payment on the order's page), then change the order and collect its total with Medusa's payment link, or mark it as paid.`
      )
      expect((await readOrder(draft.id)).order.summary.current_order_total).toEqual(totalBefore)
      expect((await kustom.sessions.get(kustomSessionId)).status).toBe("CREATED")

      // Once the payment is off the device, the order is Medusa's to change again.
      await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment/cancel`, {}, { headers })
      const accepted = await api.post(`/admin/orders/${draft.id}/credit-lines`, creditLine, { headers, validateStatus: () => true })
      expect(accepted.status).toBe(200)
    })

    it("takes the payment off the device when the converted order is cancelled in Medusa", async () => {
      const { draft, device, kustomSessionId } = await sentToDevice("Counter 4")
      await api.post(`/admin/draft-orders/${draft.id}/convert-to-order`, {}, { headers })
      await api.post(`/admin/orders/${draft.id}/cancel`, {}, { headers })

      await waitFor(async () => ((await kustom.sessions.get(kustomSessionId)).status === "CANCELLED" ? true : undefined), "the session withdrawn")
      await waitFor(async () => {
        const { data: view } = await api.get(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { headers })
        return view.payment?.status === "canceled" ? view : undefined
      }, "the payment recorded as cancelled")
      // Converted, not paid in store: neither "Paid" nor "Authorized".
      expect((await api.get(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { headers })).data.captured).toBeNull()
      expect((await readOrder(draft.id)).payments).toHaveLength(0)
    })

    it("takes the payment off the device once Kustom answers again, when it was down as the converted order was cancelled", async () => {
      const { draft, device, kustomSessionId } = await sentToDevice("Counter 6")
      await api.post(`/admin/draft-orders/${draft.id}/convert-to-order`, {}, { headers })
      const cancelPath = `/ipp/v1/sessions/${kustomSessionId}/cancel`
      fixture.playground.injectFault({ path: cancelPath, status: 503 })
      try {
        await api.post(`/admin/orders/${draft.id}/cancel`, {}, { headers })
        await waitFor(async () => (fixture.playground.requests().some((request) => request.path === cancelPath) ? true : undefined), "the withdrawal tried")
        // The job finds it while Kustom is still down, and leaves it for the next run.
        const whileDown = await settleCancelledOrderPayments(getContainer(), { minAgeMs: 0 })
        expect(whileDown).toEqual({ orders: [], failed: [draft.id] })
        // The cancel's retries while Kustom is down (the client's backoff) are over before it
        // answers again, so that only the job's next run can take the payment off the device.
        const attempts = () => fixture.playground.requests().filter((request) => request.path === cancelPath).length
        let seen = -1
        await waitFor(async () => {
          const now = attempts()
          if (now === seen) return true
          seen = now
          await new Promise((resolve) => setTimeout(resolve, 2_500))
          return undefined
        }, "the attempts while Kustom is down to end", 30_000)
      } finally {
        fixture.playground.clearFaults()
      }
      expect((await kustom.sessions.get(kustomSessionId)).status).toBe("CREATED")

      const report = await settleCancelledOrderPayments(getContainer(), { minAgeMs: 0 })
      expect(report).toEqual({ orders: [draft.id], failed: [] })
      expect((await kustom.sessions.get(kustomSessionId)).status).toBe("CANCELLED")
      expect((await readOrder(draft.id)).payments).toHaveLength(0)
    })

    it("records nothing on an order cancelled in Medusa when the payment could not be taken off the device, and says to refund it", async () => {
      const { draft, device, kustomSessionId } = await sentToDevice("Counter 5")
      await api.post(`/admin/draft-orders/${draft.id}/convert-to-order`, {}, { headers })
      // Kustom does not take the cancel: the payment stays on the device, and the clerk takes it.
      fixture.playground.injectFault({ path: `/ipp/v1/sessions/${kustomSessionId}/cancel`, status: 503 })
      try {
        await api.post(`/admin/orders/${draft.id}/cancel`, {}, { headers })
        await waitFor(
          async () => (fixture.playground.requests().filter((request) => request.path === `/ipp/v1/sessions/${kustomSessionId}/cancel`).length ? true : undefined),
          "the withdrawal tried"
        )
        expect((await kustom.sessions.get(kustomSessionId)).status).toBe("CREATED")
        // Tapped while the fault still stands: no retried cancel can win the race.
        await tapAndProcess(kustomSessionId)
      } finally {
        fixture.playground.clearFaults()
      }

      const { order, payments } = await readOrder(draft.id)
      expect(order.status).toBe("canceled")
      expect(payments).toHaveLength(0)
      const { data: view } = await api.get(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { headers })
      expect(view.payment).toMatchObject({ status: "error", kustom_status: "FINALIZED" })
      expect(view.payment.problem).toMatch(new RegExp(`^Paid \\d+\\.\\d{2} SEK on the device after order #${draft.display_id} was cancelled in Medusa\\. Nothing was recorded on it: give the money back in Kustom \\(refund the payment, or cancel its authorization if nothing was captured\\)`))

      // The order's own page says so too: the money is on no payment of the order.
      const { data: onOrder } = await api.get(`/admin/kustom-ipp/orders/${draft.id}/payment`, { headers })
      expect(onOrder.payments).toEqual([])
      expect(onOrder.problems).toEqual([
        expect.objectContaining({
          payment_session_id: view.payment.payment_session_id,
          kustom_session_id: kustomSessionId,
          kustom_order_id: (await kustom.sessions.get(kustomSessionId)).order_id,
          currency_code: "sek",
          currency_exponent: 2,
          device_id: device.id,
          problem: view.payment.problem,
          resolved: false,
        }),
      ])

      // Once the money is given back in Kustom (its portal), the problem shows as resolved.
      const kustomOrderId = (await kustom.sessions.get(kustomSessionId)).order_id as string
      const held = await kustom.orders.get(kustomOrderId)
      if (held.captured_amount > 0) await kustom.orders.refund(kustomOrderId, { refunded_amount: held.captured_amount })
      else await kustom.orders.cancel(kustomOrderId)
      const { data: afterRefund } = await api.get(`/admin/kustom-ipp/orders/${draft.id}/payment`, { headers })
      expect(afterRefund.problems).toEqual([expect.objectContaining({ payment_session_id: view.payment.payment_session_id, held_amount: 0, resolved: true })])
    })
  },
})
