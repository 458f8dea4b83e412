/**
 * The plugin's admin, end to end in a real (headless) Chromium against the development store
 * (Medusa with this plugin and its admin, an embedded PostgreSQL, the Kustom playground) and the
 * playground's virtual POS device page standing in for the clerk's phone:
 *
 *   log in → Settings → In-Person Payments → create an enrollment code → register the virtual
 *   device with it → the device appears → link the stock location, see the phone on its page →
 *   a draft order → "Pay in store" to that device → choose card and tap "Pay" on the device →
 *   the order is created and linked → its payment on the order page → "Pay in store" in
 *   Settings → Regions. Then: a decline, cancel from the admin, send again and pay; devices and
 *   links shown while Kustom is down, the settings at phone width, the rename form's checks; money
 *   taken that no order records, listed in Settings and shown on its order; a cancelled order
 *   whose payment Kustom could not refund yet; and renaming and removing a device.
 *
 * Needs Debian's Chromium at /usr/bin/chromium (driven through playwright-core; nothing is
 * downloaded) and ~1 minute to start the store the first time. Screenshots of every step go to
 * test-artifacts/admin-e2e/ (the path is printed).
 *
 *   npx cross-env TEST_TYPE=e2e jest e2e/admin
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "fs"
import os from "os"
import path from "path"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { counterDraftOrderBody } from "../scripts/lib/counter-sale"
import { startDevStoreProcess, type DevStoreProcess } from "./support/dev-store-process"

const CHROMIUM = "/usr/bin/chromium"
const ARTIFACTS = path.resolve(__dirname, "..", "test-artifacts", "admin-e2e")
const DESKTOP = { width: 1440, height: 1000 }
const PHONE = { width: 390, height: 844 }
const DEVICE_NAME = "Till E2E"

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) {
  // eslint-disable-next-line no-console
  console.warn(`admin e2e skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`)
}
const describeWithChromium = hasChromium ? describe : describe.skip

jest.setTimeout(300_000)

type Json = Record<string, any>

describeWithChromium("admin: enroll a phone, pay in store, see the order", () => {
  let store: DevStoreProcess
  let dataDir: string
  let profileDir: string
  let context: BrowserContext
  let admin: Page
  let device: Page
  let step = 0
  let registeredDeviceId: string
  const pageErrors: string[] = []

  async function shot(page: Page, name: string): Promise<void> {
    step += 1
    await page.screenshot({ path: path.join(ARTIFACTS, `${String(step).padStart(2, "0")}-${name}.png`), animations: "disabled" })
  }

  async function openAdmin(route: string): Promise<void> {
    await admin.goto(`${store.adminUrl}${route}`)
  }

  /** Chooses an option of a Radix select (as @medusajs/ui renders it) by its trigger's test id. */
  async function choose(page: Page, triggerTestId: string, option: string | RegExp): Promise<void> {
    await page.getByTestId(triggerTestId).click()
    await page.getByRole("option", { name: option }).click()
  }

  /** A Medusa admin call made by the logged-in browser (session cookie), as the dashboard makes them. */
  async function adminApi(method: string, route: string, body?: unknown): Promise<Json> {
    return admin.evaluate(
      async ({ method, route, body }) => {
        const response = await fetch(route, {
          method,
          credentials: "include",
          headers: { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        const json = await response.json()
        if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${json.message}`)
        return json
      },
      { method, route, body }
    )
  }

  /** A call to the playground (Kustom's API and its fault injection), as the store's API key. */
  async function playground(method: string, route: string, body?: unknown): Promise<Json> {
    const response = await fetch(`${store.playgroundUrl}${route}`, {
      method,
      headers: { authorization: `Basic ${store.apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return response.status === 204 ? {} : ((await response.json()) as Json)
  }

  /** A draft order at the counter: two products and pick-up, through the admin API. */
  async function buildDraftOrder(): Promise<{ id: string; display_id: number }> {
    const { draft_order: draft } = await adminApi("POST", "/admin/draft-orders", counterDraftOrderBody(store.store))
    return draft
  }

  async function widgetPhase(): Promise<string | null> {
    return admin.getByTestId("pay-in-store-status").getAttribute("data-phase")
  }

  async function waitForPhase(phase: string, timeout = 30_000): Promise<void> {
    await admin.waitForSelector(`[data-testid="pay-in-store-status"][data-phase="${phase}"]`, { timeout })
  }

  async function waitForDeviceScreen(name: string, timeout = 30_000): Promise<void> {
    await device.waitForSelector(`[data-screen="${name}"]:not([hidden])`, { timeout })
  }

  beforeAll(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true })
    mkdirSync(ARTIFACTS, { recursive: true })
    // eslint-disable-next-line no-console
    console.log(`admin e2e screenshots: ${ARTIFACTS}`)
    dataDir = mkdtempSync(path.join(os.tmpdir(), "kustom-ipp-admin-e2e-"))
    store = await startDevStoreProcess(dataDir)
    profileDir = mkdtempSync(path.join(os.tmpdir(), "kustom-ipp-admin-e2e-profile-"))
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: DESKTOP,
      locale: "en-US",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    })
    admin = context.pages()[0] ?? (await context.newPage())
    admin.on("pageerror", (error) => pageErrors.push(`admin: ${error.message}`))
    device = await context.newPage()
    await device.setViewportSize(PHONE)
    device.on("pageerror", (error) => pageErrors.push(`device: ${error.message}`))
  })

  afterAll(async () => {
    await context?.close()
    await store?.stop()
    if (profileDir) rmSync(profileDir, { recursive: true, force: true })
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  afterEach(() => {
    expect(pageErrors).toEqual([])
  })

  it("logs in, enrolls the virtual device with a code, pays a draft order on it and shows the order's payment", async () => {
    // Log in. The admin is compiled on first use, so the first page may take a while.
    await admin.goto(`${store.adminUrl}/login`, { timeout: 180_000 })
    await admin.fill('input[name="email"]', store.adminEmail)
    await admin.fill('input[name="password"]', store.adminPassword)
    await shot(admin, "login")
    await admin.getByRole("button", { name: "Continue with Email" }).click()
    await admin.waitForURL(/\/app\/orders/, { timeout: 120_000 })

    // Settings → In-Person Payments: the connection works and shows the callback URL.
    await openAdmin("/settings/in-person-payments")
    await admin.getByTestId("connection-api-key").getByText("Working").waitFor({ timeout: 60_000 })
    expect(await admin.getByTestId("connection-callback-url").textContent()).toContain(`${store.medusaUrl}/hooks/kustom-ipp`)
    expect(await admin.getByTestId("connection-environment").textContent()).toContain("Playground")
    const pageText = (await admin.textContent("body")) ?? ""
    expect(pageText).not.toContain(store.apiKey)
    expect(pageText).not.toContain(store.webhookSecret)
    // The store's default device from the plugin's options (the demo's simulated counter) is named.
    await admin.getByTestId("store-configured-default").getByText("Counter (simulated)").waitFor({ timeout: 30_000 })
    await shot(admin, "settings-connection")
    // The breadcrumb names the page after "Settings", as Medusa's own settings pages do.
    expect(await admin.locator("ol").filter({ hasText: "Settings" }).first().locator("li").allInnerTexts()).toEqual(["Settings", "In-Person Payments"])

    // Create an enrollment code: large, with its expiry counting down.
    await admin.getByTestId("open-enroll-device").click()
    await admin.getByTestId("enroll-device-drawer").waitFor()
    await shot(admin, "enroll-drawer")
    await admin.getByTestId("create-enrollment-code").click()
    const codeText = (await admin.getByTestId("enrollment-code").textContent({ timeout: 15_000 })) ?? ""
    const code = codeText.replace(/\s+/g, "")
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
    expect(codeText).toMatch(/^\w{4} \w{4}$/)
    const countdown = (await admin.getByTestId("enrollment-countdown").textContent()) ?? ""
    expect(countdown).toMatch(/^1:59:[0-5]\d$|^2:00:00$/)
    await shot(admin, "enrollment-code")

    // Register the virtual POS device page with that code, as a clerk would in the POS app.
    await device.goto(`${store.playgroundUrl}/device`)
    await waitForDeviceScreen("register")
    await device.getByTestId("code-input").fill(code)
    await device.getByTestId("name-input").fill(DEVICE_NAME)
    await device.getByTestId("platform-IOS").check({ force: true })
    await shot(device, "device-register")
    await device.getByTestId("register-button").click()
    await waitForDeviceScreen("idle")
    expect((await device.getByTestId("device-name").textContent())?.trim()).toBe(DEVICE_NAME)
    await shot(device, "device-registered")

    // The admin notices without a reload: the code is used, the device is listed.
    await admin.getByTestId("enrollment-consumed").waitFor({ timeout: 20_000 })
    expect(await admin.getByTestId("enrollment-consumed").textContent()).toContain(DEVICE_NAME)
    await shot(admin, "enrollment-consumed")
    await admin.keyboard.press("Escape")
    const row = admin.locator('tr[data-testid^="device-row-"]', { hasText: DEVICE_NAME })
    await row.waitFor({ timeout: 20_000 })
    registeredDeviceId = ((await row.getAttribute("data-testid")) ?? "").replace("device-row-", "")
    expect(await row.textContent()).toContain("iOS")
    await admin.getByTestId(`enrollment-row-${code}`).getByText("Used").waitFor()
    await row.scrollIntoViewIfNeeded()
    await shot(admin, "device-listed")

    // Link the store's stock location to the Kustom location; its page then shows the phone.
    const stockLocationId = store.store.stockLocationId
    await admin.getByTestId(`stock-location-select-${stockLocationId}`).scrollIntoViewIfNeeded()
    await choose(admin, `stock-location-select-${stockLocationId}`, /Playground Store/)
    await admin.getByText("linked", { exact: false }).first().waitFor()
    await shot(admin, "stock-location-linked")
    await openAdmin(`/settings/locations/${stockLocationId}`)
    await admin.getByTestId(`location-device-${registeredDeviceId}`).waitFor({ timeout: 30_000 })
    await admin.getByTestId("location-in-store-devices").scrollIntoViewIfNeeded()
    await shot(admin, "location-devices")
    await admin.getByTestId("enroll-device-here").click()
    await admin.getByTestId("create-enrollment-code").click()
    await admin.getByTestId("enrollment-code").waitFor()
    await shot(admin, "location-enroll-code")
    await admin.keyboard.press("Escape")
    await admin.getByTestId("location-pending-codes").waitFor({ timeout: 20_000 })

    // A draft order, then "Pay in store" to the new device.
    const draft = await buildDraftOrder()
    await openAdmin(`/draft-orders/${draft.id}`)
    await admin.getByTestId("pay-in-store-widget").waitFor({ timeout: 60_000 })
    expect(await widgetPhase()).toBe("idle")
    await choose(admin, "pay-in-store-device-select", new RegExp(DEVICE_NAME))
    await shot(admin, "draft-order-pay-in-store")
    await admin.getByTestId("pay-in-store-send").click()
    await waitForPhase("on_device")
    expect(await admin.getByTestId("pay-in-store-device-name").textContent()).toBe(DEVICE_NAME)
    await shot(admin, "payment-on-device")

    // On the phone: the payment shows up by itself; the clerk picks card, then the customer pays.
    await waitForDeviceScreen("session")
    await shot(device, "device-session")
    await device.getByTestId("card-button").click()
    await waitForPhase("active")
    // The clerk is collecting: sending again is not offered (the server would refuse it).
    await admin.getByTestId("pay-in-store-collecting").waitFor()
    expect(await admin.getByTestId("pay-in-store-resend").count()).toBe(0)
    expect(await admin.getByTestId("pay-in-store-form").count()).toBe(0)
    await shot(admin, "payment-method-chosen")
    // A first card is declined; the clerk tries another one in the same session.
    await device.getByTestId("decline-button").click()
    await device.getByTestId("decline-reason-INSUFFICIENT_FUNDS").click()
    await waitForPhase("declined")
    await device.getByTestId("try-again-button").click()
    await waitForDeviceScreen("session")
    await device.getByTestId("pay-button").click()
    await device.waitForSelector('[data-testid="result"][data-result="paid"]')
    await shot(device, "device-paid")

    // The draft order became an order by itself, and the widget links to it. Paid while the page
    // is open, it stays on the draft page and says plainly that this is an order now.
    await waitForPhase("paid")
    const link = admin.getByTestId("pay-in-store-order-link")
    expect(await link.textContent()).toContain(`#${draft.display_id}`)
    expect(admin.url()).toContain(`/draft-orders/${draft.id}`)
    expect(await admin.getByTestId("pay-in-store-now-order").textContent()).toContain(`This draft is now order #${draft.display_id}`)
    await shot(admin, "draft-order-paid")
    await link.click()
    await admin.waitForURL(new RegExp(`/app/orders/${draft.id}`))
    const payment = admin.getByTestId("kustom-ipp-order-payment")
    await payment.waitFor({ timeout: 60_000 })
    expect(await admin.getByTestId("order-payment-device").textContent()).toContain(DEVICE_NAME)
    // Readable labels, not Kustom's codes ("captured", "INSUFFICIENT_FUNDS").
    expect(await admin.getByTestId("order-payment-status").textContent()).toContain("Captured")
    expect(await payment.locator("dt").allTextContents()).toEqual(["Device", "IPP session", "Kustom order", "Status", "Captured", "Refunded"])
    expect(await admin.getByTestId("order-payment-session").textContent()).toMatch(/[0-9a-f-]{36}/)
    expect(await admin.getByTestId("order-payment-kustom-order").textContent()).toMatch(/[0-9a-f-]{36}/)
    await admin.getByTestId("order-payment-callback").filter({ hasText: "Card accepted" }).waitFor({ timeout: 20_000 })
    await admin.getByTestId("order-payment-callback").filter({ hasText: "Card declined: Insufficient funds" }).waitFor()
    expect(await payment.textContent()).not.toContain("INSUFFICIENT_FUNDS")
    await payment.scrollIntoViewIfNeeded()
    await shot(admin, "order-payment")

    // A refund with Medusa's own refund action reaches Kustom and shows in the widget.
    // Medusa's "Payments" card (a @medusajs/ui Container) and its payment row's action menu.
    const payments = admin.locator('div[class*="shadow-elevation-card"]').filter({ has: admin.getByRole("heading", { name: "Payments", exact: true }) })
    await payments.locator('button[aria-haspopup="menu"]').last().click()
    await admin.getByRole("menuitem", { name: "Refund" }).click()
    await admin.locator('[role="dialog"] input[name="amount"]').fill("50")
    await admin.locator('[role="dialog"] textarea').fill("Returned a mug")
    await shot(admin, "order-refund")
    await admin.locator('[role="dialog"]').getByRole("button", { name: "Save" }).click()
    await admin.getByTestId("order-payment-refunds").waitFor({ timeout: 30_000 })
    await admin.getByTestId("order-payment-refunded").getByText(/50\.00/).waitFor({ timeout: 30_000 })
    expect(await admin.getByTestId("order-payment-refunds").textContent()).toContain("Returned a mug")
    // Kustom's order stays "CAPTURED"; the card reads the refund from the amounts. Both sides agree.
    expect(await admin.getByTestId("order-payment-status").textContent()).toContain("Partially refunded")
    expect(await admin.getByTestId("order-payment-disagree").count()).toBe(0)
    await payment.scrollIntoViewIfNeeded()
    await shot(admin, "order-refunded")

    // Settings → Regions: the provider is a readable "Pay in store" choice.
    await openAdmin(`/settings/regions/${store.regionId}`)
    await admin.getByText("Pay In Store (KUSTOM)").first().waitFor({ timeout: 30_000 })
    await shot(admin, "region-payment-provider")
  })

  it("shows a decline with its reason, cancels from the admin, sends again and pays", async () => {
    const draft = await buildDraftOrder()
    await openAdmin(`/draft-orders/${draft.id}`)
    await admin.getByTestId("pay-in-store-widget").waitFor({ timeout: 60_000 })
    // The device used last is preselected.
    await admin.getByTestId("pay-in-store-device-select").getByText(DEVICE_NAME).waitFor({ timeout: 15_000 })
    await admin.getByTestId("pay-in-store-send").click()
    await waitForPhase("on_device")
    // Waiting on the device, untouched: it can still be sent elsewhere.
    expect(await admin.getByTestId("pay-in-store-resend").count()).toBe(1)

    await waitForDeviceScreen("session")
    await device.getByTestId("decline-button").click()
    await device.getByTestId("decline-reason-INSUFFICIENT_FUNDS").click()
    await device.waitForSelector('[data-testid="result"][data-result="declined"]')
    await shot(device, "device-declined")
    await waitForPhase("declined")
    expect(await admin.getByTestId("pay-in-store-decline").textContent()).toContain("Insufficient funds")
    expect(await admin.getByTestId("pay-in-store-resend").count()).toBe(0)
    await shot(admin, "admin-declined")

    // Asked by keyboard and dismissed with Escape: nothing is cancelled, and focus is back on the button.
    await admin.getByTestId("pay-in-store-cancel").focus()
    await admin.keyboard.press("Enter")
    await admin.getByRole("button", { name: "Keep it" }).waitFor()
    await admin.keyboard.press("Escape")
    await admin.getByRole("button", { name: "Keep it" }).waitFor({ state: "detached" })
    await admin.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "pay-in-store-cancel")
    expect(await widgetPhase()).toBe("declined")

    // Cancel from the admin: the phone stops asking.
    await admin.getByTestId("pay-in-store-cancel").click()
    await admin.getByRole("button", { name: "Cancel payment" }).last().click()
    await waitForPhase("cancelled")
    await device.waitForSelector('[data-testid="result"][data-result="cancelled"]', { timeout: 30_000 })
    await shot(admin, "admin-cancelled")
    await shot(device, "device-cancelled")

    // Send again to the same device, and pay.
    expect(await admin.getByTestId("pay-in-store-send").textContent()).toBe("Send again")
    await admin.getByTestId("pay-in-store-send").click()
    await waitForPhase("on_device")
    await waitForDeviceScreen("session")
    await device.getByTestId("pay-button").click()
    await device.waitForSelector('[data-testid="result"][data-result="paid"]')
    await waitForPhase("paid")
    await shot(admin, "resent-and-paid")
    expect(await admin.getByTestId("pay-in-store-order-link").textContent()).toContain(`#${draft.display_id}`)

    // Opened again, the draft page (whose "Convert to order" no longer works) goes to the order.
    await openAdmin(`/draft-orders/${draft.id}`)
    await admin.waitForURL(new RegExp(`/app/orders/${draft.id}`), { timeout: 60_000 })
    await admin.getByTestId("kustom-ipp-order-payment").waitFor({ timeout: 60_000 })
  })

  it("names devices and links it cannot look up, fits a phone screen, and checks a new name", async () => {
    // A device with the longest name allowed, moved out of the store's location (PUT replaces,
    // so the location is cleared), and made that location's default.
    const longName = `Back office till ${"x".repeat(83)}`
    const elsewhere = await playground("POST", "/ipp/v1/dev/devices", { name: longName })
    await playground("PUT", `/ipp/v1/devices/${elsewhere.id}`, { name: longName })
    const { locations } = await adminApi("GET", "/admin/kustom-ipp/locations")
    const location = locations[0]
    await adminApi("POST", "/admin/kustom-ipp/device-defaults", { scope: "location", scope_id: location.id, device_id: elsewhere.id })
    await adminApi("POST", "/admin/kustom-ipp/device-defaults", {
      scope: "sales_channel",
      scope_id: store.store.salesChannelId,
      device_id: registeredDeviceId,
    })

    await openAdmin("/settings/in-person-payments")
    const locationDefault = admin.getByTestId(`location-default-${location.id}`)
    await locationDefault.getByText(longName).waitFor({ timeout: 30_000 })
    expect(await locationDefault.textContent()).not.toContain("Removed")
    expect(await locationDefault.getAttribute("aria-label")).toBe(`Default device for ${location.name}`)
    expect(await admin.getByTestId(`channel-default-${store.store.salesChannelId}`).getAttribute("aria-label")).toMatch(/^Default device for /)

    // The rename form says what is wrong instead of cutting the name or only greying out Save.
    await admin.getByTestId(`device-actions-${elsewhere.id}`).click()
    await admin.getByTestId("device-rename").click()
    const nameInput = admin.getByTestId("device-name-input")
    await nameInput.fill(`${longName}y`)
    expect(await nameInput.inputValue()).toHaveLength(101)
    expect(await admin.getByTestId("device-name-problem").textContent()).toContain("101 characters")
    expect(await admin.getByTestId("device-name-problem").getAttribute("role")).toBe("alert")
    expect(await nameInput.getAttribute("aria-invalid")).toBe("true")
    expect(await nameInput.getAttribute("aria-describedby")).toContain("device-name-problem")
    expect(await admin.getByTestId("device-save").isDisabled()).toBe(true)
    await nameInput.fill("  ")
    expect(await admin.getByTestId("device-name-problem").textContent()).toBe("Enter a name for the device.")
    await shot(admin, "device-rename-empty")
    await admin.keyboard.press("Escape")

    // At 390 px the tables scroll inside their cards: long names are cut (full name as tooltip),
    // the ⋯ button can be scrolled to, and a code stays on one line.
    await admin.setViewportSize(PHONE)
    try {
      const nameCell = admin.getByTestId(`device-row-${elsewhere.id}`).getByTestId("device-name-cell")
      expect(await nameCell.getAttribute("title")).toBe(longName)
      expect((await nameCell.boundingBox())!.width).toBeLessThan(300)
      for (const card of ["kustom-devices", "kustom-enrollments"]) {
        const fits = await admin.getByTestId(card).evaluate((element) => element.scrollWidth <= element.clientWidth)
        expect(fits).toBe(true)
      }
      const actions = admin.getByTestId(`device-actions-${elsewhere.id}`)
      await actions.scrollIntoViewIfNeeded()
      const box = (await actions.boundingBox())!
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width)
      const codeLines = await admin
        .getByTestId("enrollment-row-code")
        .first()
        .evaluate((element) => element.getClientRects().length)
      expect(codeLines).toBe(1)
      await shot(admin, "settings-phone")
    } finally {
      await admin.setViewportSize(DESKTOP)
    }

    // Kustom down: the channel's default is not called "removed", the stock location not "Not linked".
    await playground("POST", "/_playground/faults", { path: "/ipp/v1/*", status: 503 })
    try {
      await openAdmin("/settings/in-person-payments")
      const channelDefault = admin.getByTestId(`channel-default-${store.store.salesChannelId}`)
      await channelDefault.getByText("couldn't load devices").waitFor({ timeout: 30_000 })
      expect(await channelDefault.textContent()).not.toContain("Removed")
      const linkRow = admin.getByTestId(`stock-location-link-${store.store.stockLocationId}`)
      // The link stored in Medusa (made in the first test) is still shown, by its Kustom id. It is
      // read once Kustom's list has failed ("Link not shown…" until then), so wait for it.
      await linkRow.getByText("Linked to Kustom location ").waitFor({ timeout: 30_000 })
      expect(await linkRow.textContent()).toContain("could not be loaded")
      // The Devices list says Kustom is unavailable, and keeps saying it while it tries again
      // (every 3 s, with retries): never back to "Loading…".
      const devicesCard = admin.getByTestId("kustom-devices")
      await devicesCard.getByText("Kustom is not available").waitFor({ timeout: 30_000 })
      const seen = new Set<string>()
      for (let i = 0; i < 20; i++) {
        seen.add((await devicesCard.textContent())?.includes("Kustom is not available") ? "error" : "other")
        await admin.waitForTimeout(500)
      }
      expect([...seen]).toEqual(["error"])
      await shot(admin, "settings-kustom-down")
    } finally {
      await playground("DELETE", "/_playground/faults")
    }
    await adminApi("POST", "/admin/kustom-ipp/device-defaults", { scope: "location", scope_id: location.id, device_id: null })
    await playground("DELETE", `/ipp/v1/devices/${elsewhere.id}`)
  })

  it("lists money taken that no order records in Settings, and links to the order that shows it", async () => {
    const draft = await buildDraftOrder()
    const { payment } = await adminApi("POST", `/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: registeredDeviceId })
    const sessionId: string = payment.kustom_session_id
    await adminApi("POST", `/admin/draft-orders/${draft.id}/convert-to-order`, {})
    // Kustom does not take the withdrawal when the order is cancelled, and the customer pays.
    await playground("POST", "/_playground/faults", { path: `/ipp/v1/sessions/${sessionId}/cancel`, status: 503 })
    try {
      await adminApi("POST", `/admin/orders/${draft.id}/cancel`, {})
      await playground("POST", `/ipp/v1/dev/sessions/${sessionId}/simulate-tap?outcome=SUCCESS`)
    } finally {
      await playground("DELETE", "/_playground/faults")
    }

    await openAdmin("/settings/in-person-payments")
    const problem = admin.getByTestId("kustom-ipp-store-problem").filter({ hasText: sessionId })
    await problem.waitFor({ timeout: 60_000 })
    expect(await problem.getAttribute("data-resolved")).toBe("false")
    expect(await problem.textContent()).toContain(`after order #${draft.display_id} was cancelled in Medusa`)
    expect(await admin.getByTestId("kustom-payment-problems").textContent()).toMatch(/1 payment taken on a device that no order records/)
    // Said to screen readers when it changes (the list refreshes by itself).
    expect(await admin.getByTestId("kustom-payment-problems").getByRole("status").textContent()).toBe("1 payment needing attention")
    await problem.scrollIntoViewIfNeeded()
    await shot(admin, "settings-payment-problem")
    // A part given back in Kustom's portal: the item says how much so far, and what Kustom still holds.
    const { order_id: kustomOrderId } = await playground("GET", `/ipp/v1/sessions/${sessionId}`)
    await playground("POST", `/ordermanagement/v1/orders/${kustomOrderId}/refunds`, { refunded_amount: 100 })
    await admin.reload()
    await problem
      .filter({ hasText: /Kustom has given back kr\s1\.00 of this payment so far and still holds kr\s[\d,]+\.\d{2}\./ })
      .waitFor({ timeout: 60_000 })
    expect(await problem.getAttribute("data-resolved")).toBe("false")
    await shot(admin, "settings-payment-problem-part-refunded")
    await problem.getByRole("link", { name: `Order #${draft.display_id}` }).click()
    await admin.waitForURL(new RegExp(`/app/orders/${draft.id}`))
    await admin.getByTestId("kustom-ipp-order-problem").filter({ hasText: "give the money back in Kustom" }).waitFor({ timeout: 60_000 })
    await shot(admin, "order-payment-problem")
  })

  it("shows on a draft order converted while its payment waits on the device that payment, and cancels it there", async () => {
    const draft = await buildDraftOrder()
    const { payment } = await adminApi("POST", `/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: registeredDeviceId })
    await adminApi("POST", `/admin/draft-orders/${draft.id}/convert-to-order`, {})
    await openAdmin(`/orders/${draft.id}`)
    const waiting = admin.getByTestId("order-payment-waiting")
    await waiting.waitFor({ timeout: 60_000 })
    expect(await waiting.textContent()).toMatch(/^kr\s[\d,]+\.\d{2} is waiting on .+\. It was sent before the draft order was converted; when the customer pays, the payment is recorded on this order\./)
    await waiting.scrollIntoViewIfNeeded()
    await shot(admin, "order-payment-waiting")
    await admin.getByTestId("order-payment-waiting-cancel").click()
    await admin.getByRole("button", { name: "Cancel payment" }).last().click()
    // What to do next: the order is no longer a draft, so it cannot be sent to a device again. The
    // toast comes although the card, fetched again without the payment, no longer has the part
    // that asked for the cancel.
    await admin.getByText("The payment is off the device").waitFor({ timeout: 30_000 })
    expect(await admin.getByText(/Pay in store cannot send it again/).count()).toBeGreaterThan(0)
    await waiting.waitFor({ state: "detached", timeout: 30_000 })
    expect((await playground("GET", `/ipp/v1/sessions/${payment.kustom_session_id}`)).status).toBe("CANCELLED")
  })

  it("says on a cancelled order that Kustom still holds its payment while it cannot be refunded", async () => {
    const draft = await buildDraftOrder()
    const { payment } = await adminApi("POST", `/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: registeredDeviceId })
    await playground("POST", `/ipp/v1/dev/sessions/${payment.kustom_session_id}/simulate-tap?outcome=SUCCESS`)
    let paid: Json = {}
    for (let tries = 0; tries < 100 && !paid.sale?.completed; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      paid = await adminApi("GET", `/admin/kustom-ipp/draft-orders/${draft.id}/payment`)
    }
    expect(paid.sale).toMatchObject({ completed: true, order_id: draft.id })
    // Kustom refuses refunds while the order is cancelled: Medusa cancels it anyway.
    await playground("POST", "/_playground/faults", { path: `/ordermanagement/v1/orders/${paid.payment.kustom_order_id}/refunds`, status: 503 })
    try {
      await adminApi("POST", `/admin/orders/${draft.id}/cancel`, {})
      await openAdmin(`/orders/${draft.id}`)
      const note = admin.getByTestId("order-payment-held-after-cancel")
      await note.waitFor({ timeout: 60_000 })
      expect(await note.textContent()).toMatch(/^This order is cancelled, and Kustom still holds kr\s[\d,]+\.\d{2} of this payment\. It is given back by itself/)
      await note.scrollIntoViewIfNeeded()
      await shot(admin, "order-cancelled-payment-held")
    } finally {
      await playground("DELETE", "/_playground/faults")
    }
  })

  it("announces the payment's status in words, and keeps keyboard focus in the widget, drawers, prompts and selects", async () => {
    /** The text a screen reader reads: without what is hidden from it (aria-hidden). */
    const spokenText = (testId: string) =>
      admin.getByTestId(testId).evaluate((element) => {
        const read = (node: Node): string =>
          node.nodeType === Node.TEXT_NODE
            ? (node.textContent ?? "")
            : node instanceof Element && node.getAttribute("aria-hidden") === "true"
              ? ""
              : Array.from(node.childNodes).map(read).join("")
        return read(element)
      })
    const waitForSpoken = async (testId: string, text: string) => {
      for (let tries = 0; tries < 150 && (await spokenText(testId)) !== text; tries++) await admin.waitForTimeout(200)
      expect(await spokenText(testId)).toBe(text)
    }
    const focusedTestId = () => admin.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName)

    // The widget's status is a live region, there before the payment is sent, saying the phase in words.
    const draft = await buildDraftOrder()
    await openAdmin(`/draft-orders/${draft.id}`)
    await admin.getByTestId("pay-in-store-widget").waitFor({ timeout: 60_000 })
    const status = admin.getByTestId("pay-in-store-status")
    expect(await status.getAttribute("role")).toBe("status")
    await waitForSpoken("pay-in-store-status", "Payment status: Not sent")
    await admin.getByTestId("pay-in-store-device-select").getByText(DEVICE_NAME).waitFor({ timeout: 15_000 })
    await admin.getByTestId("pay-in-store-send").focus()
    await admin.keyboard.press("Enter")
    await waitForPhase("on_device")
    await waitForSpoken("pay-in-store-status", "Payment status: On the device")
    // The send button is gone: focus is on the status, not on the page.
    await admin.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "pay-in-store-status")
    expect(await admin.getByTestId("pay-in-store-resend").getAttribute("aria-expanded")).toBe("false")
    await waitForDeviceScreen("session")
    await device.getByTestId("card-button").click()
    await waitForPhase("active")
    await waitForSpoken("pay-in-store-status", "Payment status: Paying")
    await admin.getByTestId("pay-in-store-cancel").focus()
    await admin.keyboard.press("Enter")
    await admin.getByRole("button", { name: "Cancel payment" }).last().click()
    await waitForPhase("cancelled")
    await waitForSpoken("pay-in-store-status", "Payment status: Cancelled")
    await admin.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "pay-in-store-status")
    await shot(admin, "keyboard-status-cancelled")

    // A device removed while chosen: the select says so and is invalid, and sending waits for another choice.
    const spare = await playground("POST", "/ipp/v1/dev/devices", { name: "Spare till" })
    await admin.getByTestId("pay-in-store-device-select").waitFor()
    for (let tries = 0; tries < 100; tries++) {
      await admin.getByTestId("pay-in-store-device-select").click()
      if (await admin.getByRole("option", { name: /Spare till/ }).isVisible()) break
      await admin.keyboard.press("Escape")
      await admin.waitForTimeout(300)
    }
    await admin.getByRole("option", { name: /Spare till/ }).click()
    await playground("DELETE", `/ipp/v1/devices/${spare.id}`)
    await admin.getByTestId("pay-in-store-device-removed").waitFor({ timeout: 30_000 })
    expect(await admin.getByTestId("pay-in-store-device-removed").textContent()).toBe("This device is no longer registered with Kustom: choose another.")
    expect(await admin.getByTestId("pay-in-store-send").isDisabled()).toBe(true)
    expect(await admin.getByTestId("pay-in-store-device-select").getAttribute("aria-invalid")).toBe("true")
    await choose(admin, "pay-in-store-device-select", new RegExp(DEVICE_NAME))
    expect(await admin.getByTestId("pay-in-store-send").isDisabled()).toBe(false)

    // Settings: the enroll drawer, opened and closed with the keyboard, gives focus back to its button.
    await openAdmin("/settings/in-person-payments")
    const enroll = admin.getByTestId("open-enroll-device")
    await enroll.waitFor({ timeout: 30_000 })
    await enroll.focus()
    await admin.keyboard.press("Enter")
    await admin.getByTestId("enroll-device-drawer").waitFor()
    await admin.getByTestId("create-enrollment-code").focus()
    await admin.keyboard.press("Enter")
    const codeText = (await admin.getByTestId("enrollment-code").textContent({ timeout: 15_000 })) ?? ""
    const code = codeText.replace(/\s+/g, "")
    // The new code has focus, and is read one character at a time.
    await admin.waitForFunction(() => document.activeElement?.querySelector('[data-testid="enrollment-code"]') != null)
    expect(await admin.evaluate(() => document.activeElement?.textContent ?? "")).toContain(`Enrollment code ${code.split("").join(" ")}`)
    await admin.keyboard.press("Escape")
    await admin.getByTestId("enroll-device-drawer").waitFor({ state: "detached" })
    await admin.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "open-enroll-device")

    // A confirmation prompt dismissed with Escape gives focus back to the button that opened it.
    const cancelCode = admin.getByRole("button", { name: `Cancel code ${codeText}` })
    await cancelCode.waitFor({ timeout: 20_000 })
    await cancelCode.focus()
    await admin.keyboard.press("Enter")
    await admin.getByRole("button", { name: "Keep it" }).waitFor()
    await admin.keyboard.press("Escape")
    await admin.getByRole("button", { name: "Keep it" }).waitFor({ state: "detached" })
    await admin.waitForFunction((name) => document.activeElement?.getAttribute("aria-label") === name, `Cancel code ${codeText}`)
    // Confirmed, the button goes away with the code: focus moves to the section's heading.
    await admin.keyboard.press("Enter")
    await admin.getByRole("button", { name: "Cancel code", exact: true }).click()
    await cancelCode.waitFor({ state: "detached", timeout: 20_000 })
    await admin.waitForFunction(() => document.activeElement?.id === "kustom-enrollments-heading")

    // A default device chosen with the keyboard: the select keeps focus while and after it saves.
    await adminApi("POST", "/admin/kustom-ipp/device-defaults", { scope: "sales_channel", scope_id: store.store.salesChannelId, device_id: registeredDeviceId })
    await admin.reload()
    const channelDefault = admin.getByTestId(`channel-default-${store.store.salesChannelId}`)
    await channelDefault.getByText(DEVICE_NAME).waitFor({ timeout: 30_000 })
    await channelDefault.focus()
    await admin.keyboard.press("Enter")
    await admin.getByRole("option", { name: "No default" }).waitFor()
    await admin.keyboard.press("Home")
    await admin.waitForFunction(() => document.activeElement?.getAttribute("role") === "option" && document.activeElement.textContent === "No default")
    await admin.keyboard.press("Enter")
    // The select shows the server's value: once it says "No default", the save is done.
    await channelDefault.getByText("No default").waitFor({ timeout: 15_000 })
    // Blurring a disabled control happens a moment later: look again after that.
    await admin.waitForTimeout(300)
    expect(await focusedTestId()).toBe(`channel-default-${store.store.salesChannelId}`)
    await shot(admin, "keyboard-default-kept-focus")
  })

  it("renames and removes a device, asking before removing", async () => {
    await openAdmin("/settings/in-person-payments")
    const row = admin.getByTestId(`device-row-${registeredDeviceId}`)
    await row.waitFor({ timeout: 30_000 })
    await admin.getByTestId(`device-actions-${registeredDeviceId}`).click()
    await admin.getByTestId("device-rename").click()
    await admin.getByTestId("device-name-input").fill("Front counter")
    await shot(admin, "device-rename")
    await admin.getByTestId("device-save").click()
    await row.getByText("Front counter").waitFor({ timeout: 15_000 })
    expect(await row.textContent()).toContain("Playground Store")

    await admin.getByTestId(`device-actions-${registeredDeviceId}`).click()
    await admin.getByTestId("device-remove").click()
    await admin.getByRole("button", { name: "Remove device" }).waitFor()
    await shot(admin, "device-remove-confirm")
    await admin.getByRole("button", { name: "Remove device" }).click()
    await row.waitFor({ state: "detached", timeout: 15_000 })
    await shot(admin, "device-removed")
    // The phone learns it was removed and goes back to registration.
    await waitForDeviceScreen("register", 30_000)
    expect(readdirSync(ARTIFACTS).length).toBeGreaterThan(20)
  })
})
