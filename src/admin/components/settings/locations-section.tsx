import { Container, Select, Table, Text, toast } from "@medusajs/ui"
import { useQuery } from "@tanstack/react-query"
import { errorMessage, useDevices, useKustomLocations, useLinkLocation, useSetDeviceDefault } from "../../lib/api"
import { sdk } from "../../lib/sdk"
import { DeviceSelect, NONE } from "../device-select"
import { EmptyState, SectionHeader } from "../section"

/**
 * Kustom's locations with their default device, and the link of each Medusa stock location to
 * one of them (its page then shows that location's devices and can enroll new ones).
 */
export const LocationsSection = () => {
  const locations = useKustomLocations()
  const devices = useDevices()
  const stockLocations = useQuery({
    queryKey: ["kustom-ipp", "medusa-stock-locations"],
    queryFn: () => sdk.admin.stockLocation.list({ limit: 100, fields: "id,name" }),
  })
  const link = useLinkLocation()
  const setDefault = useSetDeviceDefault()
  const all = locations.data?.locations ?? []
  const allDevices = devices.data?.devices ?? []
  const linkOf = (stockLocationId: string) => all.find((location) => location.stock_location_ids.includes(stockLocationId))?.id ?? NONE

  return (
    <Container className="divide-y p-0" data-testid="kustom-locations">
      <SectionHeader
        title="Locations"
        description="Kustom's locations (shops). Devices and enrollment codes belong to one. The default device takes a payment sent without naming a device."
      />
      {locations.isError ? (
        <EmptyState error>{errorMessage(locations.error)}</EmptyState>
      ) : !all.length ? (
        <EmptyState>{locations.isPending ? "Loading…" : "Kustom reports no locations for this account."}</EmptyState>
      ) : (
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Kustom location</Table.HeaderCell>
              <Table.HeaderCell>Devices</Table.HeaderCell>
              <Table.HeaderCell className="w-[40%]">Default device</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {all.map((location) => {
              const here = allDevices.filter((device) => device.location_id === location.id)
              return (
                <Table.Row key={location.id} data-testid={`kustom-location-${location.id}`}>
                  <Table.Cell>
                    <Text size="small" weight="plus">
                      {location.name}
                    </Text>
                    {location.city && (
                      <Text size="xsmall" className="text-ui-fg-subtle">
                        {location.city}
                      </Text>
                    )}
                  </Table.Cell>
                  <Table.Cell>{here.length}</Table.Cell>
                  <Table.Cell className="py-2">
                    <DeviceSelect
                      devices={here.length ? here : allDevices}
                      value={location.default_device_id}
                      noneLabel="No default"
                      disabled={setDefault.isPending}
                      data-testid={`location-default-${location.id}`}
                      onChange={(deviceId) =>
                        setDefault.mutate(
                          { scope: "location", scope_id: location.id, device_id: deviceId },
                          {
                            onSuccess: () => toast.success(deviceId ? `Default device for ${location.name} saved` : `${location.name} has no default device now`),
                            onError: (error) => toast.error("Could not save the default device", { description: errorMessage(error) }),
                          }
                        )
                      }
                    />
                  </Table.Cell>
                </Table.Row>
              )
            })}
          </Table.Body>
        </Table>
      )}
      <div className="px-6 py-4">
        <Text size="small" weight="plus">
          Medusa stock locations
        </Text>
        <Text size="small" className="text-ui-fg-subtle">
          Link each stock location to its Kustom location: its page in Settings → Locations then lists the phones there and
          can enroll new ones.
        </Text>
      </div>
      {stockLocations.isError ? (
        <EmptyState error>{errorMessage(stockLocations.error)}</EmptyState>
      ) : !stockLocations.data?.stock_locations.length ? (
        <EmptyState>{stockLocations.isPending ? "Loading…" : "This store has no stock locations yet."}</EmptyState>
      ) : (
        <Table>
          <Table.Body>
            {stockLocations.data.stock_locations.map((stockLocation) => (
              <Table.Row key={stockLocation.id} data-testid={`stock-location-link-${stockLocation.id}`}>
                <Table.Cell>
                  <Text size="small">{stockLocation.name}</Text>
                </Table.Cell>
                <Table.Cell className="w-[40%] py-2">
                  <Select
                    size="small"
                    value={linkOf(stockLocation.id)}
                    disabled={link.isPending || !all.length}
                    onValueChange={(value) =>
                      link.mutate(
                        { stock_location_id: stockLocation.id, kustom_location_id: value === NONE ? null : value },
                        {
                          onSuccess: () => toast.success(value === NONE ? `${stockLocation.name} unlinked` : `${stockLocation.name} linked`),
                          onError: (error) => toast.error("Could not link the location", { description: errorMessage(error) }),
                        }
                      )
                    }
                  >
                    <Select.Trigger data-testid={`stock-location-select-${stockLocation.id}`}>
                      <Select.Value />
                    </Select.Trigger>
                    <Select.Content>
                      <Select.Item value={NONE}>Not linked</Select.Item>
                      {all.map((location) => (
                        <Select.Item key={location.id} value={location.id}>
                          {location.name}
                        </Select.Item>
                      ))}
                    </Select.Content>
                  </Select>
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      )}
    </Container>
  )
}
