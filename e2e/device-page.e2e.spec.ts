/**
 * End-to-end test of the playground's virtual POS device page (`GET /device`) in a real
 * Chromium at phone size: register with an enrollment code, receive sessions live, pay,
 * decline, cancel, and take over a simulated device with `?device=<id>`.
 *
 * Needs Debian's Chromium at /usr/bin/chromium (driven through playwright-core; no browser is
 * downloaded). Screenshots of every step go to test-artifacts/device-page/.
 *
 *   npx cross-env TEST_TYPE=e2e jest e2e/device-page
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "fs"
import os from "os"
import path from "path"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { startPlayground } from "kustom-ipp-playground"

const CHROMIUM = "/usr/bin/chromium"
const API_KEY = "kco_test_api_e2e"
const LOCALE = "sv-SE"
const PHONE = { width: 390, height: 844 }
const SMALL_PHONE = { width: 375, height: 667 }
const ARTIFACTS = path.resolve(__dirname, "..", "test-artifacts", "device-page")

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) {
  // eslint-disable-next-line no-console
  console.warn(`device page e2e skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`)
}
const describeWithChromium = hasChromium ? describe : describe.skip

type Playground = Awaited<ReturnType<typeof startPlayground>>
type Json = Record<string, any>

/** The same formatting the page uses, so the expectation does not hard-code a locale's spacing. */
function money(minor: number, currency: string): string {
  const nf = new Intl.NumberFormat(LOCALE, { style: "currency", currency })
  const digits = nf.resolvedOptions().maximumFractionDigits ?? 2
  return nf.format(minor / 10 ** digits)
}

/** Intl and Chromium's ICU may use different kinds of spaces (NBSP, narrow NBSP). */
const normalize = (text: string | null | undefined) => (text ?? "").replace(/\s+/gu, " ").trim()

