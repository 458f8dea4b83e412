import { decorateCartTotals } from "@medusajs/framework/utils"
import { currencyExponent, exactMinorUnits, formatMinorUnits, kustomTaxOf, mapSaleToKustomOrder, toMinorUnits, type Sale } from "../index"
import { arithmeticProblems } from "./kustom-arithmetic"

/** Medusa's own totals computation, as carts and orders get it. */
function withTotals(cart: Record<string, unknown>): Sale {
  return decorateCartTotals(cart as never) as unknown as Sale
}

describe("minor units", () => {
  it.each([
    ["JPY", 0, 1234, 1234],
    ["SEK", 2, 12.5, 1250],
    ["EUR", 2, 0.1 + 0.2, 30],
    ["KWD", 3, 1.2345, 1235],
    ["eur", 2, 10.005, 1001],
  ])("%s has exponent %d and %p is %d minor units", (currency, exponent, amount, minor) => {
    expect(currencyExponent(currency)).toBe(exponent)
    expect(toMinorUnits(amount, currency)).toBe(minor)
  })

  it.each([
    ["SEK", 12.5, 1250],
    ["SEK", "0.01", 1],
    ["SEK", { value: "792.5", precision: 20 }, 79250],
    ["SEK", 0.005, null],
    ["JPY", 1000, 1000],
    ["JPY", 9125.6, null],
    ["KWD", 14.278, 14278],
    ["KWD", 14.2779, null],
  ])("in %s, %p is exactly %p minor units (null: a fraction of one)", (currency, amount, minor) => {
    expect(exactMinorUnits(amount as never, currency)).toBe(minor)
  })

  it.each([
    [12500, "sek", "125.00 SEK"],
    [5, "SEK", "0.05 SEK"],
    [0, "EUR", "0.00 EUR"],
    [-1050, "EUR", "-10.50 EUR"],
    [1500, "JPY", "1500 JPY"],
    [12345, "KWD", "12.345 KWD"],
    [7, "KWD", "0.007 KWD"],
    [9_007_199_254_740_991, "EUR", "90071992547409.91 EUR"],
  ])("writes %d minor units of %s as %p, exactly", (minor, currency, text) => {
    expect(formatMinorUnits(minor, currency)).toBe(text)
  })

  it("rejects a currency it cannot place", () => {
    expect(() => currencyExponent("XYZW")).toThrow(/Unknown currency "XYZW"/)
  })
})

describe("Kustom's tax rule", () => {
  it("takes the tax contained in a tax-inclusive amount", () => {
    expect(kustomTaxOf(25_000, 2_500)).toBe(5_000)
    expect(kustomTaxOf(1_000, 0)).toBe(0)
    expect(kustomTaxOf(-2_500, 2_500)).toBe(-500)
  })
})

describe("mapSaleToKustomOrder", () => {
  it("maps a tax-exclusive SEK cart with a discount and shipping exactly", () => {
    const sale = withTotals({
      currency_code: "sek",
      items: [
        {
          id: "item_1",
          product_title: "Mug",
          variant_sku: "MUG-1",
          quantity: 2,
          unit_price: 100,
          is_tax_inclusive: false,
          tax_lines: [{ rate: 25 }],
          adjustments: [{ amount: 20, is_tax_inclusive: false }],
        },
      ],
      shipping_methods: [
        { id: "sm_1", name: "Pick-up", amount: 10, is_tax_inclusive: false, tax_lines: [{ rate: 25 }] },
      ],
    })
    const order = mapSaleToKustomOrder(sale)
    expect(order).toEqual({
      purchase_currency: "SEK",
      order_amount: 23_750,
      order_tax_amount: 4_750,
      order_items: [
        {
          type: "physical",
          reference: "MUG-1",
          name: "Mug",
          quantity: 2,
          unit_price: 12_500,
          total_amount: 22_500,
          total_discount_amount: 2_500,
          tax_rate: 2_500,
          total_tax_amount: 4_500,
        },
        {
          type: "shipping_fee",
          reference: "sm_1",
          name: "Pick-up",
          quantity: 1,
          unit_price: 1_250,
          total_amount: 1_250,
          total_discount_amount: 0,
          tax_rate: 2_500,
          total_tax_amount: 250,
        },
      ],
    })
    expect(arithmeticProblems(order)).toEqual([])
  })

  it("keeps tax-inclusive JPY prices as they are", () => {
    const order = mapSaleToKustomOrder(
      withTotals({
        currency_code: "jpy",
        items: [{ id: "i", title: "Tea", quantity: 3, unit_price: 1100, is_tax_inclusive: true, tax_lines: [{ rate: 10 }] }],
      })
    )
    expect(order.order_amount).toBe(3300)
    expect(order.order_items[0]).toMatchObject({ unit_price: 1100, quantity: 3, total_amount: 3300, tax_rate: 1000, total_tax_amount: 300 })
    expect(arithmeticProblems(order)).toEqual([])
  })

  it("adds a rounding line only for what rounding leaves (KWD, three decimals)", () => {
    // 3 × 0.3333 KWD + 12.5 % tax: the exact gross unit price has more decimals than a fils.
    const sale = withTotals({
      currency_code: "kwd",
      items: [{ id: "i", title: "Sweet", quantity: 3, unit_price: 0.3333, is_tax_inclusive: false, tax_lines: [{ rate: 12.5 }] }],
    })
    const order = mapSaleToKustomOrder(sale)
    expect(order.order_amount).toBe(toMinorUnits(sale.total, "KWD"))
    const rounding = order.order_items.filter((line) => line.reference === "rounding")
    expect(rounding.length).toBeLessThanOrEqual(1)
    for (const line of rounding) expect(Math.abs(line.total_amount)).toBeLessThanOrEqual(3)
    expect(arithmeticProblems(order)).toEqual([])
  })

  it("turns store credit into a discount line", () => {
    const order = mapSaleToKustomOrder(
      withTotals({
        currency_code: "eur",
        credit_lines: [{ amount: 5 }],
        items: [{ id: "i", title: "Book", quantity: 1, unit_price: 20, is_tax_inclusive: true, tax_lines: [{ rate: 6 }] }],
      })
    )
    expect(order.order_amount).toBe(1_500)
    expect(order.order_items).toContainEqual(
      expect.objectContaining({ type: "discount", reference: "store-credit", total_amount: -500, total_tax_amount: 0 })
    )
    expect(arithmeticProblems(order)).toEqual([])
  })

  it("sends a fractional quantity as one exact line", () => {
    const order = mapSaleToKustomOrder(
      withTotals({
        currency_code: "eur",
        items: [{ id: "i", title: "Cheese", quantity: 1.5, unit_price: 10, is_tax_inclusive: true, tax_lines: [] }],
      })
    )
    expect(order.order_items[0]).toMatchObject({ name: "Cheese × 1.5", quantity: 1, unit_price: 1_500, total_amount: 1_500 })
  })

  it("marks items that need no shipping as digital and cleans control characters from names", () => {
    const order = mapSaleToKustomOrder(
      withTotals({
        currency_code: "eur",
        items: [{ id: "i", title: "Gift\ncard\u0007", requires_shipping: false, quantity: 1, unit_price: 10, tax_lines: [] }],
      })
    )
    expect(order.order_items[0]).toMatchObject({ type: "digital", name: "Gift card" })
  })
})
