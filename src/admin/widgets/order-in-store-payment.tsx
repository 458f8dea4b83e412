import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Badge, Container, Heading, Text } from "@medusajs/ui"
import { useQuery } from "@tanstack/react-query"
import { sdk } from "../lib/sdk"

type InStorePayment = {
  id: string
  provider_id: string
  currency_code: string
  data: Record<string, unknown> | null
  captured_at: string | null
  canceled_at: string | null
}

const PREFIX = "pp_pay-in-store_"

function formatMinor(amount: unknown, currency: string): string {
  if (typeof amount !== "number") return "—"
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() })
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return format.format(amount / 10 ** digits)
}

/** Payment details of an order paid in store: device, Kustom ids, captured and refunded. */
const OrderInStorePaymentWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const { data } = useQuery({
    queryKey: ["kustom-ipp", "order-payments", order.id],
    queryFn: () =>
      sdk.admin.order.retrieve(order.id, {
        fields: "id,*payment_collections,*payment_collections.payments",
      }),
  })
  const payments = ((data?.order?.payment_collections ?? []) as { payments?: InStorePayment[] }[])
    .flatMap((collection) => collection.payments ?? [])
    .filter((payment) => payment.provider_id.startsWith(PREFIX))
  if (!payments.length) return null

  return (
    <Container className="divide-y p-0">
      <div className="flex items-center justify-between px-6 py-4">
        <Heading level="h2">Paid in store</Heading>
        <Badge size="2xsmall">Kustom</Badge>
      </div>
      {payments.map((payment) => {
        const info = payment.data ?? {}
        const rows: [string, string][] = [
          ["Device", String(info.device_id ?? "—")],
          ["Kustom session", String(info.kustom_session_id ?? "—")],
          ["Kustom order", String(info.kustom_order_id ?? "—")],
          ["Status", String(info.kustom_status ?? "—")],
          ["Captured", formatMinor(info.captured_amount, payment.currency_code)],
          ["Refunded", formatMinor(info.refunded_amount ?? 0, payment.currency_code)],
        ]
        return (
          <dl key={payment.id} className="grid grid-cols-2 gap-y-2 px-6 py-4" data-testid="kustom-ipp-order-payment">
            {rows.map(([label, value]) => (
              <div key={label} className="contents">
                <Text size="small" leading="compact" className="text-ui-fg-subtle">
                  {label}
                </Text>
                <Text size="small" leading="compact" className="break-all">
                  {value}
                </Text>
              </div>
            ))}
          </dl>
        )
      })}
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "order.details.side.after",
})

export default OrderInStorePaymentWidget
