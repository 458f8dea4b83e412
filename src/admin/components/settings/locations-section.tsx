import { Container, Select, Table, Text, toast } from "@medusajs/ui"
import { useQuery } from "@tanstack/react-query"
import { errorMessage, useDeviceDefaults, useDevices, useKustomLocations, useLinkLocation, useLocationLinks, useSetDeviceDefault, type KustomLocation } from "../../lib/api"
import { sdk } from "../../lib/sdk"
import { unlistedDeviceLabel } from "../../lib/devices"
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
  // Asked only when Kustom's list failed: the stored links then still say what is linked.
  const storedLinks = useLocationLinks({ enabled: locations.isError })
  const setDefault = useSetDeviceDefault()
  const configured = useDeviceDefaults().data?.configured
  const all = locations.data?.locations ?? []
  const allDevices = devices.data?.devices ?? []
  const devicesUnavailable = devices.isError && !devices.data
  // The link as stored in Medusa (not worked out from Kustom's list, which may not have it).
  const linkOf = (stockLocationId: string) =>
    (locations.data?.links ?? storedLinks.data?.links)?.find((row) => row.stock_location_id === stockLocationId)?.kustom_location_id ?? NONE

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
                      // The devices here are offered first; a default elsewhere is still named from the full list.
                      devices={here.length ? here : allDevices}
                      allDevices={allDevices}
                      devicesUnavailable={devicesUnavailable}
                      devicesLoading={devices.isPending}
                      value={location.default_device_id}
                      noneLabel="No default"
                      aria-label={`Default device for ${location.name}`}
                      // Not disabled while saving: that would take focus from it. The server saves one at a time.
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
                    {!location.default_device_id && configured?.locations[location.id] && (
                      <Text size="xsmall" className="text-ui-fg-subtle mt-1" data-testid={`location-configured-default-${location.id}`}>
                        From the plugin's options:{" "}
                        {unlistedDeviceLabel(configured.locations[location.id], { all: allDevices, unavailable: devicesUnavailable, loading: devices.isPending })}
                      </Text>
                    )}
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
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Medusa stock location</Table.HeaderCell>
              <Table.HeaderCell>Kustom location</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {stockLocations.data.stock_locations.map((stockLocation) => (
              <Table.Row key={stockLocation.id} data-testid={`stock-location-link-${stockLocation.id}`}>
                <Table.Cell>
                  <Text size="small">{stockLocation.name}</Text>
                </Table.Cell>
                <Table.Cell className="w-[40%] py-2">
                  {locations.data ? (
                    <LinkSelect stockLocation={stockLocation} kustomLocations={all} linked={linkOf(stockLocation.id)} />
                  ) : storedLinks.data ? (
                    // Kustom's list is unavailable, the stored link is not: shown by id, not to be changed now.
                    <Text size="small" className="text-ui-fg-subtle" data-testid={`stock-location-link-stored-${stockLocation.id}`}>
                      {linkOf(stockLocation.id) === NONE
                        ? "Not linked"
                        : `Linked to Kustom location ${linkOf(stockLocation.id)} (Kustom's locations could not be loaded, so it cannot be changed now)`}
                    </Text>
                  ) : (
                    // Never "Not linked" when the links could not be read: the link may well exist.
                    <Text size="small" className="text-ui-fg-subtle" data-testid={`stock-location-link-unknown-${stockLocation.id}`}>
                      {locations.isPending ? "Loading…" : "Link not shown: Kustom's locations could not be loaded."}
                    </Text>
                  )}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      )}
    </Container>
  )
}

/** The Kustom location a stock location is linked to (the stored link), to change or remove it. */
const LinkSelect = ({
  stockLocation,
  kustomLocations,
  linked,
}: {
  stockLocation: { id: string; name: string }
  kustomLocations: KustomLocation[]
  linked: string
}) => {
  const link = useLinkLocation()
  const unlisted = linked !== NONE && !kustomLocations.some((location) => location.id === linked)
  return (
    <Select
      size="small"
      value={linked}
      // Not disabled while saving, which would take focus from it; the server saves one at a time.
      disabled={!kustomLocations.length}
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
      <Select.Trigger aria-label={`Kustom location for ${stockLocation.name}`} data-testid={`stock-location-select-${stockLocation.id}`}>
        <Select.Value />
      </Select.Trigger>
      <Select.Content>
        <Select.Item value={NONE}>Not linked</Select.Item>
        {kustomLocations.map((location) => (
          <Select.Item key={location.id} value={location.id}>
            {location.name}
          </Select.Item>
        ))}
        {unlisted && (
          // Linked to a location Kustom does not list (any more): named by its id.
          <Select.Item value={linked} disabled>
            Kustom location {linked} (not found in Kustom)
          </Select.Item>
        )}
      </Select.Content>
    </Select>
  )
}
