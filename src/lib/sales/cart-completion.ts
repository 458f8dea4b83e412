/**
 * Whether Medusa's cart completion would turn a cart into an order, asked before its payment
 * goes to a device: a cart it refuses would otherwise be paid for on the phone and never become
 * an order. The checks are those `completeCartWorkflow` makes before it creates the order
 * (`validateCartItemsStep`, `validateShippingStep`), with Medusa's own messages. What only the
 * completion itself can tell (stock reserved at that moment, a store's own `validate` hook) is
 * not asked here.
 */
import type { MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"

export type CompletionItem = { requires_shipping?: boolean | null; product_id?: string | null }
export type CompletionShippingMethod = { shipping_option_id?: string | null }

/** The shipping profiles that decide the second check: each product's, each shipping option's. */
export type ShippingProfiles = {
  ofProduct: ReadonlyMap<string, string | null | undefined>
  ofOption: ReadonlyMap<string, string | null | undefined>
}

/**
 * Medusa's reason to refuse completing a cart with these items and shipping methods, or null.
 * Pure: `profiles` is only needed when items need shipping and the cart has shipping methods.
 */
export function cartCompletionRefusal(
  items: readonly CompletionItem[],
  shippingMethods: readonly CompletionShippingMethod[],
  profiles?: ShippingProfiles
): string | null {
  if (!items.length) return "Cannot complete a cart with no items"
  const shipped = items.filter((item) => item.requires_shipping)
  if (!shipped.length) return null
  if (!shippingMethods.length) return "No shipping method selected but the cart contains items that require shipping."
  if (!profiles) return null
  const available = shippingMethods.map((method) => profiles.ofOption.get(method.shipping_option_id ?? ""))
  const unsatisfied = shipped.some((item) => !available.includes(profiles.ofProduct.get(item.product_id ?? "")))
  return unsatisfied ? "The cart items require shipping profiles that are not satisfied by the current shipping methods" : null
}

/** Whether the profile check needs the profiles read (items to ship, and shipping methods to ship them). */
function needsProfiles(items: readonly CompletionItem[], shippingMethods: readonly CompletionShippingMethod[]): boolean {
  return shippingMethods.length > 0 && items.some((item) => item.requires_shipping)
}

/** `cartCompletionRefusal` for a cart read with its items and shipping methods; reads the shipping profiles when needed. */
export async function whyCartCannotBecomeOrder(
  container: Pick<MedusaContainer, "resolve">,
  cart: { items: readonly CompletionItem[]; shipping_methods: readonly CompletionShippingMethod[] }
): Promise<string | null> {
  const first = cartCompletionRefusal(cart.items, cart.shipping_methods)
  if (first || !needsProfiles(cart.items, cart.shipping_methods)) return first
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const productIds = [...new Set(cart.items.filter((item) => item.requires_shipping && item.product_id).map((item) => item.product_id as string))]
  const optionIds = [...new Set(cart.shipping_methods.map((method) => method.shipping_option_id).filter((id): id is string => Boolean(id)))]
  // The product → shipping profile link itself (what `product.shipping_profile` reads), and the
  // options' own column: two single-table reads side by side, on the way to the device.
  const [{ data: links }, { data: options }] = await Promise.all([
    productIds.length
      ? query.graph({ entity: "product_shipping_profile", fields: ["product_id", "shipping_profile_id"], filters: { product_id: productIds } })
      : Promise.resolve({ data: [] as unknown[] }),
    optionIds.length
      ? query.graph({ entity: "shipping_option", fields: ["id", "shipping_profile_id"], filters: { id: optionIds } })
      : Promise.resolve({ data: [] as unknown[] }),
  ])
  const ofProduct = new Map((links as { product_id: string; shipping_profile_id?: string | null }[]).map((link) => [link.product_id, link.shipping_profile_id]))
  const ofOption = new Map((options as { id: string; shipping_profile_id?: string | null }[]).map((option) => [option.id, option.shipping_profile_id]))
  return cartCompletionRefusal(cart.items, cart.shipping_methods, { ofProduct, ofOption })
}
