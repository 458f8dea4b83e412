import { Plus } from "@medusajs/icons"
import { Button, Container, StatusBadge, Table, Text, toast } from "@medusajs/ui"
import { useState } from "react"
import { errorMessage, useCancelEnrollment, useEnrollments, useKustomLocations, type Enrollment } from "../../lib/api"
import { elementById, useConfirm } from "../../lib/focus"
import { formatCountdown, formatDateTime, groupCode, spokenCode, spokenCountdown, useNow } from "../../lib/format"
import { EnrollDeviceDrawer } from "../enroll-device-drawer"
import { EmptyState, SectionHeader } from "../section"

const STATUS: Record<Enrollment["status"], { label: string; color: "green" | "blue" | "grey" | "red" }> = {
  PENDING: { label: "Waiting for a phone", color: "blue" },
  CONSUMED: { label: "Used", color: "green" },
  EXPIRED: { label: "Expired", color: "grey" },
  CANCELLED: { label: "Cancelled", color: "red" },
}

const HEADING_ID = "kustom-enrollments-heading"

/** Create one-time codes that register a phone, see which are waiting or used, cancel a waiting one. */
export const EnrollmentsSection = () => {
  const now = useNow()
  const [open, setOpen] = useState(false)
  const { data, isPending, isError, error } = useEnrollments()
  const locations = useKustomLocations()
  const cancel = useCancelEnrollment()
  const confirm = useConfirm()

  const confirmCancel = async (enrollment: Enrollment) => {
    const confirmed = await confirm(
      {
        title: `Cancel code ${groupCode(enrollment.enrollment_code)}?`,
        description: "No phone can register with it afterwards. Create a new code when needed.",
        confirmText: "Cancel code",
        cancelText: "Keep it",
        variant: "danger",
      },
      // A cancelled code's row has no "Cancel" button any more.
      { fallback: elementById(HEADING_ID) }
    )
    if (!confirmed) return
    cancel.mutate(enrollment.enrollment_id, {
      onSuccess: () => toast.success("Code cancelled"),
      onError: (cancelError) => toast.error("Could not cancel the code", { description: errorMessage(cancelError) }),
    })
  }

  const enrollments = data?.enrollments ?? []
  return (
    <Container className="divide-y p-0" data-testid="kustom-enrollments">
      <SectionHeader
        title="Enrollment codes"
        headingId={HEADING_ID}
        description="A clerk types a one-time code into the Kustom POS app to register their phone as a payment device."
        actions={
          <Button size="small" variant="secondary" onClick={() => setOpen(true)} data-testid="open-enroll-device">
            <Plus />
            Enroll a device
          </Button>
        }
      />
      {isError ? (
        <EmptyState error>{errorMessage(error)}</EmptyState>
      ) : !enrollments.length ? (
        <EmptyState>{isPending ? "Loading…" : "No codes yet. Create one to register a phone."}</EmptyState>
      ) : (
        // Scrolls sideways inside the card on a narrow screen, so "Cancel" stays reachable. Relative,
        // so that the texts hidden for screen readers stay inside it too.
        <div className="relative overflow-x-auto" data-testid="enrollments-table-scroll">
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>Code</Table.HeaderCell>
                <Table.HeaderCell>Location</Table.HeaderCell>
                <Table.HeaderCell>Status</Table.HeaderCell>
                <Table.HeaderCell>Expires</Table.HeaderCell>
                <Table.HeaderCell>Device</Table.HeaderCell>
                <Table.HeaderCell>
                  <span className="sr-only">Actions</span>
                </Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {enrollments.map((enrollment) => {
                const pending = enrollment.status === "PENDING" && Date.parse(enrollment.expires_at) > now
                const status = STATUS[enrollment.status === "PENDING" && !pending ? "EXPIRED" : enrollment.status]
                return (
                  <Table.Row key={enrollment.enrollment_id} data-testid={`enrollment-row-${enrollment.enrollment_code}`}>
                    <Table.Cell>
                      {/* One line: a code wrapped as "KPUA / FXCY" reads as two codes. */}
                      <span className="whitespace-nowrap font-mono text-base font-medium tracking-widest" aria-hidden data-testid="enrollment-row-code">
                        {groupCode(enrollment.enrollment_code)}
                      </span>
                      <span className="sr-only">{spokenCode(enrollment.enrollment_code)}</span>
                    </Table.Cell>
                    <Table.Cell>
                      <div className="max-w-[12rem] truncate" title={enrollment.location_name ?? undefined}>
                        {enrollment.location_name ?? "—"}
                      </div>
                    </Table.Cell>
                    <Table.Cell>
                      <StatusBadge color={status.color} className="whitespace-nowrap">
                        {status.label}
                      </StatusBadge>
                    </Table.Cell>
                    <Table.Cell>
                      {pending ? (
                        <>
                          <span className="whitespace-nowrap font-mono" aria-hidden>
                            {formatCountdown(enrollment.expires_at, now)}
                          </span>
                          <span className="sr-only">{spokenCountdown(enrollment.expires_at, now)}</span>
                        </>
                      ) : enrollment.status === "CONSUMED" || enrollment.status === "CANCELLED" ? (
                        // Used or cancelled: when it would have expired no longer matters.
                        <Text size="small" className="text-ui-fg-subtle">
                          —
                        </Text>
                      ) : (
                        <Text size="small" className="text-ui-fg-subtle whitespace-nowrap">
                          {formatDateTime(enrollment.expires_at)}
                        </Text>
                      )}
                    </Table.Cell>
                    <Table.Cell>
                      <div className="max-w-[16rem] truncate" title={enrollment.device_name ?? enrollment.device_id ?? undefined}>
                        {enrollment.device_name ??
                          (enrollment.device_id ? `Device ${enrollment.device_id}` : enrollment.status === "CONSUMED" ? "A registered device" : "—")}
                      </div>
                    </Table.Cell>
                    <Table.Cell className="text-right">
                      {pending && (
                        <Button
                          size="small"
                          variant="transparent"
                          onClick={() => confirmCancel(enrollment)}
                          aria-label={`Cancel code ${groupCode(enrollment.enrollment_code)}`}
                          data-testid="cancel-enrollment"
                        >
                          Cancel
                        </Button>
                      )}
                    </Table.Cell>
                  </Table.Row>
                )
              })}
            </Table.Body>
          </Table>
        </div>
      )}
      {data?.source === "admin" && (
        <div className="px-6 py-3">
          <Text size="xsmall" className="text-ui-fg-muted">
            Showing the codes created in this admin: Kustom lists all codes only when the plugin's merchantId option is set.
          </Text>
        </div>
      )}
      <EnrollDeviceDrawer open={open} onOpenChange={setOpen} locations={locations.data?.locations ?? []} />
    </Container>
  )
}
