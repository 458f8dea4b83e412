/**
 * Every `/admin/kustom-ipp/…` route — found by walking `src/api/admin/kustom-ipp`, so a new
 * route is covered without touching this test — refuses callers who are not an admin user:
 * no credentials, a storefront's publishable key, and a logged-in customer.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative, sep } from "node:path"
import { seedStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { usePlayground } from "../helpers/playground"

jest.setTimeout(180_000)

const API_ROOT = join(__dirname, "..", "..", "src", "api")

function adminRoutes(): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry)
      if (statSync(full).isDirectory()) walk(full)
      else if (entry === "route.ts") {
        const path = `/${relative(API_ROOT, dir).split(sep).join("/")}`.replace(/\[([^\]]+)\]/g, "some_$1")
        for (const [, method] of readFileSync(full, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) {
          routes.push({ method, path })
        }
      }
    }
  }
  walk(join(API_ROOT, "admin", "kustom-ipp"))
  return routes
}

usePlayground()

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    it("refuses anonymous, storefront and customer callers on every admin route of the plugin", async () => {
      const routes = adminRoutes()
      expect(routes.length).toBeGreaterThanOrEqual(15)

      const store = await seedStore(getContainer())
      const email = "shopper@example.com"
      const password = "a-customer-password"
      const { data: registered } = await api.post("/auth/customer/emailpass/register", { email, password })
      await api.post("/store/customers", { email }, { headers: { authorization: `Bearer ${registered.token}`, "x-publishable-api-key": store.publishableKey } })
      const { data: login } = await api.post("/auth/customer/emailpass", { email, password })

      const callers: Record<string, Record<string, string>> = {
        anonymous: {},
        storefront: { "x-publishable-api-key": store.publishableKey },
        customer: { authorization: `Bearer ${login.token}`, "x-publishable-api-key": store.publishableKey },
      }
      const answers: string[] = []
      for (const [caller, headers] of Object.entries(callers)) {
        for (const route of routes) {
          const response = await api.request({
            method: route.method,
            url: route.path,
            headers,
            data: route.method === "GET" || route.method === "DELETE" ? undefined : {},
            validateStatus: () => true,
          })
          answers.push(`${caller} ${route.method} ${route.path} → ${response.status}`)
        }
      }
      expect(answers.filter((answer) => !answer.endsWith("→ 401"))).toEqual([])
    })

    it("answers 400, not 500, to an id in the address that cannot be text, on every route of the plugin and every guarded route that takes one", async () => {
      const store = await seedStore(getContainer())
      const admin = (await createAdminHeaders(getContainer())).headers
      // Control characters everywhere. Percent-encoding that is not UTF-8 on the store route only:
      // Medusa's own `/admin*` middleware fails to decode it (500) before any plugin code runs.
      const controls = ["%00", "a%0Ab"]
      const routes = [
        ...adminRoutes().map((route) => ({ ...route, headers: admin, ids: controls })),
        { method: "GET", path: "/store/kustom-ipp/carts/some_id/payment", headers: { "x-publishable-api-key": store.publishableKey }, ids: [...controls, "%C3%28", "%ED%A0%80"] },
        // Medusa's routes whose guards look the id up before Medusa does.
        ...(
          [
            ["/store/carts/some_id", {}],
            ["/store/carts/some_id/line-items", { variant_id: "variant_1", quantity: 1 }],
            ["/store/carts/some_id/complete", {}],
            ["/store/payment-collections/some_id/payment-sessions", { provider_id: "pp_pay-in-store_kustom" }],
          ] as const
        ).map(([path, body]) => ({ method: "POST", path, body, headers: { "x-publishable-api-key": store.publishableKey }, ids: controls })),
        { method: "POST", path: "/admin/draft-orders/some_id", headers: admin, ids: controls },
      ].filter((route) => route.path.includes("some_"))
      expect(routes.length).toBeGreaterThanOrEqual(8)
      const answers: string[] = []
      for (const route of routes) {
        for (const id of route.ids) {
          const response = await api.request({
            method: route.method,
            url: route.path.replace(/some_[a-z_]+/, id),
            headers: route.headers,
            data: route.method === "GET" || route.method === "DELETE" ? undefined : ("body" in route ? route.body : {}),
            validateStatus: () => true,
          })
          answers.push(`${route.method} ${route.path} with ${id} → ${response.status} ${response.data?.type}: ${response.data?.message}`)
        }
      }
      expect(answers.filter((answer) => !/→ 400 invalid_data: The address is not valid: /.test(answer))).toEqual([])
      // A well-formed id that names nothing is still looked up: 404.
      const unknown = await api.get("/store/kustom-ipp/carts/cart_missing/payment", { headers: { "x-publishable-api-key": store.publishableKey }, validateStatus: () => true })
      expect([unknown.status, unknown.data.message]).toEqual([404, "Cart cart_missing was not found"])
    })
  },
})
