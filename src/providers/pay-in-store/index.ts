import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import KustomIppPaymentProviderService from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [KustomIppPaymentProviderService],
})
