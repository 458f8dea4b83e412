import { ArrowPath, EllipsisHorizontal, PencilSquare, Trash } from "@medusajs/icons"
import { Button, Drawer, DropdownMenu, IconButton, Input, Label, Select, Text, toast } from "@medusajs/ui"
import { useEffect, useRef, useState, type FormEvent, type RefObject } from "react"
import { errorMessage, runMutation, useRemoveDevice, useUpdateDevice, type Device, type KustomLocation } from "../lib/api"
import { deviceNameProblem, MAX_DEVICE_NAME } from "../lib/devices"
import { useConfirm, useReturnFocus } from "../lib/focus"

type Props = {
  device: Device
  locations: Pick<KustomLocation, "id" | "name">[]
  /** Where focus goes once the device is removed (its row, with this menu, is gone). */
  focusAfterRemove?: () => HTMLElement | null
}

/** Rename, move and remove a device. Kustom keeps the device's other fields on rename and move. */
export const DeviceActions = ({ device, locations, focusAfterRemove }: Props) => {
  const [editing, setEditing] = useState<"rename" | "move" | null>(null)
  const remove = useRemoveDevice()
  const confirm = useConfirm()
  // The menu's button: the menu item that opened a prompt or drawer is gone when it closes.
  const menuButton = useRef<HTMLButtonElement>(null)

  const confirmRemove = async () => {
    const confirmed = await confirm(
      {
        title: `Remove ${device.name}?`,
        description:
          "The phone can no longer take payments until it is enrolled again with a new code. A payment open on it now is cancelled.",
        confirmText: "Remove device",
        cancelText: "Keep it",
        variant: "danger",
      },
      { opener: menuButton.current, fallback: focusAfterRemove }
    )
    if (!confirmed) return
    runMutation(remove, device.id, {
      onSuccess: () => toast.success(`${device.name} was removed`),
      onError: (error) => toast.error("Could not remove the device", { description: errorMessage(error) }),
    })
  }

  return (
    <>
      <DropdownMenu>
        <DropdownMenu.Trigger asChild>
          <IconButton
            ref={menuButton}
            size="small"
            variant="transparent"
            aria-label={`Actions for ${device.name}`}
            data-testid={`device-actions-${device.id}`}
          >
            <EllipsisHorizontal />
          </IconButton>
        </DropdownMenu.Trigger>
        <DropdownMenu.Content align="end">
          <DropdownMenu.Item className="gap-x-2" onClick={() => setEditing("rename")} data-testid="device-rename">
            <PencilSquare className="text-ui-fg-subtle" />
            Rename
          </DropdownMenu.Item>
          <DropdownMenu.Item className="gap-x-2" onClick={() => setEditing("move")} data-testid="device-move">
            <ArrowPath className="text-ui-fg-subtle" />
            Move to another location
          </DropdownMenu.Item>
          <DropdownMenu.Separator />
          <DropdownMenu.Item className="gap-x-2" onClick={confirmRemove} data-testid="device-remove">
            <Trash className="text-ui-fg-subtle" />
            Remove
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu>
      <EditDeviceDrawer device={device} locations={locations} mode={editing} onClose={() => setEditing(null)} opener={menuButton} />
    </>
  )
}

const NO_LOCATION = "__none__"

