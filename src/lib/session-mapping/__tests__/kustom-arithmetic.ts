/**
 * Kustom's session arithmetic, restated independently of the mapping so that the tests judge
 * the mapping rather than repeat it.
 */
import type { KustomOrder } from "../index"

export function arithmeticProblems(order: KustomOrder): string[] {
  const problems: string[] = []
  let sum = 0
  let taxSum = 0
  order.order_items.forEach((line, i) => {
    for (const key of ["quantity", "unit_price", "total_amount", "total_discount_amount", "tax_rate", "total_tax_amount"] as const) {
      if (!Number.isSafeInteger(line[key])) problems.push(`order_items[${i}].${key} is not an integer: ${line[key]}`)
    }
    if (line.quantity <= 0) problems.push(`order_items[${i}].quantity must be positive`)
    if (line.total_discount_amount < 0) problems.push(`order_items[${i}].total_discount_amount is negative`)
    if (line.unit_price * line.quantity - line.total_discount_amount !== line.total_amount) {
      problems.push(`order_items[${i}] does not add up`)
    }
    // Exact rational check of |tax - (total - total*10000/(10000+rate))| <= 1.
    const denominator = 10_000 + line.tax_rate
    const exactTaxTimesDen = line.total_amount * denominator - line.total_amount * 10_000
    if (Math.abs(line.total_tax_amount * denominator - exactTaxTimesDen) > denominator) {
      problems.push(`order_items[${i}].total_tax_amount ${line.total_tax_amount} breaks the tax rule`)
    }
    sum += line.total_amount
    taxSum += line.total_tax_amount
  })
  if (sum !== order.order_amount) problems.push(`lines sum to ${sum}, order_amount is ${order.order_amount}`)
  if (taxSum !== order.order_tax_amount) problems.push(`line taxes sum to ${taxSum}, order_tax_amount is ${order.order_tax_amount}`)
  return problems
}
