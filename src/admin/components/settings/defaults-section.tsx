import { Container, Table, Text, toast } from "@medusajs/ui"
import { useQuery } from "@tanstack/react-query"
import { errorMessage, useDeviceDefaults, useDevices, useSetDeviceDefault } from "../../lib/api"
import { sdk } from "../../lib/sdk"
import { unlistedDeviceLabel } from "../../lib/devices"
import { DeviceSelect } from "../device-select"
import { EmptyState, SectionHeader } from "../section"

/** The device a sales channel's payments go to when none is named (e.g. a POS front end that never asks). */
export const DefaultsSection = () => {
  const channels = useQuery({
    queryKey: ["kustom-ipp", "medusa-sales-channels"],
    queryFn: () => sdk.admin.salesChannel.list({ limit: 100, fields: "id,name,is_disabled" }),
  })
  const defaults = useDeviceDefaults()
  const devices = useDevices()
  const setDefault = useSetDeviceDefault()
  const defaultOf = (channelId: string) =>
    defaults.data?.defaults.find((row) => row.scope === "sales_channel" && row.scope_id === channelId)?.device_id ?? null
  const configured = defaults.data?.configured
  const nameOf = (deviceId: string) =>
    unlistedDeviceLabel(deviceId, { all: devices.data?.devices ?? [], unavailable: devices.isError && !devices.data, loading: devices.isPending })

  return (
    <Container className="divide-y p-0" data-testid="kustom-defaults">
      <SectionHeader
        title="Default device per sales channel"
        description="Used when a payment names no device. A sales channel's default comes before its location's."
      />
      {channels.isError ? (
        <EmptyState error>{errorMessage(channels.error)}</EmptyState>
      ) : !channels.data?.sales_channels.length ? (
        <EmptyState>{channels.isPending ? "Loading…" : "No sales channels."}</EmptyState>
      ) : (
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Sales channel</Table.HeaderCell>
              <Table.HeaderCell>Default device</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {channels.data.sales_channels.map((channel) => (
              <Table.Row key={channel.id} data-testid={`channel-default-row-${channel.id}`}>
                <Table.Cell>
                  <Text size="small">{channel.name}</Text>
                </Table.Cell>
                <Table.Cell className="w-[40%] py-2">
                  <DeviceSelect
                    devices={devices.data?.devices ?? []}
                    devicesUnavailable={devices.isError && !devices.data}
                    devicesLoading={devices.isPending}
                    value={defaultOf(channel.id)}
                    noneLabel="No default"
                    aria-label={`Default device for ${channel.name}`}
                    // Not disabled while saving: that would take focus from it. The server saves one at a time.
                    data-testid={`channel-default-${channel.id}`}
                    onChange={(deviceId) =>
                      setDefault.mutate(
                        { scope: "sales_channel", scope_id: channel.id, device_id: deviceId },
                        {
                          onSuccess: () => toast.success(`Default device for ${channel.name} saved`),
                          onError: (error) => toast.error("Could not save the default device", { description: errorMessage(error) }),
                        }
                      )
                    }
                  />
                  {!defaultOf(channel.id) && configured?.sales_channels[channel.id] && (
                    <Text size="xsmall" className="text-ui-fg-subtle mt-1" data-testid={`channel-configured-default-${channel.id}`}>
                      From the plugin's options: {nameOf(configured.sales_channels[channel.id])}
                    </Text>
                  )}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      )}
      {configured?.default_device_id && (
        <div className="px-6 py-4" data-testid="store-configured-default">
          <Text size="small" className="text-ui-fg-subtle">
            A payment with no default here or at its location goes to{" "}
            <span className="text-ui-fg-base font-medium">{nameOf(configured.default_device_id)}</span>, the store's default
            device set in the plugin's options (<code>defaultDeviceId</code>).
          </Text>
        </div>
      )}
    </Container>
  )
}
