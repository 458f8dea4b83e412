/**
 * A store configured exactly as the README tells a store owner, loading the plugin as the built
 * package (`medusa-plugin-kustom-ipp`, resolved through its `exports`), not from source.
 */
import { defineConfig, loadEnv } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

const kustomIpp = {
  apiKey: process.env.KUSTOM_IPP_API_KEY,
  baseUrl: process.env.KUSTOM_IPP_BASE_URL,
  webhookSecrets: process.env.KUSTOM_IPP_WEBHOOK_SECRET?.split(","),
}

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: { jwtSecret: "supersecret", cookieSecret: "supersecret", storeCors: "", adminCors: "", authCors: "" },
  },
  admin: { disable: true },
  plugins: [{ resolve: "medusa-plugin-kustom-ipp", options: kustomIpp }],
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      options: {
        providers: [{ resolve: "medusa-plugin-kustom-ipp/providers/pay-in-store", id: "kustom", options: kustomIpp }],
      },
    },
  ],
})
