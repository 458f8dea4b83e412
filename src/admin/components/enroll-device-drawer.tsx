import { Button, Drawer, Label, Select, Text, toast } from "@medusajs/ui"
import { useEffect, useRef, useState } from "react"
import { errorMessage, useCancelEnrollment, useCreateEnrollment, useEnrollments, type Enrollment, type KustomLocation } from "../lib/api"
import { useReturnFocus } from "../lib/focus"
import { EnrollmentCodeCard } from "./enrollment-code"

const LIFETIMES: { minutes: number; label: string }[] = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 120, label: "2 hours" },
  { minutes: 1_440, label: "1 day" },
  { minutes: 10_080, label: "7 days" },
]

type Props = {
  open: boolean
  onOpenChange: (open: boolean) => void
  /** The Kustom locations to choose from; with one `fixedLocation` no choice is offered. */
  locations?: Pick<KustomLocation, "id" | "name" | "city">[]
  fixedLocation?: { id: string; name: string }
}

/**
 * Creates an enrollment code for a clerk's phone and keeps showing it, large, until the phone
 * has registered with it (the list refreshes on its own) or the drawer is closed.
 */
export const EnrollDeviceDrawer = ({ open, onOpenChange, locations = [], fixedLocation }: Props) => {
  const [locationId, setLocationId] = useState<string | undefined>(fixedLocation?.id)
  const [minutes, setMinutes] = useState(120)
  const [created, setCreated] = useState<Enrollment | null>(null)
  const create = useCreateEnrollment()
  const cancel = useCancelEnrollment()
  const { data: list } = useEnrollments({ enabled: open && Boolean(created) })
  const current = created ? list?.enrollments.find((enrollment) => enrollment.enrollment_id === created.enrollment_id) : undefined
  const returnFocus = useReturnFocus()
  const codeRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!open) {
      setCreated(null)
      create.reset()
    }
    if (open && !fixedLocation && !locationId && locations.length === 1) setLocationId(locations[0].id)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, locations.length])

  // "Create code" is gone once the code shows: focus the code, so that it is read out.
  useEffect(() => {
    if (created) codeRef.current?.focus()
  }, [created])

  const submit = () => {
    create.mutate(
      { location_id: fixedLocation?.id ?? locationId, expires_in_minutes: minutes },
      { onSuccess: ({ enrollment }) => setCreated(enrollment) }
    )
  }

  const cancelCode = () => {
    if (!created) return
    cancel.mutate(created.enrollment_id, {
      onSuccess: () => {
        toast.success("Code cancelled", { description: "It can no longer register a device." })
        onOpenChange(false)
      },
      onError: (error) => toast.error("Could not cancel the code", { description: errorMessage(error) }),
    })
  }

  const needsLocation = !fixedLocation && locations.length > 1 && !locationId
  // Said when the phone registers while the code is shown (the list refreshes on its own).
  const registered = current?.status === "CONSUMED" ? `Registered${current.device_name ? `: ${current.device_name}` : ""}. The phone is ready to take payments.` : ""

  return (
    <Drawer open={open} onOpenChange={onOpenChange}>
      <Drawer.Content data-testid="enroll-device-drawer" {...returnFocus}>
        <Drawer.Header>
          <Drawer.Title>Enroll a device{fixedLocation ? ` at ${fixedLocation.name}` : ""}</Drawer.Title>
          <Drawer.Description className="sr-only">Create a one-time code to register a phone with the Kustom POS app</Drawer.Description>
        </Drawer.Header>
        <Drawer.Body className="flex flex-col gap-y-6">
          {/* A live region present before the phone registers, so that the registration is announced. */}
          <div role="status" className="sr-only" data-testid="enrollment-announcement">
            {registered}
          </div>
          {created ? (
            <EnrollmentCodeCard enrollment={created} current={current} onCancel={cancelCode} cancelling={cancel.isPending} codeRef={codeRef} />
          ) : (
            <>
              <Text size="small" className="text-ui-fg-subtle">
                Open the Kustom POS app on the clerk's phone and choose to register the device. It asks for a one-time
                code: create it here and read it out, or show this screen.
              </Text>
              {!fixedLocation && (
                <div className="flex flex-col gap-y-2">
                  <Label size="small" weight="plus" htmlFor="enroll-location">
                    Location
                  </Label>
                  <Select value={locationId} onValueChange={setLocationId}>
                    <Select.Trigger id="enroll-location" data-testid="enroll-location">
                      <Select.Value placeholder="Choose the location the phone belongs to" />
                    </Select.Trigger>
                    <Select.Content>
                      {locations.map((location) => (
                        <Select.Item key={location.id} value={location.id}>
                          {location.name}
                          {location.city ? `, ${location.city}` : ""}
                        </Select.Item>
                      ))}
                    </Select.Content>
                  </Select>
                </div>
              )}
              <div className="flex flex-col gap-y-2">
                <Label size="small" weight="plus" htmlFor="enroll-lifetime">
                  The code can be used for
                </Label>
                <Select value={String(minutes)} onValueChange={(value) => setMinutes(Number(value))}>
                  <Select.Trigger id="enroll-lifetime" data-testid="enroll-lifetime">
                    <Select.Value />
                  </Select.Trigger>
                  <Select.Content>
                    {LIFETIMES.map((lifetime) => (
                      <Select.Item key={lifetime.minutes} value={String(lifetime.minutes)}>
                        {lifetime.label}
                      </Select.Item>
                    ))}
                  </Select.Content>
                </Select>
              </div>
              {create.isError && (
                <Text size="small" className="text-ui-fg-error" role="alert" data-testid="enroll-error">
                  {errorMessage(create.error)}
                </Text>
              )}
            </>
          )}
        </Drawer.Body>
        <Drawer.Footer>
          <Drawer.Close asChild>
            <Button size="small" variant="secondary">
              {created ? "Done" : "Cancel"}
            </Button>
          </Drawer.Close>
          {!created && (
            <Button size="small" onClick={submit} isLoading={create.isPending} disabled={needsLocation} data-testid="create-enrollment-code">
              Create code
            </Button>
          )}
        </Drawer.Footer>
      </Drawer.Content>
    </Drawer>
  )
}
