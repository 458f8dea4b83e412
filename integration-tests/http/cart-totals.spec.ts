import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { MathBN, Modules } from "@medusajs/framework/utils"
import type { BigNumberInput, ICartModuleService } from "@medusajs/framework/types"
import fc from "fast-check"
import { readCartWithTotals } from "../../src/lib/sales/cart-totals"
import { usePlayground } from "../helpers/playground"

jest.setTimeout(300_000)

usePlayground()

const taxLines = fc.array(fc.record({ code: fc.constantFrom("VAT", "CITY"), rate: fc.integer({ min: 0, max: 2500 }).map((r) => r / 100) }), { maxLength: 2 })
const adjustments = fc.array(fc.record({ code: fc.constantFrom("SPRING", "STAFF"), amount: fc.integer({ min: 1, max: 500 }) }), { maxLength: 2 })

// Amounts in minor units, turned into Medusa's major-unit values by the currency's exponent.
const cartArbitrary = fc.record({
  currency: fc.constantFrom({ code: "eur", exponent: 2 }, { code: "jpy", exponent: 0 }, { code: "kwd", exponent: 3 }),
  items: fc.array(
    fc.record({
      quantity: fc.integer({ min: 1, max: 5 }),
      unitPrice: fc.integer({ min: 1, max: 100_000 }),
      isTaxInclusive: fc.boolean(),
      taxLines,
      adjustments,
    }),
    { minLength: 1, maxLength: 4 }
  ),
  shipping: fc.array(fc.record({ amount: fc.integer({ min: 0, max: 5_000 }), isTaxInclusive: fc.boolean(), taxLines, adjustments }), { maxLength: 2 }),
  credit: fc.option(fc.integer({ min: 1, max: 1_000 }), { nil: null }),
})

const major = (minor: number, exponent: number) => MathBN.div(minor, 10 ** exponent).toString()
const withMajor = <T extends { amount: number }>(list: T[], exponent: number) => list.map((a) => ({ ...a, amount: major(a.amount, exponent) }))
const asString = (value: unknown) => MathBN.convert(value as BigNumberInput).toString()

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ getContainer }) => {
    it("reads the same totals as the cart module, for carts with taxes, adjustments, shipping and credit lines", async () => {
      const carts = getContainer().resolve<ICartModuleService>(Modules.CART)
      await fc.assert(
        fc.asyncProperty(cartArbitrary, async ({ currency, items, shipping, credit }) => {
          const e = currency.exponent
          const cart = await carts.createCarts({
            currency_code: currency.code,
            items: items.map((item, index) => ({
              title: `Item ${index}`,
              quantity: item.quantity,
              unit_price: major(item.unitPrice, e),
              is_tax_inclusive: item.isTaxInclusive,
              tax_lines: item.taxLines,
              adjustments: withMajor(item.adjustments, e),
            })),
          })
          for (const [index, method] of shipping.entries()) {
            await carts.addShippingMethods({
              cart_id: cart.id,
              name: `Shipping ${index}`,
              amount: major(method.amount, e),
              is_tax_inclusive: method.isTaxInclusive,
              tax_lines: method.taxLines,
              adjustments: withMajor(method.adjustments, e),
            } as never)
          }
          if (credit !== null) {
            await (carts as unknown as { createCreditLines: (data: object[]) => Promise<unknown> }).createCreditLines([
              { cart_id: cart.id, amount: major(credit, e), reference: "gift_card", reference_id: "gc_test" },
            ])
          }

          const [expected] = await carts.listCarts({ id: cart.id }, { select: ["id", "total", "credit_line_total", "items.total", "shipping_methods.total"] })
          const actual = await readCartWithTotals(carts, cart.id, ["id"])

          expect(actual).not.toBeNull()
          expect(asString(actual!.total)).toBe(asString(expected.total))
          expect(asString(actual!.credit_line_total)).toBe(asString(expected.credit_line_total))
          const byId = <T extends { id: string; total?: unknown }>(list: T[] | undefined) =>
            Object.fromEntries((list ?? []).map((row) => [row.id, asString(row.total)]))
          expect(byId(actual!.items)).toEqual(byId(expected.items))
          expect(byId(actual!.shipping_methods)).toEqual(byId(expected.shipping_methods))
          // The carts are not trivial: lines were read, and their totals are set.
          expect(actual!.items).toHaveLength(items.length)
          expect(actual!.shipping_methods).toHaveLength(shipping.length)
        }),
        { numRuns: 25 }
      )
    })

    it("answers null for a cart that does not exist", async () => {
      const carts = getContainer().resolve<ICartModuleService>(Modules.CART)
      expect(await readCartWithTotals(carts, "cart_missing", ["id"])).toBeNull()
    })
  },
})
