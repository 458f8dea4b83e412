import { ArrowPath, EllipsisHorizontal, PencilSquare, Trash } from "@medusajs/icons"
import { Button, Drawer, DropdownMenu, IconButton, Input, Label, Select, Text, toast, usePrompt } from "@medusajs/ui"
import { useEffect, useState } from "react"
import { errorMessage, useRemoveDevice, useUpdateDevice, type Device, type KustomLocation } from "../lib/api"
import { deviceNameProblem, MAX_DEVICE_NAME } from "../lib/devices"

type Props = {
  device: Device
  locations: Pick<KustomLocation, "id" | "name">[]
}

/** Rename, move and remove a device. Kustom keeps the device's other fields on rename and move. */
export const DeviceActions = ({ device, locations }: Props) => {
  const [editing, setEditing] = useState<"rename" | "move" | null>(null)
  const remove = useRemoveDevice()
  const prompt = usePrompt()

  const confirmRemove = async () => {
    const confirmed = await prompt({
      title: `Remove ${device.name}?`,
      description:
        "The phone can no longer take payments until it is enrolled again with a new code. A payment open on it now is cancelled.",
      confirmText: "Remove device",
      cancelText: "Keep it",
      variant: "danger",
    })
    if (!confirmed) return
    remove.mutate(device.id, {
      onSuccess: () => toast.success(`${device.name} was removed`),
      onError: (error) => toast.error("Could not remove the device", { description: errorMessage(error) }),
    })
  }

  return (
    <>
      <DropdownMenu>
        <DropdownMenu.Trigger asChild>
          <IconButton size="small" variant="transparent" aria-label={`Actions for ${device.name}`} data-testid={`device-actions-${device.id}`}>
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
      <EditDeviceDrawer device={device} locations={locations} mode={editing} onClose={() => setEditing(null)} />
    </>
  )
}

const NO_LOCATION = "__none__"

const EditDeviceDrawer = ({
  device,
  locations,
  mode,
  onClose,
}: Props & { mode: "rename" | "move" | null; onClose: () => void }) => {
  const [name, setName] = useState(device.name)
  const [locationId, setLocationId] = useState(device.location_id ?? NO_LOCATION)
  const update = useUpdateDevice()
  const nameProblem = mode === "rename" ? deviceNameProblem(name) : null

  useEffect(() => {
    if (mode) {
      setName(device.name)
      setLocationId(device.location_id ?? NO_LOCATION)
      update.reset()
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode])

  const save = () => {
    if (nameProblem) return
    const body =
      mode === "rename" ? { id: device.id, name: name.trim() } : { id: device.id, location_id: locationId === NO_LOCATION ? null : locationId }
    update.mutate(body, {
      onSuccess: ({ device: saved }) => {
        toast.success(mode === "rename" ? `Renamed to ${saved.name}` : `${saved.name} moved to ${saved.location_name ?? "no location"}`)
        onClose()
      },
    })
  }

  return (
    <Drawer open={mode !== null} onOpenChange={(open) => !open && onClose()}>
      <Drawer.Content>
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
                <Select.Trigger id="device-location" data-testid="device-location-select">
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
          <Button size="small" variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button size="small" onClick={save} isLoading={update.isPending} disabled={nameProblem !== null} data-testid="device-save">
            Save
          </Button>
        </Drawer.Footer>
      </Drawer.Content>
    </Drawer>
  )
}
