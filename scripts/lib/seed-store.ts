/**
 * A small in-store shop, created through Medusa's own workflows: a region with "Pay in store",
 * taxes, a sales channel, a stock location with store pick-up, products with prices and a
 * publishable key. Used by the integration tests and the demo.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, ProductStatus } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  createTaxRegionsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
} from "@medusajs/medusa/core-flows"

export const PAY_IN_STORE_PROVIDER_ID = "pp_pay-in-store_kustom"

export type SeedStoreOptions = {
  currencyCode?: string
  countryCode?: string
  taxRate?: number
  /** Whether prices are entered with tax included. */
  taxInclusive?: boolean
  /** Prices of the two products and of pick-up, in major units. */
  prices?: { mug: number; tee: number; shipping: number }
  name?: string
}

export type SeededStore = {
  regionId: string
  salesChannelId: string
  stockLocationId: string
  shippingOptionId: string
  publishableKey: string
  currencyCode: string
  countryCode: string
  variants: { mug: string; tee: string }
}

export async function seedStore(container: MedusaContainer, options: SeedStoreOptions = {}): Promise<SeededStore> {
  const currencyCode = (options.currencyCode ?? "sek").toLowerCase()
  const countryCode = (options.countryCode ?? "se").toLowerCase()
  const taxRate = options.taxRate ?? 25
  const prices = options.prices ?? { mug: 125, tee: 249, shipping: 10 }
  const name = options.name ?? "Kustom Corner Shop"
  const link = container.resolve(ContainerRegistrationKeys.LINK)
  const fulfillment = container.resolve(Modules.FULFILLMENT)

  const {
    result: [salesChannel],
  } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name, description: "Sales at the counter" }] },
  })

  const {
    result: [region],
  } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: `${name} (${countryCode.toUpperCase()})`,
          currency_code: currencyCode,
          countries: [countryCode],
          payment_providers: [PAY_IN_STORE_PROVIDER_ID],
          automatic_taxes: true,
          is_tax_inclusive: options.taxInclusive ?? false,
        },
      ],
    },
  })

  await createTaxRegionsWorkflow(container).run({
    input: [
      {
        country_code: countryCode,
        provider_id: "tp_system",
        default_tax_rate: { rate: taxRate, name: "VAT", code: "VAT" },
      },
    ],
  })

  const {
    result: [stockLocation],
  } = await createStockLocationsWorkflow(container).run({
    input: { locations: [{ name: `${name} counter`, address: { city: "Stockholm", country_code: countryCode, address_1: "Storgatan 1" } }] },
  })
  await linkSalesChannelsToStockLocationWorkflow(container).run({
    input: { id: stockLocation.id, add: [salesChannel.id] },
  })
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: stockLocation.id },
    [Modules.FULFILLMENT]: { fulfillment_provider_id: "manual_manual" },
  })

  const {
    result: [shippingProfile],
  } = await createShippingProfilesWorkflow(container).run({
    input: { data: [{ name: `${name} goods`, type: "default" }] },
  })
  const fulfillmentSet = await fulfillment.createFulfillmentSets({
    name: `${name} pick-up`,
    type: "pickup",
    service_zones: [{ name: `${name}: at the counter`, geo_zones: [{ type: "country", country_code: countryCode }] }],
  })
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: stockLocation.id },
    [Modules.FULFILLMENT]: { fulfillment_set_id: fulfillmentSet.id },
  })
  const {
    result: [shippingOption],
  } = await createShippingOptionsWorkflow(container).run({
    input: [
      {
        name: "Pick up at the counter",
        price_type: "flat",
        provider_id: "manual_manual",
        service_zone_id: fulfillmentSet.service_zones[0].id,
        shipping_profile_id: shippingProfile.id,
        type: { label: "Pick-up", description: "Take it with you", code: "pick-up" },
        prices: [
          { currency_code: currencyCode, amount: prices.shipping },
          { region_id: region.id, amount: prices.shipping },
        ],
        rules: [
          { attribute: "enabled_in_store", value: "true", operator: "eq" },
          { attribute: "is_return", value: "false", operator: "eq" },
        ],
      },
    ],
  })

  const {
    result: [apiKey],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: `${name} POS`, type: "publishable", created_by: "" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: apiKey.id, add: [salesChannel.id] } })

  const { result: products } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: "Kustom Mug",
          handle: `mug-${salesChannel.id.slice(-6).toLowerCase()}`,
          status: ProductStatus.PUBLISHED,
          shipping_profile_id: shippingProfile.id,
          options: [{ title: "Colour", values: ["Black"] }],
          variants: [
            {
              title: "Black",
              sku: `MUG-BLACK-${salesChannel.id.slice(-6)}`,
              options: { Colour: "Black" },
              manage_inventory: false,
              prices: [{ amount: prices.mug, currency_code: currencyCode }],
            },
          ],
          sales_channels: [{ id: salesChannel.id }],
        },
        {
          title: "Kustom T-shirt",
          handle: `tee-${salesChannel.id.slice(-6).toLowerCase()}`,
          status: ProductStatus.PUBLISHED,
          shipping_profile_id: shippingProfile.id,
          options: [{ title: "Size", values: ["M"] }],
          variants: [
            {
              title: "M",
              sku: `TEE-M-${salesChannel.id.slice(-6)}`,
              options: { Size: "M" },
              manage_inventory: false,
              prices: [{ amount: prices.tee, currency_code: currencyCode }],
            },
          ],
          sales_channels: [{ id: salesChannel.id }],
        },
      ],
    },
  })

  return {
    regionId: region.id,
    salesChannelId: salesChannel.id,
    stockLocationId: stockLocation.id,
    shippingOptionId: shippingOption.id,
    publishableKey: apiKey.token,
    currencyCode,
    countryCode,
    variants: { mug: products[0].variants[0].id, tee: products[1].variants[0].id },
  }
}
