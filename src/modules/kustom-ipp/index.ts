import { Module } from "@medusajs/framework/utils"
import KustomIppModuleService from "./service"

export const KUSTOM_IPP_MODULE = "kustom_ipp"

export default Module(KUSTOM_IPP_MODULE, {
  service: KustomIppModuleService,
})

export { KustomIppModuleService }
