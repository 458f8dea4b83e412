import Medusa from "@medusajs/js-sdk"

/** The admin's client for Medusa and the plugin's own admin routes (session cookie auth). */
export const sdk = new Medusa({
  baseUrl: import.meta.env.VITE_BACKEND_URL || "/",
  debug: import.meta.env.DEV,
  auth: { type: "session" },
})
