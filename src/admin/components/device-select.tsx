import { Select } from "@medusajs/ui"
import type { Device } from "../lib/api"
import { platformLabel } from "../lib/format"

export const NONE = "__none__"

type Props = {
  devices: Device[]
  value: string | null
  onChange: (deviceId: string | null) => void
  placeholder?: string
  /** Offer "none" (e.g. "No default"); without it a device must be chosen. */
  noneLabel?: string
  disabled?: boolean
  id?: string
  "data-testid"?: string
  size?: "small" | "base"
}

/** Choose one of the registered devices; a device no longer registered still shows as such. */
export const DeviceSelect = ({ devices, value, onChange, placeholder, noneLabel, disabled, id, size = "small", ...rest }: Props) => {
  const missing = value && !devices.some((device) => device.id === value)
  return (
    <Select
      size={size}
      value={value ?? (noneLabel ? NONE : undefined)}
      onValueChange={(next) => onChange(next === NONE ? null : next)}
      disabled={disabled}
    >
      <Select.Trigger id={id} data-testid={rest["data-testid"]}>
        <Select.Value placeholder={placeholder ?? "Choose a device"} />
      </Select.Trigger>
      <Select.Content>
        {noneLabel && <Select.Item value={NONE}>{noneLabel}</Select.Item>}
        {devices.map((device) => (
          <Select.Item key={device.id} value={device.id}>
            {device.name}
            <span className="text-ui-fg-muted">
              {" "}
              · {platformLabel(device.platform)}
              {device.location_name ? ` · ${device.location_name}` : ""}
            </span>
          </Select.Item>
        ))}
        {missing && (
          <Select.Item value={value} disabled>
            Removed device ({value.slice(0, 8)}…)
          </Select.Item>
        )}
      </Select.Content>
    </Select>
  )
}
