import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import { KUSTOM_IPP_MODULE, type KustomIppModuleService } from "../../src/modules/kustom-ipp"
import { usePlayground } from "../helpers/playground"

jest.setTimeout(120_000)

usePlayground()

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    it("boots the development store with the plugin loaded", async () => {
      const health = await api.get("/health")
      expect(health.status).toBe(200)

      const payments = getContainer().resolve(Modules.PAYMENT)
      const providers = await payments.listPaymentProviders({ id: "pp_pay-in-store_kustom" })
      expect(providers).toEqual([expect.objectContaining({ id: "pp_pay-in-store_kustom", is_enabled: true })])

      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      expect(kustomIpp.options.baseUrl).toBe(process.env.KUSTOM_IPP_BASE_URL)
    })

    it("serves the callback route and refuses an unsigned callback", async () => {
      const response = await api.post("/hooks/kustom-ipp", { type: "ipp.session.finalized" }, { validateStatus: () => true })
      expect(response.status).toBe(401)
      expect(response.data).toEqual({ type: "unauthorized", message: "Invalid callback signature" })
    })
  },
})