describeWithChromium("virtual POS device page", () => {
  let playground: Playground
  let context: BrowserContext
  let page: Page
  let profileDir: string
  let step = 0
  let registeredDeviceId: string
  const pageErrors: string[] = []

  async function api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${playground.url}${urlPath}`, {
      method,
      headers: { authorization: `Basic ${API_KEY}`, "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : {} }
  }

  async function createSession(deviceId: string, overrides: Json = {}): Promise<Json> {
    // Two lines that add up the way Kustom checks them: 1 × 150.00 + 2 × 50.00 = 250.00 SEK,
    // 25 % tax included (30.00 + 20.00 = 50.00).
    const body = {
      device_id: deviceId,
      order_amount: 25000,
      order_tax_amount: 5000,
      purchase_currency: "SEK",
      purchase_started_at: new Date().toISOString(),
      merchant_reference1: "order_e2e_1",
      order_items: [
        { type: "physical", reference: "MUG-1", name: "Stoneware mug", quantity: 1, unit_price: 15000, total_amount: 15000, total_discount_amount: 0, tax_rate: 2500, total_tax_amount: 3000 },
        { type: "physical", reference: "TEA-2", name: "Loose leaf tea", quantity: 2, unit_price: 5000, total_amount: 10000, total_discount_amount: 0, tax_rate: 2500, total_tax_amount: 2000 },
      ],
      ...overrides,
    }
    const created = await api("POST", "/ipp/v1/sessions", body)
    expect(created.status).toBe(200)
    return created.body
  }

  async function getSession(id: string): Promise<Json> {
    const response = await api("GET", `/ipp/v1/sessions/${id}`)
    expect(response.status).toBe(200)
    return response.body
  }

  async function shot(name: string): Promise<void> {
    step += 1
    await page.screenshot({ path: path.join(ARTIFACTS, `${String(step).padStart(2, "0")}-${name}.png`), animations: "disabled" })
  }

  async function visibleScreen(): Promise<string | null> {
    return page.evaluate(() => document.querySelector("[data-screen]:not([hidden])")?.getAttribute("data-screen") ?? null)
  }

  async function waitForScreen(name: string, timeout = 10000): Promise<void> {
    await page.waitForSelector(`[data-screen="${name}"]:not([hidden])`, { timeout })
  }

  async function text(testId: string): Promise<string> {
    return normalize(await page.getByTestId(testId).textContent())
  }

  async function expectNoHorizontalScroll(): Promise<void> {
    const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth])
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    // eslint-disable-next-line no-console
    console.log(`device page screenshots: ${ARTIFACTS}`)
    playground = await startPlayground({ apiKey: API_KEY, port: 0 })
    profileDir = mkdtempSync(path.join(os.tmpdir(), "device-page-e2e-"))
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: LOCALE,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    })
    page = context.pages()[0] ?? (await context.newPage())
    page.on("pageerror", (error) => pageErrors.push(error.message))
    // The page must be self-contained: nothing may leave the (local) playground.
    const playgroundHost = new URL(playground.url).hostname
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url())
      if (url.hostname === playgroundHost || url.protocol === "data:") return route.continue()
      pageErrors.push(`external request: ${url.href}`)
      return route.abort()
    })
  })

  afterAll(async () => {
    await context?.close()
    await playground?.stop()
    if (profileDir) rmSync(profileDir, { recursive: true, force: true })
  })

  afterEach(() => {
    expect(pageErrors).toEqual([])
  })

  it("registers with an enrollment code typed in lower case with a dash", async () => {
    const enrollment = await api("POST", "/ipp/v1/enrollments", { metadata: { till: "1" } })
    expect(enrollment.status).toBe(201)
    const code: string = enrollment.body.enrollment_code

    await page.goto(playground.devicePageUrl)
    await waitForScreen("register")
    await shot("register")

    // A wrong code first: the problem's field error is shown.
    await page.getByTestId("code-input").fill("ABCD2345")
    await page.getByTestId("register-button").click()
    await page.getByTestId("register-error").waitFor({ state: "visible" })
    expect(await text("register-error")).toMatch(/not a known enrollment code/i)
    await shot("register-unknown-code")

    await page.getByTestId("code-input").fill(`${code.slice(0, 4).toLowerCase()}-${code.slice(4).toLowerCase()}`)
    expect(await page.getByTestId("code-input").inputValue()).toBe(code)
    await page.getByTestId("name-input").fill("Till 1")
    await page.getByTestId("platform-IOS").check({ force: true })
    await page.getByTestId("register-button").click()

    await waitForScreen("idle")
    await page.waitForSelector('[data-testid="connection"][data-state="live"]')
    expect(await text("device-name")).toBe("Till 1")
    expect(await text("status")).toMatch(/waiting/i)
    await shot("idle")

    const token = await page.evaluate(() => localStorage.getItem("kustom-ipp-device-token"))
    expect(token).toBeTruthy()
    const devices = await api("GET", "/ipp/v1/devices")
    const device = devices.body.content.find((d: Json) => d.name === "Till 1")
    expect(device).toMatchObject({ platform: "IOS", metadata: { till: "1" } })
    expect(device.hardware_id).toEqual(await page.evaluate(() => localStorage.getItem("kustom-ipp-hardware-id")))
    registeredDeviceId = device.id

    // The code is single use.
    const reused = await fetch(`${playground.url}/ipp/v1/devices/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enrollment_code: code, name: "Again", platform: "ANDROID", hardware_id: "x" }),
    })
    expect(reused.status).toBe(400)
    expect((await reused.json()).errors.enrollment_code).toBeTruthy()
  })

  it("shows a pushed session without a reload and pays it", async () => {
    await page.evaluate(() => ((window as any).__noReload = true))
    const session = await createSession(registeredDeviceId)

    await waitForScreen("session")
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true)
    expect(await text("session-total")).toBe(normalize(money(25000, "SEK")))
    expect(normalize(money(25000, "SEK"))).toBe("250,00 kr")
    expect(await text("session-tax")).toContain(normalize(money(5000, "SEK")))
    expect(await page.getByTestId("session-item").count()).toBe(2)
    const items = normalize(await page.getByTestId("session-items").textContent())
    expect(items).toContain("Stoneware mug")
    expect(items).toContain(`2 × ${normalize(money(5000, "SEK"))}`)
    expect(items).toContain(normalize(money(10000, "SEK")))
    expect(await text("session-reference")).toContain("order_e2e_1")
    await shot("session")

    await page.getByTestId("pay-button").click()
    await page.waitForSelector('[data-testid="result"][data-result="paid"]')
    expect(await text("result")).toContain("Paid")
    expect(await text("result-amount")).toBe("250,00 kr")
    await shot("paid")

    const paid = await getSession(session.session_id)
    expect(paid.status).toBe("FINALIZED")
    expect(paid.order_id).toBeTruthy()

    await page.getByTestId("done-button").click()
    await waitForScreen("idle")
    expect(await text("last-payment")).toContain("250,00 kr")
  })

  it("declines with a reason, keeps the session open, then cancels it", async () => {
    const session = await createSession(registeredDeviceId, { merchant_reference1: "order_e2e_2" })
    await waitForScreen("session")
    expect(await text("session-reference")).toContain("order_e2e_2")

    await page.getByTestId("decline-button").click()
    await page.getByTestId("decline-reason-INSUFFICIENT_FUNDS").waitFor({ state: "visible" })
    await shot("decline-reasons")
    for (const outcome of ["DECLINED_GENERIC", "LOST_CARD", "STOLEN_CARD", "EXPIRED_CARD", "INCORRECT_CVC", "PROCESSING_ERROR", "INCORRECT_NUMBER", "CARD_VELOCITY_EXCEEDED"]) {
      expect(await page.getByTestId(`decline-reason-${outcome}`).isVisible()).toBe(true)
    }
    await page.getByTestId("decline-reason-INSUFFICIENT_FUNDS").click()

    await page.waitForSelector('[data-testid="result"][data-result="declined"]')
    expect(await text("result")).toContain("Declined")
    expect(await text("result-detail")).toBe("Insufficient funds")
    expect(await text("status")).toContain("Insufficient funds")
    await shot("declined")

    const declined = await getSession(session.session_id)
    expect(declined.status).toBe("ACTIVE")

    await page.getByTestId("try-again-button").click()
    await waitForScreen("session")
    expect(await text("session-error")).toContain("Insufficient funds")
    await shot("session-after-decline")

    await page.getByTestId("cancel-button").click()
    await page.waitForSelector('[data-testid="result"][data-result="cancelled"]')
    expect(await text("result")).toContain("Cancelled")
    await shot("cancelled")
    expect((await getSession(session.session_id)).status).toBe("CANCELLED")

    // A new session replaces the result by itself.
    const next = await createSession(registeredDeviceId, { merchant_reference1: "order_e2e_3" })
    await waitForScreen("session")
    expect(await text("session-reference")).toContain("order_e2e_3")
    // Cancelled by the store: the device shows it.
    expect((await api("PUT", `/ipp/v1/sessions/${next.session_id}/cancel`)).status).toBe(200)
    await page.waitForSelector('[data-testid="result"][data-result="cancelled"]')
    expect(await text("result-detail")).toMatch(/store/i)
  })

  it("fits a 375×667 screen without horizontal scrolling", async () => {
    await page.setViewportSize(SMALL_PHONE)
    await page.getByTestId("done-button").click()
    await waitForScreen("idle")
    await expectNoHorizontalScroll()
    await createSession(registeredDeviceId, { merchant_reference1: "order_e2e_small" })
    await waitForScreen("session")
    await expectNoHorizontalScroll()
    // The pay button stays reachable on a small screen.
    const pay = await page.getByTestId("pay-button").boundingBox()
    expect(pay).not.toBeNull()
    expect(pay!.y + pay!.height).toBeLessThanOrEqual(SMALL_PHONE.height)
    expect(pay!.height).toBeGreaterThanOrEqual(44)
    await shot("session-375x667")
    await page.getByTestId("pay-button").click()
    await page.waitForSelector('[data-testid="result"][data-result="paid"]')
    await expectNoHorizontalScroll()
    await page.setViewportSize(PHONE)
  })

  it("goes back to register when the store removes the device", async () => {
    expect((await api("DELETE", `/ipp/v1/devices/${registeredDeviceId}`)).status).toBe(204)
    await waitForScreen("register", 30000)
    expect(await text("register-notice")).toMatch(/removed|no longer registered/i)
    expect(await page.evaluate(() => localStorage.getItem("kustom-ipp-device-token"))).toBeNull()
    await shot("device-removed")
  })

  it("takes over a simulated device with ?device=<id> and formats other currencies", async () => {
    const created = await api("POST", "/ipp/v1/dev/devices", { name: "Simulated till" })
    expect(created.status).toBe(201)
    const deviceId: string = created.body.id

    await page.goto(`${playground.devicePageUrl}?device=${encodeURIComponent(deviceId)}`)
    await waitForScreen("idle")
    expect(await text("device-name")).toBe("Simulated till")
    expect(page.url()).not.toContain("device=")
    await page.waitForSelector('[data-testid="connection"][data-state="live"]')
    await shot("simulated-idle")

    // KWD has three decimals: 12.345 KWD is 12345 minor units.
    const kwd = await createSession(deviceId, {
      purchase_currency: "KWD",
      order_amount: 12345,
      order_tax_amount: 0,
      merchant_reference1: "order_kwd",
      order_items: [{ type: "physical", name: "Dates", quantity: 1, unit_price: 12345, total_amount: 12345, total_discount_amount: 0, tax_rate: 0, total_tax_amount: 0 }],
    })
    await waitForScreen("session")
    expect(await text("session-total")).toBe(normalize(money(12345, "KWD")))
    expect(await text("session-total")).toContain("12,345")
    await shot("simulated-session-kwd")
    await page.getByTestId("cancel-button").click()
    await page.waitForSelector('[data-testid="result"][data-result="cancelled"]')
    expect((await getSession(kwd.session_id)).status).toBe("CANCELLED")

    // JPY has none: 1500 minor units are 1 500 yen. 3 × 500 at 10 % tax (136 included).
    const jpy = await createSession(deviceId, {
      purchase_currency: "JPY",
      order_amount: 1500,
      order_tax_amount: 136,
      merchant_reference1: "order_jpy",
      order_items: [{ type: "physical", name: "Onigiri", quantity: 3, unit_price: 500, total_amount: 1500, total_discount_amount: 0, tax_rate: 1000, total_tax_amount: 136 }],
    })
    await waitForScreen("session")
    expect(await text("session-total")).toBe(normalize(money(1500, "JPY")))
    expect(await text("session-total")).toMatch(/1 500/)
    await page.getByTestId("pay-button").click()
    await page.waitForSelector('[data-testid="result"][data-result="paid"]')
    expect((await getSession(jpy.session_id)).status).toBe("FINALIZED")

    // A session that runs out of time shows as expired.
    const late = await createSession(deviceId, { merchant_reference1: "order_late" })
    await waitForScreen("session")
    expect(await text("session-reference")).toContain("order_late")
    expect((await api("POST", `/_playground/sessions/${late.session_id}/expire`)).status).toBeLessThan(300)
    await page.waitForSelector('[data-testid="result"][data-result="expired"]')
    expect(await text("result")).toContain("Expired")
    await shot("expired")
  })

  it("lists simulated devices after forgetting the device", async () => {
    await page.getByTestId("done-button").click()
    await waitForScreen("idle")
    await page.getByTestId("forget-button").click()
    await waitForScreen("register")
    expect(await page.evaluate(() => localStorage.getItem("kustom-ipp-device-token"))).toBeNull()

    await page.getByTestId("simulated-toggle").click()
    const list = page.getByTestId("simulated-device-list")
    await list.getByRole("button", { name: /Simulated till/ }).waitFor()
    await shot("simulated-list")
    await list.getByRole("button", { name: /Simulated till/ }).click()
    await waitForScreen("idle")
    expect(await text("device-name")).toBe("Simulated till")
    expect(await visibleScreen()).toBe("idle")
  })

  it("reconnects by itself after the playground restarts and catches up", async () => {
    const stateFile = path.join(profileDir, "playground-state.json")
    let restartable = await startPlayground({ apiKey: API_KEY, port: 0, stateFile })
    const second = await context.newPage()
    second.on("pageerror", (error) => pageErrors.push(error.message))
    try {
      const created = await fetch(`${restartable.url}/ipp/v1/dev/devices`, {
        method: "POST",
        headers: { authorization: `Basic ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Restart till" }),
      })
      const deviceId: string = (await created.json()).id
      await second.goto(`${restartable.devicePageUrl}?device=${deviceId}`)
      await second.waitForSelector('[data-testid="connection"][data-state="live"]')

      const port = restartable.port
      await restartable.stop()
      await second.waitForSelector('[data-testid="connection"][data-state="reconnecting"]', { timeout: 10000 })
      expect(normalize(await second.getByTestId("status").textContent())).toMatch(/reconnecting/i)

      restartable = await startPlayground({ apiKey: API_KEY, port, stateFile })
      // A session created while the page may still be waiting to reconnect: it shows up anyway.
      const session = await fetch(`${restartable.url}/ipp/v1/sessions`, {
        method: "POST",
        headers: { authorization: `Basic ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({
          device_id: deviceId,
          order_amount: 1999,
          order_tax_amount: 0,
          purchase_currency: "EUR",
          order_items: [{ type: "physical", name: "Postcard", quantity: 1, unit_price: 1999, total_amount: 1999, total_discount_amount: 0, tax_rate: 0, total_tax_amount: 0 }],
        }),
      })
      expect(session.status).toBe(200)
      await second.waitForSelector('[data-screen="session"]:not([hidden])', { timeout: 30000 })
      await second.waitForSelector('[data-testid="connection"][data-state="live"]')
      expect(normalize(await second.getByTestId("session-total").textContent())).toBe(normalize(money(1999, "EUR")))
    } finally {
      await second.close()
      await restartable.stop()
    }
  })
})
