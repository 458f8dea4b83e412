/**
 * Settings → In-Person Payments, through the plugin's admin routes: the connection check,
 * locations and their links to stock locations, enrollment codes, devices, default devices,
 * the stock location widget's route — and that none of it ever sends the API key or a webhook
 * secret, or answers a caller without an admin session.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { AxiosInstance, AxiosResponse } from "axios"
import { resolveDefaultDevice } from "../../src/lib/device-defaults"
import type { KustomIppClient } from "../../src/lib/kustom-ipp"
import { KUSTOM_IPP_MODULE, type KustomIppModuleService } from "../../src/modules/kustom-ipp"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { createDraftOrder } from "../helpers/draft-order"
import { createCart, paidOrderOfCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"
import { kustomClient } from "../helpers/kustom"
import { TEST_API_KEY, usePlayground } from "../helpers/playground"

jest.setTimeout(180_000)

const MERCHANT_ID = "PLAYGROUND"
const fixture = usePlayground(
  { locations: [{ id: "loc-main", name: "Main Street", city: "Stockholm" }, { id: "loc-harbour", name: "Harbour Kiosk", city: "Gothenburg" }] },
  { KUSTOM_IPP_MERCHANT_ID: MERCHANT_ID }
)

/** Every admin route of the plugin, with a request that reaches its handler. */
const ADMIN_ROUTES: { method: "get" | "post" | "delete"; path: string; body?: unknown }[] = [
  { method: "get", path: "/admin/kustom-ipp/connection" },
  { method: "get", path: "/admin/kustom-ipp/locations" },
  { method: "get", path: "/admin/kustom-ipp/location-links" },
  { method: "post", path: "/admin/kustom-ipp/location-links", body: { stock_location_id: "sloc_x", kustom_location_id: null } },
  { method: "get", path: "/admin/kustom-ipp/enrollments" },
  { method: "post", path: "/admin/kustom-ipp/enrollments", body: { location_id: "loc-main" } },
  { method: "delete", path: "/admin/kustom-ipp/enrollments/enr_x" },
  { method: "get", path: "/admin/kustom-ipp/devices" },
  { method: "post", path: "/admin/kustom-ipp/devices/dev_x", body: { name: "x" } },
  { method: "delete", path: "/admin/kustom-ipp/devices/dev_x" },
  { method: "get", path: "/admin/kustom-ipp/device-defaults" },
  { method: "post", path: "/admin/kustom-ipp/device-defaults", body: { scope: "location", scope_id: "loc-main", device_id: null } },
  { method: "get", path: "/admin/kustom-ipp/stock-locations/sloc_x" },
  { method: "get", path: "/admin/kustom-ipp/draft-orders/order_x/payment" },
  { method: "post", path: "/admin/kustom-ipp/draft-orders/order_x/payment", body: { device_id: "dev_x" } },
  { method: "post", path: "/admin/kustom-ipp/draft-orders/order_x/payment/cancel", body: {} },
  { method: "get", path: "/admin/kustom-ipp/orders/order_x/payment" },
]

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore
    let kustom: KustomIppClient
    let headers: Record<string, string>

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      kustom = kustomClient(fixture)
      store = await seedStore(getContainer())
      headers = (await createAdminHeaders(getContainer())).headers
    })

    const call = (
      client: AxiosInstance,
      method: "get" | "post" | "delete",
      path: string,
      body?: unknown,
      extraHeaders: Record<string, string> = headers
    ): Promise<AxiosResponse> =>
      method === "post"
        ? client.post(path, body ?? {}, { headers: extraHeaders, validateStatus: () => true })
        : client.request({ method, url: path, headers: extraHeaders, validateStatus: () => true })

    /** What a clerk's phone does with a code: the playground's stand-in for the Kustom POS app. */
    async function registerDevice(code: string, name: string): Promise<{ id: string }> {
      const response = await fetch(`${fixture.playground.url}/ipp/v1/devices/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ enrollment_code: code, name, platform: "IOS", hardware_id: `hw-${name}` }),
      })
      if (response.status !== 201) throw new Error(`register failed: ${response.status} ${await response.text()}`)
      return response.json() as Promise<{ id: string }>
    }

    it("shows the connection: environment, a working key, the callback URL and the last callback", async () => {
      const { data: before } = await api.get("/admin/kustom-ipp/connection", { headers })
      expect(before).toMatchObject({
        environment: "playground",
        base_url: fixture.playground.url,
        merchant_id: MERCHANT_ID,
        webhook_secrets_configured: 1,
        api_key: { ok: true },
        last_callback: { at: null, signature_ok: null },
      })
      expect(before.api_key.message).toMatch(/works/)
      expect(before.callback_url).toBe(`${api.defaults.baseURL}/hooks/kustom-ipp`)

      // A forged callback is rejected and shows as such; a signed one clears it.
      const forged = await api.post(
        "/hooks/kustom-ipp",
        { type: "ipp.session.finalized", data: { session_id: "x" } },
        { headers: { "webhook-id": "msg_x", "webhook-timestamp": `${Math.floor(Date.now() / 1000)}`, "webhook-signature": "v1,AAAA" }, validateStatus: () => true }
      )
      expect(forged.status).toBe(401)
      const { data: rejected } = await api.get("/admin/kustom-ipp/connection", { headers })
      expect(rejected.last_callback).toMatchObject({ signature_ok: false, last_invalid_reason: "invalid_signature", last_valid_at: null })
      expect(rejected.last_callback.at).toBeTruthy()

      const device = await kustom.playground.createDevice({ name: "Signal check", location_id: "loc-main" })
      const draft = await createDraftOrder(api, store, headers)
      await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: device.id }, { headers })
      const deadline = Date.now() + 15_000
      let accepted = rejected
      while (Date.now() < deadline && accepted.last_callback.signature_ok !== true) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        accepted = (await api.get("/admin/kustom-ipp/connection", { headers })).data
      }
      expect(accepted.last_callback).toMatchObject({ signature_ok: true, last_invalid_reason: "invalid_signature" })
      expect(Date.parse(accepted.last_callback.last_valid_at)).toBeGreaterThanOrEqual(Date.parse(rejected.last_callback.at))
    })

    it("says clearly when Kustom refuses the key or cannot be reached", async () => {
      fixture.playground.injectFault({ path: "/ipp/v1/locations", status: 401, body: { title: "Unauthorized", status: 401 }, times: 1 })
      const { data: refused } = await api.get("/admin/kustom-ipp/connection", { headers })
      expect(refused.api_key.ok).toBe(false)
      expect(refused.api_key.message).toMatch(/refused the API key/)

      fixture.playground.injectFault({ path: "/ipp/v1/locations", dropConnection: true })
      try {
        const { data: unreachable } = await api.get("/admin/kustom-ipp/connection", { headers })
        expect(unreachable.api_key.ok).toBe(false)
        expect(unreachable.api_key.message).toMatch(/could not be reached/)
        const devices = await call(api, "get", "/admin/kustom-ipp/locations")
        expect(devices.status).toBeGreaterThanOrEqual(500)
        expect(devices.data.message).toMatch(/Kustom could not be reached while listing the Kustom locations/)
      } finally {
        fixture.playground.clearFaults()
      }
    })

    it("links stock locations to Kustom locations and refuses unknown ones", async () => {
      const { data: listed } = await api.get("/admin/kustom-ipp/locations", { headers })
      expect(listed.locations.map((location: any) => location.name)).toEqual(["Main Street", "Harbour Kiosk"])

      const { data: linked } = await api.post(
        "/admin/kustom-ipp/location-links",
        { stock_location_id: store.stockLocationId, kustom_location_id: "loc-harbour" },
        { headers }
      )
      expect(linked.link).toEqual({ stock_location_id: store.stockLocationId, kustom_location_id: "loc-harbour" })
      const { data: after } = await api.get("/admin/kustom-ipp/locations", { headers })
      expect(after.locations.find((location: any) => location.id === "loc-harbour").stock_location_ids).toEqual([store.stockLocationId])
      expect(after.links).toEqual([{ stock_location_id: store.stockLocationId, kustom_location_id: "loc-harbour" }])
      expect((await api.get("/admin/kustom-ipp/location-links", { headers })).data).toEqual({ links: after.links })

      const unknown = await call(api, "post", "/admin/kustom-ipp/location-links", { stock_location_id: store.stockLocationId, kustom_location_id: "loc-nowhere" })
      expect(unknown.status).toBe(400)
      expect(unknown.data.message).toMatch(/Kustom has no location loc-nowhere/)
      const noStock = await call(api, "post", "/admin/kustom-ipp/location-links", { stock_location_id: "sloc_missing", kustom_location_id: "loc-main" })
      expect(noStock.status).toBe(404)

      await api.post("/admin/kustom-ipp/location-links", { stock_location_id: store.stockLocationId, kustom_location_id: null }, { headers })
      expect((await api.get("/admin/kustom-ipp/locations", { headers })).data.links).toEqual([])
    })

    it("creates an enrollment code, shows it consumed by the device it registered, and cancels a pending one", async () => {
      const { data: created } = await api.post("/admin/kustom-ipp/enrollments", { location_id: "loc-main", expires_in_minutes: 30 }, { headers })
      const code = created.enrollment
      expect(code.enrollment_code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
      expect(code).toMatchObject({ status: "PENDING", location_id: "loc-main", location_name: "Main Street", created_here: true })
      const minutesLeft = (Date.parse(code.expires_at) - Date.now()) / 60_000
      expect(minutesLeft).toBeGreaterThan(29)
      expect(minutesLeft).toBeLessThanOrEqual(30)

      const { data: other } = await api.post("/admin/kustom-ipp/enrollments", { location_id: "loc-harbour" }, { headers })
      const { data: pending } = await api.get("/admin/kustom-ipp/enrollments", { headers })
      expect(pending.source).toBe("kustom")
      expect(pending.enrollments.filter((e: any) => e.status === "PENDING").map((e: any) => e.enrollment_id).sort()).toEqual(
        [code.enrollment_id, other.enrollment.enrollment_id].sort()
      )

      const device = await registerDevice(code.enrollment_code, "Till 1")
      const { data: afterRegistration } = await api.get("/admin/kustom-ipp/enrollments", { headers })
      expect(afterRegistration.enrollments.find((e: any) => e.enrollment_id === code.enrollment_id)).toMatchObject({
        status: "CONSUMED",
        device_id: device.id,
        device_name: "Till 1",
      })
      const { data: onlyHarbour } = await api.get("/admin/kustom-ipp/enrollments?location_id=loc-harbour&include_consumed=false", { headers })
      expect(onlyHarbour.enrollments.map((e: any) => e.enrollment_id)).toEqual([other.enrollment.enrollment_id])

      const { data: cancelled } = await api.delete(`/admin/kustom-ipp/enrollments/${other.enrollment.enrollment_id}`, { headers })
      expect(cancelled).toEqual({ id: other.enrollment.enrollment_id, object: "kustom_ipp_enrollment", deleted: true })
      const { data: afterCancel } = await api.get("/admin/kustom-ipp/enrollments", { headers })
      expect(afterCancel.enrollments.map((e: any) => e.enrollment_id)).not.toContain(other.enrollment.enrollment_id)

      const consumed = await call(api, "delete", `/admin/kustom-ipp/enrollments/${code.enrollment_id}`)
      expect(consumed.status).toBe(400)
      expect(consumed.data.message).toMatch(/can no longer be cancelled: it has already been used/)

      const invalid = await call(api, "post", "/admin/kustom-ipp/enrollments", { location_id: "loc-main", expires_in_minutes: 0 })
      expect(invalid.status).toBe(400)
      expect(invalid.data.message).toMatch(/expires_in_minutes/)
    })

    it("lists the codes created in this admin when no merchant id is configured", async () => {
      const module = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      const options = module.options as { merchantId?: string }
      options.merchantId = undefined
      try {
        const { data: created } = await api.post("/admin/kustom-ipp/enrollments", { location_id: "loc-main" }, { headers })
        const { data: second } = await api.post("/admin/kustom-ipp/enrollments", { location_id: "loc-main" }, { headers })
        const { data: listed } = await api.get("/admin/kustom-ipp/enrollments", { headers })
        expect(listed.source).toBe("admin")
        expect(listed.enrollments.map((e: any) => e.status)).toEqual(["PENDING", "PENDING"])

        const device = await registerDevice(created.enrollment.enrollment_code, "Till 2")
        await api.delete(`/admin/kustom-ipp/enrollments/${second.enrollment.enrollment_id}`, { headers })
        const { data: after } = await api.get("/admin/kustom-ipp/enrollments", { headers })
        expect(after.enrollments).toEqual([
          expect.objectContaining({ enrollment_id: created.enrollment.enrollment_id, status: "CONSUMED", device_id: device.id, device_name: "Till 2" }),
        ])

        // Once its device is removed, the code is still listed as used (not expired, nor waiting again).
        await api.delete(`/admin/kustom-ipp/devices/${device.id}`, { headers })
        const { data: afterRemoval } = await api.get("/admin/kustom-ipp/enrollments", { headers })
        expect(afterRemoval.enrollments).toEqual([
          expect.objectContaining({ enrollment_id: created.enrollment.enrollment_id, status: "CONSUMED", device_id: device.id, device_name: null }),
        ])
      } finally {
        options.merchantId = MERCHANT_ID
      }
    })

    it("lists, renames, moves and removes devices, keeping metadata and location on rename", async () => {
      const device = await kustom.playground.createDevice({ name: "Old name", location_id: "loc-main", metadata: { till: 7 } })
      const { data: listed } = await api.get("/admin/kustom-ipp/devices", { headers })
      const row = listed.devices.find((candidate: any) => candidate.id === device.id)
      expect(row).toMatchObject({ name: "Old name", platform: device.platform, location_id: "loc-main", location_name: "Main Street", created_at: device.created_at })
      expect(row).toHaveProperty("last_seen_at")
      expect(row).not.toHaveProperty("credentials")

      const { data: renamed } = await api.post(`/admin/kustom-ipp/devices/${device.id}`, { name: " Front counter\t" }, { headers })
      expect(renamed.device).toMatchObject({ name: "Front counter", location_id: "loc-main" })
      expect(await kustom.devices.get(device.id)).toMatchObject({ name: "Front counter", location_id: "loc-main", metadata: { till: 7, simulated: true } })

      const { data: moved } = await api.post(`/admin/kustom-ipp/devices/${device.id}`, { location_id: "loc-harbour" }, { headers })
      expect(moved.device).toMatchObject({ name: "Front counter", location_id: "loc-harbour", location_name: "Harbour Kiosk" })
      expect(await kustom.devices.get(device.id)).toMatchObject({ name: "Front counter", metadata: { till: 7, simulated: true } })
      const { data: inHarbour } = await api.get("/admin/kustom-ipp/devices?location_id=loc-harbour", { headers })
      expect(inHarbour.devices.map((d: any) => d.id)).toEqual([device.id])

      const empty = await call(api, "post", `/admin/kustom-ipp/devices/${device.id}`, {})
      expect(empty.status).toBe(400)
      const blank = await call(api, "post", `/admin/kustom-ipp/devices/${device.id}`, { name: "  " })
      expect(blank.status).toBe(400)
      expect(blank.data.message).toBe("name: must not be empty")
      // Control characters never reach Kustom: NUL, a line break, escape, DEL.
      for (const [name, found] of [["Till\u00001", "U+0000 at character 5"], ["Front\ncounter", "U+000A at character 6"], ["\u001b[31mTill", "U+001B at character 1"], ["Till\u007f", "U+007F at character 5"]]) {
        const refused = await call(api, "post", `/admin/kustom-ipp/devices/${device.id}`, { name })
        expect({ status: refused.status, ...refused.data }).toEqual({
          status: 400,
          type: "invalid_data",
          message: `name: must not contain control characters such as line breaks, tabs or NUL (found ${found})`,
        })
      }
      // Nor do C1 controls, direction overrides (a name shown in another order than stored) or half a character.
      for (const [name, message] of [
        ["Till\u00851", "control characters such as line breaks, tabs or NUL (found U+0085 at character 5)"],
        ["Till \u202E1 llit", "invisible characters that change the direction text is shown in (found U+202E at character 6)"],
        ["Till \uD83D", "half of a character (an unpaired surrogate) (found U+D83D at character 6)"],
      ]) {
        const refused = await call(api, "post", `/admin/kustom-ipp/devices/${device.id}`, { name })
        expect({ status: refused.status, ...refused.data }).toEqual({ status: 400, type: "invalid_data", message: `name: must not contain ${message}` })
      }
      expect((await kustom.devices.get(device.id)).name).toBe("Front counter")

      await api.post("/admin/kustom-ipp/device-defaults", { scope: "location", scope_id: "loc-harbour", device_id: device.id }, { headers })
      const { data: removed } = await api.delete(`/admin/kustom-ipp/devices/${device.id}`, { headers })
      expect(removed).toEqual({ id: device.id, object: "kustom_ipp_device", deleted: true })
      await expect(kustom.devices.get(device.id)).rejects.toMatchObject({ status: 404 })
      const { data: none } = await api.get("/admin/kustom-ipp/device-defaults", { headers })
      expect(none.defaults).toEqual([])
      // This store configures no default in the plugin's options.
      expect(none.configured).toEqual({ default_device_id: null, sales_channels: {}, locations: {} })

      const again = await call(api, "delete", `/admin/kustom-ipp/devices/${device.id}`)
      expect(again.status).toBe(404)
      expect(again.data.message).toMatch(/no longer registered/)
    })

    it("shows names from Kustom without direction controls, so they cannot reorder the text around them", async () => {
      // Named on the phone: Kustom's app lets a right-to-left override through.
      const device = await kustom.playground.createDevice({ name: "Till 2\u202Elive", location_id: "loc-main" })
      const arabic = await kustom.playground.createDevice({ name: "جهاز المتجر", location_id: "loc-main" })
      const { data: listed } = await api.get("/admin/kustom-ipp/devices", { headers })
      const nameOf = (id: string) => listed.devices.find((candidate: any) => candidate.id === id).name
      expect(nameOf(device.id)).toBe("Till 2live")
      // A right-to-left name needs no control characters and is shown as it is.
      expect(nameOf(arabic.id)).toBe("جهاز المتجر")
    })

    it("keeps a default device per sales channel and per location, used when a payment names none", async () => {
      const counter = await kustom.playground.createDevice({ name: "Counter", location_id: "loc-main" })
      const kiosk = await kustom.playground.createDevice({ name: "Kiosk", location_id: "loc-harbour" })
      await api.post("/admin/kustom-ipp/device-defaults", { scope: "location", scope_id: "loc-main", device_id: counter.id }, { headers })
      await api.post("/admin/kustom-ipp/location-links", { stock_location_id: store.stockLocationId, kustom_location_id: "loc-main" }, { headers })

      const container = getContainer()
      expect(await resolveDefaultDevice(container, { salesChannelId: store.salesChannelId, kustomLocationId: "loc-main" })).toEqual({ device_id: counter.id, source: "location" })
      expect(await resolveDefaultDevice(container, { stockLocationId: store.stockLocationId })).toEqual({ device_id: counter.id, source: "location" })

      const { data } = await api.post("/admin/kustom-ipp/device-defaults", { scope: "sales_channel", scope_id: store.salesChannelId, device_id: kiosk.id }, { headers })
      expect(data.defaults).toEqual(
        expect.arrayContaining([
          { scope: "location", scope_id: "loc-main", device_id: counter.id },
          { scope: "sales_channel", scope_id: store.salesChannelId, device_id: kiosk.id },
        ])
      )
      expect(await resolveDefaultDevice(container, { salesChannelId: store.salesChannelId, kustomLocationId: "loc-main" })).toEqual({ device_id: kiosk.id, source: "sales_channel" })
      expect(await resolveDefaultDevice(container, { salesChannelId: "sc_other" })).toBeUndefined()

      const unknownDevice = await call(api, "post", "/admin/kustom-ipp/device-defaults", { scope: "location", scope_id: "loc-main", device_id: "dev_missing" })
      expect(unknownDevice.status).toBe(400)
      expect(unknownDevice.data.message).toMatch(/not registered/)
      const unknownChannel = await call(api, "post", "/admin/kustom-ipp/device-defaults", { scope: "sales_channel", scope_id: "sc_missing", device_id: kiosk.id })
      expect(unknownChannel.status).toBe(404)
      const badScope = await call(api, "post", "/admin/kustom-ipp/device-defaults", { scope: "region", scope_id: "x", device_id: kiosk.id })
      expect(badScope.status).toBe(400)
      expect(badScope.data.message).toMatch(/scope/)

      await api.post("/admin/kustom-ipp/device-defaults", { scope: "sales_channel", scope_id: store.salesChannelId, device_id: null }, { headers })
      expect(await resolveDefaultDevice(container, { salesChannelId: store.salesChannelId, kustomLocationId: "loc-main" })).toEqual({ device_id: counter.id, source: "location" })
    })

    it("gives a stock location its devices and pending codes once linked", async () => {
      const { data: unlinked } = await api.get(`/admin/kustom-ipp/stock-locations/${store.stockLocationId}`, { headers })
      expect(unlinked).toMatchObject({ kustom_location: null, devices: [], pending_enrollments: [] })
      // A stock location Medusa does not have is 404, as when linking it.
      const unknown = await call(api, "get", "/admin/kustom-ipp/stock-locations/sloc_nope")
      expect({ status: unknown.status, ...unknown.data }).toEqual({ status: 404, type: "not_found", message: "Stock location sloc_nope was not found" })
      // List filters follow Medusa's lists: an unknown location filters everything out (200, empty).
      expect((await api.get("/admin/kustom-ipp/devices?location_id=loc-nowhere", { headers })).data.devices).toEqual([])
      expect((await api.get("/admin/kustom-ipp/enrollments?location_id=loc-nowhere", { headers })).data.enrollments).toEqual([])

      await api.post("/admin/kustom-ipp/location-links", { stock_location_id: store.stockLocationId, kustom_location_id: "loc-harbour" }, { headers })
      const here = await kustom.playground.createDevice({ name: "Harbour phone", location_id: "loc-harbour" })
      await kustom.playground.createDevice({ name: "Elsewhere", location_id: "loc-main" })
      const { data: code } = await api.post("/admin/kustom-ipp/enrollments", { location_id: "loc-harbour" }, { headers })
      await api.post("/admin/kustom-ipp/enrollments", { location_id: "loc-main" }, { headers })

      const { data: linked } = await api.get(`/admin/kustom-ipp/stock-locations/${store.stockLocationId}`, { headers })
      expect(linked.kustom_location).toEqual({ id: "loc-harbour", name: "Harbour Kiosk", city: "Gothenburg" })
      expect(linked.devices.map((device: any) => device.id)).toContain(here.id)
      expect(linked.devices.every((device: any) => device.location_id === "loc-harbour")).toBe(true)
      expect(linked.pending_enrollments.map((e: any) => e.enrollment_id)).toEqual([code.enrollment.enrollment_id])
    })

    it("never sends the API key or a webhook secret to the admin", async () => {
      const device = await kustom.playground.createDevice({ name: "Secret check", location_id: "loc-main" })
      await api.post("/admin/kustom-ipp/enrollments", { location_id: "loc-main" }, { headers })
      const secretBody = fixture.webhookSecret.slice("whsec_".length)
      const bodies: string[] = []
      for (const route of ADMIN_ROUTES) {
        const response = await call(api, route.method, route.path.replace("dev_x", device.id), route.body)
        bodies.push(`${route.method} ${route.path} ${response.status} ${JSON.stringify(response.data)} ${JSON.stringify(response.headers)}`)
      }
      for (const body of bodies) {
        expect(body).not.toContain(TEST_API_KEY)
        expect(body).not.toContain(secretBody)
        expect(body).not.toContain("whsec_")
      }
    })

    it.each([
      { name: "answers 503", fault: { status: 503 }, says: /^Kustom is not available right now \(HTTP 503.*\) while [^.]+\. Try again in a moment\.$/ },
      {
        name: "limits requests (429, Retry-After 30 s)",
        fault: { status: 429, retryAfterSeconds: 30 },
        says: /^Kustom is limiting requests right now \(HTTP 429.*\) while [^.]+\. Try again in a moment \(Kustom asks to wait 30 s\)\.$/,
      },
      { name: "drops every connection", fault: { dropConnection: true }, says: /^Kustom could not be reached while [^.]+ \(connection failed\)\. Try again in a moment\.$/ },
    ])("tells a person what happened and what to do on every admin route while Kustom $name", async ({ fault, says }) => {
      // What the routes work on, made while Kustom answers.
      const device = await kustom.playground.createDevice({ name: "Outage till", location_id: "loc-main" })
      const spare = await kustom.playground.createDevice({ name: "Outage spare", location_id: "loc-main" })
      const { data: code } = await api.post("/admin/kustom-ipp/enrollments", { location_id: "loc-main" }, { headers })
      await api.post("/admin/kustom-ipp/location-links", { stock_location_id: store.stockLocationId, kustom_location_id: "loc-main" }, { headers })
      const waiting = await createDraftOrder(api, store, headers)
      await api.post(`/admin/kustom-ipp/draft-orders/${waiting.id}/payment`, { device_id: device.id }, { headers })
      const unsent = await createDraftOrder(api, store, headers)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(sale.kustomSessionId)
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the paid order")

      const routes: { method: "get" | "post" | "delete"; path: string; body?: unknown; callsKustom: boolean }[] = [
        { method: "get", path: "/admin/kustom-ipp/connection", callsKustom: false },
        { method: "get", path: "/admin/kustom-ipp/locations", callsKustom: true },
        { method: "get", path: "/admin/kustom-ipp/location-links", callsKustom: false },
        { method: "post", path: "/admin/kustom-ipp/location-links", body: { stock_location_id: store.stockLocationId, kustom_location_id: "loc-harbour" }, callsKustom: true },
        { method: "get", path: "/admin/kustom-ipp/enrollments", callsKustom: true },
        { method: "post", path: "/admin/kustom-ipp/enrollments", body: { location_id: "loc-main" }, callsKustom: true },
        { method: "delete", path: `/admin/kustom-ipp/enrollments/${code.enrollment.enrollment_id}`, callsKustom: true },
        { method: "get", path: "/admin/kustom-ipp/devices", callsKustom: true },
        { method: "post", path: `/admin/kustom-ipp/devices/${spare.id}`, body: { name: "Renamed" }, callsKustom: true },
        { method: "delete", path: `/admin/kustom-ipp/devices/${spare.id}`, callsKustom: true },
        { method: "get", path: "/admin/kustom-ipp/device-defaults", callsKustom: false },
        { method: "post", path: "/admin/kustom-ipp/device-defaults", body: { scope: "location", scope_id: "loc-main", device_id: device.id }, callsKustom: true },
        { method: "get", path: `/admin/kustom-ipp/stock-locations/${store.stockLocationId}`, callsKustom: true },
        { method: "get", path: `/admin/kustom-ipp/draft-orders/${waiting.id}/payment`, callsKustom: false },
        { method: "post", path: `/admin/kustom-ipp/draft-orders/${unsent.id}/payment`, body: { device_id: device.id }, callsKustom: true },
        { method: "post", path: `/admin/kustom-ipp/draft-orders/${waiting.id}/payment/cancel`, body: {}, callsKustom: true },
        { method: "get", path: `/admin/kustom-ipp/orders/${order.id}/payment`, callsKustom: false },
      ]
      // Every admin route is here: a new one has to say how it behaves without Kustom.
      expect(routes.map((route) => `${route.method} ${route.path.split("/")[3]}`).sort()).toEqual(
        ADMIN_ROUTES.map((route) => `${route.method} ${route.path.split("/")[3]}`).sort()
      )

      fixture.playground.injectFault({ path: "/ipp/*", ...fault })
      fixture.playground.injectFault({ path: "/ordermanagement/*", ...fault })
      const answers: { route: string; status: number; message: string }[] = []
      try {
        for (const route of routes) {
          const response = await call(api, route.method, route.path, route.body)
          answers.push({ route: `${route.method} ${route.path}`, status: response.status, message: response.data?.message ?? "" })
        }
        // The stored link is still there to show (the relink above needed Kustom and was refused).
        expect((await call(api, "get", "/admin/kustom-ipp/location-links")).data).toEqual({
          links: [{ stock_location_id: store.stockLocationId, kustom_location_id: "loc-main" }],
        })
      } finally {
        fixture.playground.clearFaults()
      }

      // Each message names what the person asked for, not the call that happened to fail first.
      const asked = (route: string) => answers.find((answer) => answer.route === route)?.message
      expect(asked("get /admin/kustom-ipp/enrollments")).toMatch(/while listing the enrollment codes[ .]/)
      expect(asked("get /admin/kustom-ipp/devices")).toMatch(/while listing the devices[ .]/)
      for (const [index, answer] of answers.entries()) {
        expect(answer.message).not.toMatch(/unknown error/i)
        if (routes[index].callsKustom) {
          // A change that needs Kustom is refused with the reason and what to do, nothing else,
          // as 503: nothing in the request was wrong, and it can be tried again.
          expect({ route: answer.route, status: answer.status, message: answer.message }).toEqual({
            route: answer.route,
            status: 503,
            message: expect.stringMatching(says),
          })
        } else {
          // What Medusa knows is still shown; what Kustom would add says it could not be had.
          expect({ route: answer.route, status: answer.status }).toEqual({ route: answer.route, status: 200 })
        }
      }
    })

    it("refuses a body that is not a JSON object, or a field of the wrong type, saying which field and why, on every admin route", async () => {
      const send = (path: string, raw: string, extraHeaders: Record<string, string> = headers) =>
        fetch(`${api.defaults.baseURL}${path}`, { method: "POST", headers: { ...extraHeaders, "content-type": "application/json" }, body: raw })
      const posts = ADMIN_ROUTES.filter((route) => route.method === "post")
      for (const route of posts) {
        for (const [raw, got] of [["[]", "an array"], ["null", "null"], ['"dev_x"', 'the text "dev_x"'], ["7", "a number (7)"]]) {
          const response = await send(route.path, raw)
          expect({ route: `${route.path} ${raw}`, status: response.status, ...(await response.json()) }).toEqual({
            route: `${route.path} ${raw}`,
            status: 400,
            type: "invalid_data",
            message: `The request body must be a JSON object ({ … }), got ${got}`,
          })
        }
        const broken = await send(route.path, "{device_id:")
        expect({ route: route.path, status: broken.status, message: (await broken.json()).message }).toEqual({
          route: route.path,
          status: 400,
          message: expect.stringMatching(/^The request body is not valid JSON: /),
        })
        // Nothing is read from a caller without an admin session.
        expect((await send(route.path, "null", {})).status).toBe(401)
      }

      const wrongTypes: { path: string; body: unknown; message: string }[] = [
        { path: "/admin/kustom-ipp/device-defaults", body: { scope: "location", scope_id: "loc-main", device_id: [] }, message: "device_id: must be a device id (text), or null to remove the default, got an array" },
        { path: "/admin/kustom-ipp/device-defaults", body: { scope: "region", scope_id: "loc-main", device_id: null }, message: 'scope: must be "sales_channel" or "location", got the text "region"' },
        { path: "/admin/kustom-ipp/draft-orders/order_x/payment", body: { device_id: { id: "dev_x" } }, message: "device_id: must be a device id (text), got an object" },
        { path: "/admin/kustom-ipp/draft-orders/order_x/payment", body: {}, message: "device_id: is required: the Kustom device to send the payment to" },
        { path: "/admin/kustom-ipp/enrollments", body: { expires_in_minutes: "30" }, message: 'expires_in_minutes: must be a number of minutes, got the text "30"' },
        { path: "/admin/kustom-ipp/enrollments", body: { expires_in_minutes: 0 }, message: "expires_in_minutes: must be at least 1 minute" },
        { path: "/admin/kustom-ipp/location-links", body: { stock_location_id: 5, kustom_location_id: null }, message: "stock_location_id: must be a stock location id (text), got a number (5)" },
        { path: "/admin/kustom-ipp/location-links", body: { stock_location_id: store.stockLocationId, kustom_location_id: "loc\u0000main" }, message: "kustom_location_id: must not contain control characters such as line breaks, tabs or NUL (found U+0000 at character 4)" },
        { path: "/admin/kustom-ipp/devices/dev_x", body: { name: true }, message: "name: must be a device name (text), got true" },
        { path: "/admin/kustom-ipp/draft-orders/order_x/payment/cancel", body: { force: true }, message: "force: is not a field of this request" },
        { path: "/admin/kustom-ipp/enrollments", body: { location: "loc-main" }, message: "location: is not a field of this request (it takes location_id, expires_in_minutes)" },
      ]
      for (const { path, body, message } of wrongTypes) {
        const response = await call(api, "post", path, body)
        expect({ path, status: response.status, ...response.data }).toEqual({ path, status: 400, type: "invalid_data", message })
      }
    })

    it("answers 401 to callers without an admin session on every route", async () => {
      for (const route of ADMIN_ROUTES) {
        const response = await call(api, route.method, route.path, route.body, {})
        expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 })
      }
    })
  },
})
