/**
 * Maps a Medusa sale (a cart or a draft order, with its computed totals) to the order lines of a
 * Kustom IPP session. The lines must pass Kustom's arithmetic exactly:
 *   - per line: unit_price * quantity - total_discount_amount == total_amount
 *   - the lines add up to order_amount, which equals the Medusa total in minor units
 *   - per line: total_tax_amount == total_amount - total_amount * 10000 / (10000 + tax_rate) (±1)
 * Kustom amounts include tax, so each line is built from Medusa's tax-inclusive totals
 * (`original_total` before discounts, `total` after), whether the prices were entered with or
 * without tax. Each line's total is Medusa's line total in minor units; only the difference
 * between those rounded line totals and the rounded order total goes to a "Rounding" line.
 */
import { MathBN } from "@medusajs/framework/utils"
import type { BigNumberInput } from "@medusajs/framework/types"
import { divideRounded, toMinorUnits } from "./minor-units"

export { currencyExponent, exactMinorUnits, formatMinorUnits, fromMinorUnits, toMinorUnits } from "./minor-units"

type TaxLine = { rate: BigNumberInput }

export type SaleLineItem = {
  id: string
  title?: string | null
  product_title?: string | null
  variant_title?: string | null
  variant_sku?: string | null
  quantity: BigNumberInput
  /** Tax-inclusive total before discounts, as Medusa computes it. */
  original_total: BigNumberInput
  /** Tax-inclusive total after discounts, as Medusa computes it. */
  total: BigNumberInput
  tax_lines?: TaxLine[] | null
  is_giftcard?: boolean | null
  requires_shipping?: boolean | null
}

export type SaleShippingMethod = {
  id: string
  name?: string | null
  shipping_option_id?: string | null
  original_total: BigNumberInput
  total: BigNumberInput
  tax_lines?: TaxLine[] | null
}

export type Sale = {
  currency_code: string
  /** What the customer pays: Medusa's `total`. */
  total: BigNumberInput
  credit_line_total?: BigNumberInput | null
  items: SaleLineItem[]
  shipping_methods?: SaleShippingMethod[] | null
}

export type KustomOrderLineType = "physical" | "digital" | "discount" | "shipping_fee" | "surcharge"

export type KustomOrderLine = {
  type: KustomOrderLineType
  reference: string
  name: string
  quantity: number
  unit_price: number
  total_amount: number
  total_discount_amount: number
  tax_rate: number
  total_tax_amount: number
}

export type KustomOrder = {
  purchase_currency: string
  order_amount: number
  order_tax_amount: number
  order_items: KustomOrderLine[]
}

/** Kustom's names and references are bounded; keep them readable rather than rejected. */
const MAX_NAME = 255
const MAX_REFERENCE = 64

export function mapSaleToKustomOrder(sale: Sale): KustomOrder {
  const currency = sale.currency_code.toUpperCase()
  const minor = (amount: BigNumberInput) => toMinorUnits(amount, currency)

  const lines: KustomOrderLine[] = [
    ...sale.items.map((item) =>
      buildLine({
        type: item.requires_shipping === false || item.is_giftcard ? "digital" : "physical",
        reference: item.variant_sku || item.id,
        name: itemName(item),
        quantity: item.quantity,
        originalTotal: minor(item.original_total),
        total: minor(item.total),
        taxRate: basisPoints(item.tax_lines),
      })
    ),
    ...(sale.shipping_methods ?? []).map((method) =>
      buildLine({
        type: "shipping_fee",
        reference: method.shipping_option_id || method.id,
        name: method.name || "Shipping",
        quantity: 1,
        originalTotal: minor(method.original_total),
        total: minor(method.total),
        taxRate: basisPoints(method.tax_lines),
      })
    ),
  ]

  const credit = minor(sale.credit_line_total ?? 0)
  if (credit !== 0) {
    lines.push(flatLine(credit > 0 ? "discount" : "surcharge", "store-credit", "Store credit", -credit))
  }

  const orderAmount = minor(sale.total)
  const leftover = orderAmount - sum(lines.map((line) => line.total_amount))
  if (leftover !== 0) {
    lines.push(flatLine(leftover > 0 ? "surcharge" : "discount", "rounding", "Rounding", leftover))
  }

  return {
    purchase_currency: currency,
    order_amount: orderAmount,
    order_tax_amount: sum(lines.map((line) => line.total_tax_amount)),
    order_items: lines,
  }
}

/** Kustom's tax rule: the tax contained in a tax-inclusive amount. */
export function kustomTaxOf(totalAmount: number, taxRate: number): number {
  if (taxRate === 0 || totalAmount === 0) return 0
  return totalAmount - divideRounded(MathBN.mult(totalAmount, 10_000), 10_000 + taxRate)
}

function buildLine(input: {
  type: KustomOrderLineType
  reference: string
  name: string
  quantity: BigNumberInput
  originalTotal: number
  total: number
  taxRate: number
}): KustomOrderLine {
  const quantity = MathBN.convert(input.quantity)
  // Kustom counts whole units. A fractional quantity (sold by weight, say) becomes one line of
  // quantity 1 so that the price stays exact.
  const wholeQuantity = quantity.isInteger() && quantity.gt(0) ? quantity.toNumber() : 1
  const name = wholeQuantity === 1 && !quantity.eq(1) ? `${input.name} × ${quantity.toString()}` : input.name
  // The line's total is Medusa's, to the minor unit. When rounding the unit price cannot give
  // exactly that total, the unit price is rounded up and the few minor units over the total
  // count as the line's discount, so that no line is off and the rounding line stays tiny.
  let unitPrice = divideRounded(input.originalTotal, wholeQuantity)
  if (unitPrice * wholeQuantity < input.total) unitPrice = Math.ceil(input.total / wholeQuantity)
  const total = input.total
  const discount = unitPrice * wholeQuantity - total
  return {
    type: input.type,
    reference: truncate(input.reference, MAX_REFERENCE),
    name: truncate(name, MAX_NAME),
    quantity: wholeQuantity,
    unit_price: unitPrice,
    total_amount: total,
    total_discount_amount: discount,
    tax_rate: input.taxRate,
    total_tax_amount: kustomTaxOf(total, input.taxRate),
  }
}

function flatLine(type: KustomOrderLineType, reference: string, name: string, amount: number): KustomOrderLine {
  return {
    type,
    reference,
    name,
    quantity: 1,
    unit_price: amount,
    total_amount: amount,
    total_discount_amount: 0,
    tax_rate: 0,
    total_tax_amount: 0,
  }
}

/** Medusa tax rates are percentages per tax line (25, 12.5); Kustom wants basis points (2500). */
function basisPoints(taxLines: TaxLine[] | null | undefined): number {
  const percent = MathBN.sum(0, ...(taxLines ?? []).map((line) => line.rate))
  return divideRounded(MathBN.mult(percent, 100), 1)
}

function itemName(item: SaleLineItem): string {
  const product = item.product_title || item.title || "Item"
  const variant = item.variant_title && item.variant_title !== product && item.variant_title !== "Default variant"
  return variant ? `${product} (${item.variant_title})` : product
}

function truncate(value: string, max: number): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, " ").trim()
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0)
}
