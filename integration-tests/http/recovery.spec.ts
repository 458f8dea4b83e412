import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ownRun } from "../helpers/jobs"
import { sweepOpenSessions as sweepRun } from "../../src/jobs/sweep-kustom-ipp-sessions"
import { retryPendingCallbacks as retryRun } from "../../src/jobs/retry-kustom-ipp-callbacks"
import { KUSTOM_IPP_MODULE, type KustomIppModuleService } from "../../src/modules/kustom-ipp"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createDevice, expireSession, kustomClient } from "../helpers/kustom"
import { usePlayground } from "../helpers/playground"
import { createCart, ordersOfCart, paidOrderOfCart, payInStore, paymentSessionOf } from "../helpers/store-sale"
import { postSignedCallback } from "../helpers/signed-callback"
import { waitFor } from "../helpers/wait"


// The test's own runs; the scheduler's runs of the same jobs may hold their run locks a moment.
const sweepOpenSessions = ownRun(sweepRun)
const retryPendingCallbacks = ownRun(retryRun)
jest.setTimeout(180_000)

const fixture = usePlayground()

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      store = await seedStore(getContainer())
    })

    it("creates the order in one sweep when every callback for a paid session was lost", async () => {
      fixture.playground.setCallbackFaults({ dropAll: true })
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(await ordersOfCart(getContainer(), cartId)).toBe(0)

      const report = await sweepOpenSessions(getContainer(), { minAgeMs: 0 })
      expect(report).toMatchObject({ checked: 1, failed: 0 })
      expect(report?.results[0]).toMatchObject({ kustom_session_id: sale.kustomSessionId, outcome: "order_created" })
      expect(await paidOrderOfCart(getContainer(), cartId)).toBeDefined()

      // A second sweep finds nothing left to do.
      expect(await sweepOpenSessions(getContainer(), { minAgeMs: 0 })).toMatchObject({ checked: 0 })
      expect(await ordersOfCart(getContainer(), cartId)).toBe(1)
    })

    it("finds an expired session, which has no callback, and records it", async () => {
      // Not even the `created` callback arrives, so only the sweep can learn of the expiry.
      fixture.playground.setCallbackFaults({ dropAll: true })
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await expireSession(fixture, sale.kustomSessionId)

      const report = await sweepOpenSessions(getContainer(), { minAgeMs: 0 })
      expect(report?.results[0]).toMatchObject({ kustom_status: "EXPIRED", outcome: "recorded" })
      const session = await paymentSessionOf(getContainer(), sale.paymentSessionId)
      expect(session.status).toBe("canceled")
      expect(session.data).toMatchObject({ kustom_status: "EXPIRED", failure_reason: "expired" })
    })

    it("leaves young sessions to their callbacks and spaces out checks of the same session", async () => {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      await payInStore(api, store, cartId, { device_id: device.id })
      expect(await sweepOpenSessions(getContainer(), { minAgeMs: 60_000 })).toMatchObject({ checked: 0 })
      expect(await sweepOpenSessions(getContainer(), { minAgeMs: 0 })).toMatchObject({ checked: 1 })
      // Still open: the next run within its backoff leaves it alone.
      expect(await sweepOpenSessions(getContainer(), { minAgeMs: 0 })).toMatchObject({ checked: 0, skipped: 1 })
    })

    it("is safe on several instances at once: each lost session checked once, one order each", async () => {
      fixture.playground.setCallbackFaults({ dropAll: true })
      const device = await createDevice(fixture)
      const sales: { cartId: string; kustomSessionId: string }[] = []
      for (let i = 0; i < 3; i++) {
        const cartId = await createCart(api, store)
        const sale = await payInStore(api, store, cartId, { device_id: device.id })
        await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
        sales.push({ cartId, kustomSessionId: sale.kustomSessionId })
      }

      // Four runs started together, as the scheduler of four instances would start them.
      const reports = await Promise.all([1, 2, 3, 4].map(() => sweepRun(getContainer(), { minAgeMs: 0 })))
      const ran = reports.filter((report) => report !== undefined)
      expect(ran.reduce((sum, report) => sum + report!.checked, 0)).toBe(sales.length)
      expect(ran.reduce((sum, report) => sum + report!.failed, 0)).toBe(0)
      const checkedSessions = ran.flatMap((report) => report!.results.map((result) => result.kustom_session_id)).sort()
      expect(checkedSessions).toEqual(sales.map((sale) => sale.kustomSessionId).sort())
      for (const sale of sales) expect(await ordersOfCart(getContainer(), sale.cartId)).toBe(1)
    })

    it("bounds the work of each run: the sessions past the limit wait for the next one", async () => {
      fixture.playground.setCallbackFaults({ dropAll: true })
      const device = await createDevice(fixture)
      const cartIds: string[] = []
      for (let i = 0; i < 3; i++) {
        const cartId = await createCart(api, store)
        const sale = await payInStore(api, store, cartId, { device_id: device.id })
        await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
        cartIds.push(cartId)
      }
      expect(await sweepOpenSessions(getContainer(), { minAgeMs: 0, limit: 2 })).toMatchObject({ checked: 2, failed: 0 })
      // The oldest go first.
      expect(await ordersOfCart(getContainer(), cartIds[0])).toBe(1)
      expect(await ordersOfCart(getContainer(), cartIds[1])).toBe(1)
      expect(await ordersOfCart(getContainer(), cartIds[2])).toBe(0)
      expect(await sweepOpenSessions(getContainer(), { minAgeMs: 0, limit: 2 })).toMatchObject({ checked: 1, failed: 0 })
      expect(await ordersOfCart(getContainer(), cartIds[2])).toBe(1)
    })

    it("creates one order when a sweep and the callbacks it was covering for arrive together", async () => {
      fixture.playground.setCallbackFaults({ dropAll: true })
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)

      const url = `${api.defaults.baseURL}/hooks/kustom-ipp`
      const finalized = { type: "ipp.session.finalized", session_id: sale.kustomSessionId }
      const [report, ...statuses] = await Promise.all([
        sweepOpenSessions(getContainer(), { minAgeMs: 0 }),
        postSignedCallback(url, fixture.webhookSecret, finalized),
        postSignedCallback(url, fixture.webhookSecret, finalized),
      ])
      expect(statuses).toEqual([200, 200])
      expect(report).toMatchObject({ checked: 1, failed: 0 })
      expect(["order_created", "already_ordered"]).toContain(report?.results[0]?.outcome)
      // The callbacks are processed after the route answered: wait until both are done.
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      await waitFor(async () => {
        const callbacks = await kustomIpp.listKustomIppCallbacks({ kustom_session_id: sale.kustomSessionId, event_type: "ipp.session.finalized" })
        return callbacks.length === 2 && callbacks.every((callback) => callback.status === "processed") ? true : undefined
      }, "both callbacks to be processed")
      expect(await ordersOfCart(getContainer(), cartId)).toBe(1)
      expect(await paidOrderOfCart(getContainer(), cartId)).toBeDefined()
    })

    it("withdraws a session left untouched on the device past its lifetime", async () => {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      // Two hours later; the default lifetime is 15 minutes.
      const report = await sweepOpenSessions(getContainer(), { minAgeMs: 0, now: new Date(Date.now() + 7_200_000) })
      expect(report?.results[0]).toMatchObject({ kustom_status: "CANCELLED" })
      expect((await kustomClient(fixture).sessions.get(sale.kustomSessionId)).status).toBe("CANCELLED")
      expect((await paymentSessionOf(getContainer(), sale.paymentSessionId)).status).toBe("canceled")
    })

    it("keeps a callback that arrived while Kustom was down and processes it when Kustom answers", async () => {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      fixture.playground.injectFault({ method: "GET", path: "/ipp/v1/sessions/*", status: 503 })
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)

      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      const failed = await waitFor(async () => {
        const callbacks = await kustomIpp.listKustomIppCallbacks({ kustom_session_id: sale.kustomSessionId, event_type: "ipp.session.finalized" })
        return callbacks[0]?.status === "failed" ? callbacks[0] : undefined
      }, "the finalized callback to fail", 30_000)
      expect(failed.last_error).toMatch(/Kustom|503|Service Unavailable/i)
      expect(await ordersOfCart(getContainer(), cartId)).toBe(0)

      fixture.playground.clearFaults()
      const report = await retryPendingCallbacks(getContainer(), { now: new Date(Date.now() + 3_600_000) })
      expect(report?.failed).toBe(0)
      expect(await paidOrderOfCart(getContainer(), cartId)).toBeDefined()
      const [processed] = await kustomIpp.listKustomIppCallbacks({ id: failed.id })
      expect(processed.status).toBe("processed")
    })

    it("processes a callback recorded by a process that stopped before processing it, once it is 30 s old", async () => {
      fixture.playground.setCallbackFaults({ dropAll: true })
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      // What the route stores before it answers Kustom; the process then stops, so no event.
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      const recorded = await kustomIpp.recordCallback({
        webhook_id: `msg_stopped_${Date.now()}`,
        event_type: "ipp.session.finalized",
        kustom_session_id: sale.kustomSessionId,
      })

      // Still young: it may be being processed right now.
      expect(await retryPendingCallbacks(getContainer())).toEqual({ processed: 0, failed: 0 })
      expect(await ordersOfCart(getContainer(), cartId)).toBe(0)

      expect(await retryPendingCallbacks(getContainer(), { now: new Date(Date.now() + 31_000) })).toEqual({ processed: 1, failed: 0 })
      expect(await paidOrderOfCart(getContainer(), cartId)).toBeDefined()
      const [callback] = await kustomIpp.listKustomIppCallbacks({ id: recorded.callbackId })
      expect(callback.status).toBe("processed")
    })

    it("waits for a failed callback's next attempt before processing it again", async () => {
      // Only the finalized callback arrives: an earlier one failing too would be due earlier, and
      // processing any callback of the session reads it from Kustom and makes the order.
      fixture.playground.setCallbackFaults({ dropAll: true, types: ["ipp.session.created", "ipp.session.activated"] })
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      fixture.playground.injectFault({ method: "GET", path: "/ipp/v1/sessions/*", status: 503 })
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      const failed = await waitFor(async () => {
        const callbacks = await kustomIpp.listKustomIppCallbacks({ kustom_session_id: sale.kustomSessionId })
        return callbacks.length === 1 && callbacks[0].event_type === "ipp.session.finalized" && callbacks[0].status === "failed"
          ? callbacks[0]
          : undefined
      }, "the finalized callback to fail", 30_000)
      fixture.playground.clearFaults()
      const due = (failed.next_attempt_at as Date).getTime()

      expect(await retryPendingCallbacks(getContainer(), { now: new Date(due - 1) })).toEqual({ processed: 0, failed: 0 })
      expect(await ordersOfCart(getContainer(), cartId)).toBe(0)
      expect(await retryPendingCallbacks(getContainer(), { now: new Date(due) })).toEqual({ processed: 1, failed: 0 })
      expect(await paidOrderOfCart(getContainer(), cartId)).toBeDefined()
    })

    it("records a delivery that names no session as processed, so that nothing waits for a retry", async () => {
      const webhookId = `msg_no_session_${Date.now()}`
      const status = await postSignedCallback(`${api.defaults.baseURL}/hooks/kustom-ipp`, fixture.webhookSecret, { type: "ipp.device.updated" }, webhookId)
      expect(status).toBe(200)
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      const [callback] = await kustomIpp.listKustomIppCallbacks({ webhook_id: webhookId })
      expect(callback).toMatchObject({ event_type: "ipp.device.updated", kustom_session_id: null, status: "processed" })
      expect(callback.processed_at).toBeInstanceOf(Date)
    })
  },
})
