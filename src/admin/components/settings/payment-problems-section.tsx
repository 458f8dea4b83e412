import { CheckCircleSolid, ExclamationCircleSolid } from "@medusajs/icons"
import { Button, Container, Text } from "@medusajs/ui"
import { useState } from "react"
import { Link } from "react-router-dom"
import { errorMessage, usePaymentProblems, type StorePaymentProblem } from "../../lib/api"
import { formatDateTime, formatMinor } from "../../lib/format"
import { givenBackText } from "../../lib/order-payment"
import { EmptyState, SectionHeader } from "../section"
import { CopyableId } from "../copyable-id"

const PAGE_SIZE = 20

/** Where the sale can be seen: its order, the draft order, or (a cart that never became an order) its id. */
const SaleLink = ({ problem }: { problem: StorePaymentProblem }) => {
  if (problem.order_id) {
    return (
      <Link to={`/orders/${problem.order_id}`} className="text-ui-fg-interactive hover:underline">
        Order {problem.order_display_id ? `#${problem.order_display_id}` : problem.order_id}
      </Link>
    )
  }
  if (problem.sale_kind === "draft_order") {
    return (
      <Link to={`/draft-orders/${problem.sale_id}`} className="text-ui-fg-interactive hover:underline">
        Draft order {problem.draft_order_display_id ? `#${problem.draft_order_display_id}` : problem.sale_id}
      </Link>
    )
  }
  return <span>Cart {problem.sale_id} (no order)</span>
}

const ProblemItem = ({ problem }: { problem: StorePaymentProblem }) => (
  <li className="flex flex-col gap-y-1 px-6 py-4" data-testid="kustom-ipp-store-problem" data-resolved={problem.resolved}>
    <div className="flex items-start gap-x-2">
      {problem.resolved ? (
        <CheckCircleSolid className="text-ui-tag-green-icon mt-0.5 shrink-0" role="img" aria-label="Resolved" />
      ) : (
        <ExclamationCircleSolid className="text-ui-tag-red-icon mt-0.5 shrink-0" role="img" aria-label="Needs attention" />
      )}
      <div className="flex min-w-0 flex-col gap-y-1">
        <Text size="small" weight="plus">
          {formatMinor(problem.amount, problem.currency_code, problem.currency_exponent)} · {formatDateTime(problem.created_at)} ·{" "}
          <SaleLink problem={problem} />
        </Text>
        <Text size="small" className={problem.resolved ? "text-ui-fg-subtle" : undefined}>
          {givenBackText(problem)}
          {problem.problem}
        </Text>
        <Text size="xsmall" className="text-ui-fg-subtle break-all">
          IPP session <CopyableId id={problem.kustom_session_id} label="IPP session id" /> · Kustom order{" "}
          {problem.kustom_order_id ? <CopyableId id={problem.kustom_order_id} label="Kustom order id" /> : "—"}
        </Text>
      </div>
    </div>
  </li>
)

/**
 * Money taken on a device that no payment records, across the store: also for carts that never
 * became an order, which no order page shows. Each says what happened and what to do.
 */
export const PaymentProblemsSection = () => {
  const [offset, setOffset] = useState(0)
  const { data, isPending, isError, error } = usePaymentProblems(offset, PAGE_SIZE)
  const problems = data?.problems ?? []
  const count = data?.count ?? 0
  const open = problems.filter((problem) => !problem.resolved).length
  // Resolved is read live from Kustom for the page on screen only: say so when there are more pages.
  const openPayments = `${open} payment${open === 1 ? "" : "s"}${count > problems.length ? " on this page" : ""}`
  return (
    <Container className="divide-y p-0" data-testid="kustom-payment-problems">
      <SectionHeader
        title="Payments needing attention"
        description={
          open
            ? `${openPayments} taken on a device that no order records. Give the money back in Kustom (refund, or cancel an authorization), then collect the sale anew; each says how.`
            : "Money taken on a device that no order records (an amount that no longer matched, a payment sent again) is listed here."
        }
      />
      {/* The list refreshes by itself: a problem arriving, or one given back in Kustom, is said. */}
      <div role="status" className="sr-only" data-testid="kustom-payment-problems-announcement">
        {data ? (open ? `${openPayments} needing attention` : "No payment needs attention") : ""}
      </div>
      {isError ? (
        <EmptyState error>{errorMessage(error)}</EmptyState>
      ) : !problems.length ? (
        <EmptyState>{isPending ? "Loading…" : "None."}</EmptyState>
      ) : (
        <>
          <ul className="divide-y">
            {problems.map((problem) => (
              <ProblemItem key={problem.id} problem={problem} />
            ))}
          </ul>
          {count > PAGE_SIZE && (
            <div className="flex items-center justify-between px-6 py-3">
              <Text size="small" className="text-ui-fg-subtle">
                {offset + 1}–{offset + problems.length} of {count}
              </Text>
              <div className="flex gap-x-2">
                <Button size="small" variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                  Newer
                </Button>
                <Button size="small" variant="secondary" disabled={offset + PAGE_SIZE >= count} onClick={() => setOffset(offset + PAGE_SIZE)}>
                  Older
                </Button>
              </div>
            </div>
          )}
        </>
      )}
    </Container>
  )
}
