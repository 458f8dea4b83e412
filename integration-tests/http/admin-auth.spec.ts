/**
 * Every `/admin/kustom-ipp/…` route — found by walking `src/api/admin/kustom-ipp`, so a new
 * route is covered without touching this test — refuses callers who are not an admin user:
 * no credentials, a storefront's publishable key, and a logged-in customer.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative, sep } from "node:path"
import { seedStore } from "../../scripts/lib/seed-store"
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
  },
})
