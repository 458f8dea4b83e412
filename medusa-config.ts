/**
 * The development store: loads this plugin from source (its `src/` is the store's own `src/`,
 * and the provider is resolved by path), for the tests and the demo. A real store installs the
 * published package instead — see the README.
 */
import { defineConfig, loadEnv } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

const env = process.env

function list(value: string | undefined): string[] | undefined {
  const items = value?.split(",").map((item) => item.trim()).filter(Boolean)
  return items?.length ? items : undefined
}

/** One options object for the plugin's module and its payment provider, as a store passes it. */
const kustomIpp = {
  apiKey: env.KUSTOM_IPP_API_KEY,
  environment: env.KUSTOM_IPP_ENVIRONMENT ?? "playground",
  baseUrl: env.KUSTOM_IPP_BASE_URL,
  merchantId: env.KUSTOM_IPP_MERCHANT_ID,
  webhookSecrets: list(env.KUSTOM_IPP_WEBHOOK_SECRET),
  locationId: env.KUSTOM_IPP_LOCATION_ID,
  defaultDeviceId: env.KUSTOM_IPP_DEFAULT_DEVICE_ID,
  capture: env.KUSTOM_IPP_CAPTURE !== "false",
  timeoutMs: env.KUSTOM_IPP_TIMEOUT_MS ? Number(env.KUSTOM_IPP_TIMEOUT_MS) : undefined,
}

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: env.DATABASE_URL,
    http: {
      storeCors: env.STORE_CORS ?? "http://localhost:8000",
      adminCors: env.ADMIN_CORS ?? "http://localhost:9000",
      authCors: env.AUTH_CORS ?? "http://localhost:9000,http://localhost:8000",
      jwtSecret: env.JWT_SECRET ?? "supersecret",
      cookieSecret: env.COOKIE_SECRET ?? "supersecret",
    },
  },
  admin: {
    disable: env.MEDUSA_ADMIN_DISABLED === "true",
  },
  modules: [
    // In a store this module comes with `plugins: [{ resolve: "medusa-plugin-kustom-ipp", options }]`.
    { resolve: "./src/modules/kustom-ipp", options: kustomIpp },
    {
      resolve: "@medusajs/medusa/payment",
      options: {
        providers: [{ resolve: "./src/providers/pay-in-store", id: "kustom", options: kustomIpp }],
      },
    },
  ],
})
