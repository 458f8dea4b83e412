/**
 * Property: for any cart Medusa can total — currencies with 0, 2 and 3 decimals, prices with
 * or without tax, several tax lines, discounts, shipping — the session the plugin sends adds up
 * by Kustom's rules, its order_amount is the Medusa total, and the playground (which validates
 * like Kustom) accepts it. Medusa's own `decorateCartTotals` computes the totals.
 */
import fc from "fast-check"
import { decorateCartTotals } from "@medusajs/framework/utils"
import { startPlayground, type PlaygroundHandle } from "kustom-ipp-playground"
import { KustomIppApiError, KustomIppClient } from "../../kustom-ipp"
import { currencyExponent, mapSaleToKustomOrder, toMinorUnits, type Sale } from "../index"
import { arithmeticProblems } from "./kustom-arithmetic"

jest.setTimeout(120_000)

const API_KEY = "kco_test_api_property"
const CURRENCIES = ["JPY", "SEK", "EUR", "KWD"] as const
const TAX_RATES = [0, 6, 10, 12, 12.5, 20, 25, 8.875]

type LineSpec = { unitMinor: number; extraDigits: number; quantity: number; rates: number[]; discountShare: number }

const lineSpec = (maxQuantity: number): fc.Arbitrary<LineSpec> =>
  fc.record({
    unitMinor: fc.integer({ min: 1, max: 2_000_000 }),
    // Some prices carry more decimals than the currency, as computed prices can.
    extraDigits: fc.constantFrom(0, 0, 0, 1, 2),
    quantity: fc.integer({ min: 1, max: maxQuantity }),
    rates: fc.uniqueArray(fc.constantFrom(...TAX_RATES), { minLength: 0, maxLength: 2 }),
    // Share of the line taken off by a promotion; 0 most of the time.
    discountShare: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 0.9, noNaN: true })),
  })

const cartSpec = fc.record({
  currency: fc.constantFrom(...CURRENCIES),
  taxInclusive: fc.boolean(),
  items: fc.array(lineSpec(20), { minLength: 1, maxLength: 6 }),
  shipping: fc.array(lineSpec(1), { minLength: 0, maxLength: 2 }),
})

type CartSpec = typeof cartSpec extends fc.Arbitrary<infer T> ? T : never

/** A Medusa amount (major units) from integer minor units, with optional extra decimals. */
function amountOf(minor: number, extraDigits: number, currency: string): string {
  const digits = currencyExponent(currency) + extraDigits
  const padded = String(minor).padStart(digits + 1, "0")
  return digits ? `${padded.slice(0, -digits)}.${padded.slice(-digits)}` : padded
}

function buildCart(spec: CartSpec) {
  const line = (l: LineSpec, index: number, prefix: string) => {
    const unitPrice = amountOf(l.unitMinor, l.extraDigits, spec.currency)
    const discountMinor = Math.floor(l.unitMinor * l.quantity * l.discountShare)
    return {
      id: `${prefix}_${index}`,
      quantity: l.quantity,
      is_tax_inclusive: spec.taxInclusive,
      tax_lines: l.rates.map((rate, i) => ({ rate, code: `T${i}` })),
      adjustments: discountMinor ? [{ amount: amountOf(discountMinor, l.extraDigits, spec.currency), is_tax_inclusive: spec.taxInclusive }] : [],
      unitPrice,
    }
  }
  return {
    currency_code: spec.currency.toLowerCase(),
    items: spec.items.map((l, i) => {
      const { unitPrice, ...rest } = line(l, i, "item")
      return { ...rest, title: `Item ${i}`, unit_price: unitPrice }
    }),
    shipping_methods: spec.shipping.map((l, i) => {
      const { unitPrice, quantity: _quantity, ...rest } = line(l, i, "ship")
      return { ...rest, name: `Shipping ${i}`, amount: unitPrice }
    }),
  }
}

describe("cart → Kustom session mapping (property)", () => {
  let playground: PlaygroundHandle
  let client: KustomIppClient
  let deviceId: string

  beforeAll(async () => {
    playground = await startPlayground({ apiKey: API_KEY, port: 0 })
    client = new KustomIppClient({ apiKey: API_KEY, baseUrl: playground.url })
    deviceId = (await client.playground.createDevice({ name: "Property" })).id
  })

  afterAll(async () => {
    await playground?.stop()
  })

  it("always adds up, equals the Medusa total, and is accepted by the playground", async () => {
    await fc.assert(
      fc.asyncProperty(cartSpec, async (spec) => {
        const sale = decorateCartTotals(buildCart(spec) as never) as unknown as Sale
        const order = mapSaleToKustomOrder(sale)

        expect(order.order_amount).toBe(toMinorUnits(sale.total, spec.currency))
        expect(arithmeticProblems(order)).toEqual([])
        const rounding = order.order_items.filter((l) => l.reference === "rounding")
        expect(rounding.length).toBeLessThanOrEqual(1)
        // Only what rounding leaves: at most a few minor units per line.
        for (const l of rounding) expect(Math.abs(l.total_amount)).toBeLessThanOrEqual(order.order_items.length)

        fc.pre(order.order_amount > 0)
        try {
          const session = await client.sessions.create({
            device_id: deviceId,
            ...order,
            purchase_started_at: new Date().toISOString(),
            merchant_reference1: "property",
          })
          expect(session.order_amount).toBe(order.order_amount)
          await client.sessions.cancel(session.session_id)
        } catch (error) {
          if (error instanceof KustomIppApiError) {
            throw new Error(`The playground rejected the session: ${error.message} ${JSON.stringify(error.fieldErrors)}`)
          }
          throw error
        }
      }),
      { numRuns: 300 }
    )
  })
})
