import { Container, Table, Text } from "@medusajs/ui"
import { errorMessage, useDevices, useKustomLocations } from "../../lib/api"
import { elementById } from "../../lib/focus"
import { formatAgo, formatDateTime, platformLabel, useNow } from "../../lib/format"
import { DeviceActions } from "../device-actions"
import { EmptyState, SectionHeader } from "../section"

const HEADING_ID = "kustom-devices-heading"

/** The registered phones. The list refreshes by itself, so a phone registered just now appears. */
export const DevicesSection = () => {
  const now = useNow(5_000)
  const { data, isPending, isError, error } = useDevices()
  const locations = useKustomLocations()
  const devices = data?.devices ?? []
  const showLastSeen = devices.some((device) => device.last_seen_at)
  return (
    <Container className="divide-y p-0" data-testid="kustom-devices">
      <SectionHeader
        title="Devices"
        description="Phones registered with the Kustom POS app. Payments are sent to one of these."
        headingId={HEADING_ID}
      />
      {isError ? (
        <EmptyState error>{errorMessage(error)}</EmptyState>
      ) : !devices.length ? (
        <EmptyState>{isPending ? "Loading…" : "No devices yet. Enroll one with a code above."}</EmptyState>
      ) : (
        // Scrolls sideways inside the card on a narrow screen, so the actions stay reachable. Relative,
        // so that the texts hidden for screen readers stay inside it too.
        <div className="relative overflow-x-auto" data-testid="devices-table-scroll">
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>Name</Table.HeaderCell>
                <Table.HeaderCell>Platform</Table.HeaderCell>
                <Table.HeaderCell>Location</Table.HeaderCell>
                <Table.HeaderCell>Registered</Table.HeaderCell>
                {showLastSeen && <Table.HeaderCell>Last seen</Table.HeaderCell>}
                <Table.HeaderCell>
                  <span className="sr-only">Actions</span>
                </Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {devices.map((device) => (
                <Table.Row key={device.id} data-testid={`device-row-${device.id}`}>
                  <Table.Cell>
                    {/* Long names (up to 100 characters) are cut with "…"; the full name is the tooltip. */}
                    <Text size="small" weight="plus" className="max-w-[16rem] truncate" title={device.name} data-testid="device-name-cell">
                      {device.name}
                    </Text>
                  </Table.Cell>
                  <Table.Cell>{platformLabel(device.platform)}</Table.Cell>
                  <Table.Cell>
                    <div className="max-w-[12rem] truncate" title={device.location_name ?? undefined}>
                      {device.location_name ?? "—"}
                    </div>
                  </Table.Cell>
                  <Table.Cell className="whitespace-nowrap">{formatDateTime(device.created_at)}</Table.Cell>
                  {showLastSeen && <Table.Cell className="whitespace-nowrap">{device.last_seen_at ? formatAgo(device.last_seen_at, now) : "—"}</Table.Cell>}
                  <Table.Cell className="text-right">
                    <DeviceActions device={device} locations={locations.data?.locations ?? []} focusAfterRemove={elementById(HEADING_ID)} />
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      )}
    </Container>
  )
}
