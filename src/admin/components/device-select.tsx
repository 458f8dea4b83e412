import { Select } from "@medusajs/ui"
import type { Ref } from "react"
import type { Device } from "../lib/api"
import { unlistedDeviceLabel } from "../lib/devices"
import { platformLabel } from "../lib/format"

export const NONE = "__none__"

type Props = {
  /** The devices to offer. */
  devices: Device[]
  /**
   * Every registered device, to name a chosen one that is not offered here (e.g. a location's
   * default that has moved to another location). Defaults to `devices`.
   */
  allDevices?: Device[]
  /** The device list could not be loaded (Kustom down): a chosen device cannot be named, but it is not "removed". */
  devicesUnavailable?: boolean
  /** The device list is still loading. */
  devicesLoading?: boolean
  value: string | null
  onChange: (deviceId: string | null) => void
  placeholder?: string
  /** Offer "none" (e.g. "No default"); without it a device must be chosen. */
  noneLabel?: string
  disabled?: boolean
  id?: string
  /** The select's accessible name, e.g. "Default device for Webshop" (a table row has no <label>). */
  "aria-label"?: string
  /** Set while the choice is in error, with `aria-describedby` naming the message. */
  "aria-invalid"?: boolean
  "aria-describedby"?: string
  /** The trigger button, to move focus to the select. */
  triggerRef?: Ref<HTMLButtonElement>
  "data-testid"?: string
  size?: "small" | "base"
}

const DeviceOption = ({ device }: { device: Device }) => (
  <>
    {device.name}
    <span className="text-ui-fg-muted">
      {" "}
      · {platformLabel(device.platform)}
      {device.location_name ? ` · ${device.location_name}` : ""}
    </span>
  </>
)

/** Choose one of the registered devices; a device no longer registered still shows as such. */
export const DeviceSelect = ({
  devices,
  allDevices = devices,
  devicesUnavailable,
  devicesLoading,
  value,
  onChange,
  placeholder,
  noneLabel,
  disabled,
  id,
  triggerRef,
  size = "small",
  ...rest
}: Props) => {
  const unlisted = value && !devices.some((device) => device.id === value) ? value : null
  const known = unlisted ? allDevices.find((device) => device.id === unlisted) : undefined
  return (
    <Select
      size={size}
      value={value ?? (noneLabel ? NONE : undefined)}
      onValueChange={(next) => onChange(next === NONE ? null : next)}
      disabled={disabled}
    >
      <Select.Trigger
        ref={triggerRef}
        id={id}
        aria-label={rest["aria-label"]}
        aria-invalid={rest["aria-invalid"]}
        aria-describedby={rest["aria-describedby"]}
        data-testid={rest["data-testid"]}
      >
        <Select.Value placeholder={placeholder ?? "Choose a device"} />
      </Select.Trigger>
      <Select.Content>
        {noneLabel && <Select.Item value={NONE}>{noneLabel}</Select.Item>}
        {devices.map((device) => (
          <Select.Item key={device.id} value={device.id}>
            <DeviceOption device={device} />
          </Select.Item>
        ))}
        {unlisted && (
          // Shown so that the trigger names the current choice; an unknown device cannot be chosen again.
          <Select.Item value={unlisted} disabled={!known}>
            {known ? (
              <DeviceOption device={known} />
            ) : (
              unlistedDeviceLabel(unlisted, { all: allDevices, unavailable: devicesUnavailable, loading: devicesLoading })
            )}
          </Select.Item>
        )}
      </Select.Content>
    </Select>
  )
}
