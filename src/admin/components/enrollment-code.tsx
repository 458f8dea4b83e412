import { CheckCircleSolid } from "@medusajs/icons"
import { Button, Copy, StatusBadge, Text, clx } from "@medusajs/ui"
import type { Ref } from "react"
import type { Enrollment } from "../lib/api"
import { formatCountdown, groupCode, spokenCode, spokenCountdown, useNow } from "../lib/format"

type Props = {
  enrollment: Enrollment
  /** The latest state of the same code from the list (consumed, expired), when known. */
  current?: Enrollment
  onCancel?: () => void
  cancelling?: boolean
  /** The code, to move focus to it once it is created (it is then read out). */
  codeRef?: Ref<HTMLDivElement>
}

/**
 * A fresh enrollment code, large and spaced in two groups so it can be read aloud to the clerk
 * holding the phone, with the time left to use it. Once the phone has registered with it, says
 * which device it became.
 */
export const EnrollmentCodeCard = ({ enrollment, current, onCancel, cancelling, codeRef }: Props) => {
  const now = useNow()
  const state = current ?? enrollment
  const expired = state.status === "EXPIRED" || (state.status === "PENDING" && Date.parse(state.expires_at) <= now)
  const consumed = state.status === "CONSUMED"
  return (
    <div className="bg-ui-bg-subtle border-ui-border-base flex flex-col items-center gap-y-3 rounded-lg border px-6 py-6" data-testid="enrollment-code-card">
      <Text size="small" className="text-ui-fg-subtle text-center">
        Type this code in the Kustom POS app on the phone{state.location_name ? ` (location: ${state.location_name})` : ""}
      </Text>
      <div ref={codeRef} tabIndex={-1} className="focus-visible:shadow-borders-interactive-with-focus flex items-center gap-x-2 rounded-md outline-none">
        {/* Read one character at a time; the large grouped code would be read as two words. */}
        <span className="sr-only">Enrollment code {spokenCode(enrollment.enrollment_code)}</span>
        <span
          className={clx("whitespace-nowrap font-mono text-3xl font-semibold tracking-[0.2em] text-ui-fg-base sm:text-5xl", consumed && "text-ui-fg-muted", expired && "text-ui-fg-muted line-through")}
          aria-hidden
          data-testid="enrollment-code"
        >
          {groupCode(enrollment.enrollment_code)}
        </span>
        <Copy content={enrollment.enrollment_code} aria-label="Copy enrollment code" />
      </div>
      {consumed ? (
        <div className="flex items-center gap-x-2" data-testid="enrollment-consumed">
          <CheckCircleSolid className="text-ui-tag-green-icon" aria-hidden />
          <Text size="small" weight="plus">
            Registered{state.device_name ? `: ${state.device_name}` : ""}. The phone is ready to take payments.
          </Text>
        </div>
      ) : expired ? (
        <StatusBadge color="red">Expired — create a new code</StatusBadge>
      ) : (
        <div className="flex items-center gap-x-3">
          <Text size="small" className="text-ui-fg-subtle">
            <span aria-hidden>
              Expires in{" "}
              <span className="text-ui-fg-base font-mono font-medium" data-testid="enrollment-countdown">
                {formatCountdown(state.expires_at, now)}
              </span>
            </span>
            <span className="sr-only">{spokenCountdown(state.expires_at, now)}</span>
          </Text>
          {onCancel && state.status === "PENDING" && (
            <Button size="small" variant="secondary" onClick={onCancel} isLoading={cancelling}>
              Cancel code
            </Button>
          )}
        </div>
      )}
    </div>
  )
}