const EditDeviceDrawer = ({
  device,
  locations,
  mode,
  onClose,
  opener,
}: Props & { mode: "rename" | "move" | null; onClose: () => void; opener: RefObject<HTMLButtonElement> }) => {
  const [name, setName] = useState(device.name)
  const [locationId, setLocationId] = useState(device.location_id ?? NO_LOCATION)
  const update = useUpdateDevice()
  const nameProblem = mode === "rename" ? deviceNameProblem(name) : null
  const returnFocus = useReturnFocus(opener)
  const nameRef = useRef<HTMLInputElement>(null)
  const locationRef = useRef<HTMLButtonElement>(null)
  const focusField = () => (mode === "rename" ? nameRef.current : locationRef.current)?.focus()

  useEffect(() => {
    if (mode) {
      setName(device.name)
      setLocationId(device.location_id ?? NO_LOCATION)
      update.reset()
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode])

  const save = (event?: FormEvent) => {
    event?.preventDefault()
    if (nameProblem || update.isPending) return
    const body =
      mode === "rename" ? { id: device.id, name: name.trim() } : { id: device.id, location_id: locationId === NO_LOCATION ? null : locationId }
    update.mutate(body, {
      onSuccess: ({ device: saved }) => {
        toast.success(mode === "rename" ? `Renamed to ${saved.name}` : `${saved.name} moved to ${saved.location_name ?? "no location"}`)
        onClose()
      },
      // The field the error is about (Save was disabled while saving, so focus was lost).
      onError: focusField,
    })
  }

  return (
    <Drawer open={mode !== null} onOpenChange={(open) => !open && onClose()}>
      <Drawer.Content
        {...returnFocus}
        onOpenAutoFocus={(event) => {
          returnFocus.onOpenAutoFocus()
          // The field to change, not the header's close button that Radix would focus first.
          event.preventDefault()
          focusField()
        }}
      >
        {/* A form, so that Enter in the name field saves. */}
        <form onSubmit={save} className="flex flex-1 flex-col">
          <Drawer.Header>
            <Drawer.Title>{mode === "move" ? `Move ${device.name}` : `Rename ${device.name}`}</Drawer.Title>
            <Drawer.Description className="sr-only">Change the device in Kustom</Drawer.Description>
          </Drawer.Header>
          <Drawer.Body className="flex flex-col gap-y-4">
            {mode === "rename" ? (
              <div className="flex flex-col gap-y-2">
                <Label size="small" weight="plus" htmlFor="device-name">
                  Name
                </Label>
                <Input
                  ref={nameRef}
                  id="device-name"
                  value={name}
                  onChange={(event) => setName(event.target.value)}
                  aria-invalid={nameProblem ? true : undefined}
                  aria-describedby={[nameProblem && "device-name-problem", update.isError && "device-save-error", "device-name-hint"].filter(Boolean).join(" ")}
                  data-testid="device-name-input"
                />
                {nameProblem && (
                  <Text size="small" className="text-ui-fg-error" id="device-name-problem" role="alert" data-testid="device-name-problem">
                    {nameProblem}
                  </Text>
                )}
                <Text size="small" className="text-ui-fg-subtle" id="device-name-hint">
                  Clerks see this name when choosing where to send a payment (at most {MAX_DEVICE_NAME} characters). The device's
                  location and settings stay as they are.
                </Text>
              </div>
            ) : (
              <div className="flex flex-col gap-y-2">
                <Label size="small" weight="plus" htmlFor="device-location">
                  Location
                </Label>
                <Select value={locationId} onValueChange={setLocationId}>
                  <Select.Trigger ref={locationRef} id="device-location" data-testid="device-location-select">
                    <Select.Value />
                  </Select.Trigger>
                  <Select.Content>
                    {locations.map((location) => (
                      <Select.Item key={location.id} value={location.id}>
                        {location.name}
                      </Select.Item>
                    ))}
                    <Select.Item value={NO_LOCATION}>No location</Select.Item>
                  </Select.Content>
                </Select>
              </div>
            )}
            {update.isError && (
              <Text size="small" className="text-ui-fg-error" id="device-save-error" role="alert" data-testid="device-save-error">
                {errorMessage(update.error)}
              </Text>
            )}
          </Drawer.Body>
          <Drawer.Footer>
            <Button type="button" size="small" variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" size="small" isLoading={update.isPending} disabled={nameProblem !== null} data-testid="device-save">
              Save
            </Button>
          </Drawer.Footer>
        </form>
      </Drawer.Content>
    </Drawer>
  )
}
