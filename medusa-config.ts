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

/**
 * With REDIS_URL, the store runs as it would with several instances: Medusa's Redis event bus,
 * workflow engine and locking, shared by every instance on the same database.
 */
const redisModules = env.REDIS_URL
  ? [
      { resolve: "@medusajs/medusa/event-bus-redis", options: { redisUrl: env.REDIS_URL } },
      { resolve: "@medusajs/medusa/workflow-engine-redis", options: { redis: { redisUrl: env.REDIS_URL } } },
      {
        resolve: "@medusajs/medusa/locking",
        options: {
          providers: [
            { resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true, options: { redisUrl: env.REDIS_URL } },
          ],
        },
      },
    ]
  : []

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    workerMode: (env.MEDUSA_WORKER_MODE as "shared" | "worker" | "server" | undefined) ?? "shared",
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
    ...redisModules,
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
