import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminStockLocation, DetailWidgetProps } from "@medusajs/framework/types"
import { Plus } from "@medusajs/icons"
import { Badge, Button, Container, StatusBadge, Table, Text } from "@medusajs/ui"
import { useState } from "react"
import { Link } from "react-router-dom"
import { DeviceActions } from "../components/device-actions"
import { EnrollDeviceDrawer } from "../components/enroll-device-drawer"
import { EmptyState, SectionHeader } from "../components/section"
import { errorMessage, useKustomLocations, useStockLocationDevices } from "../lib/api"
import { elementById } from "../lib/focus"
import { formatAgo, formatCountdown, groupCode, platformLabel, spokenCode, spokenCountdown, useNow } from "../lib/format"

const HEADING_ID = "location-in-store-devices-heading"

/**
 * On a stock location's page: the payment phones of the Kustom location it is linked to, its
 * codes waiting for a phone, and "Enroll a device here" — a shop's phones are managed where the
 * shop is.
 */
const LocationInStoreDevicesWidget = ({ data: stockLocation }: DetailWidgetProps<AdminStockLocation>) => {
  const now = useNow()
  const [enrolling, setEnrolling] = useState(false)
  const { data, isPending, isError, error } = useStockLocationDevices(stockLocation.id)
  const locations = useKustomLocations({ enabled: Boolean(data?.kustom_location) })
  const location = data?.kustom_location

  return (
    <Container className="divide-y p-0" data-testid="location-in-store-devices">
      <SectionHeader
        title="In-person payment devices"
        headingId={HEADING_ID}
        description={
          location ? (
            <>
              Phones at Kustom location <span className="text-ui-fg-base font-medium">{location.name}</span>
              {location.city ? `, ${location.city}` : ""}.
            </>
          ) : undefined
        }
        actions={
          location && (
            <Button size="small" variant="secondary" onClick={() => setEnrolling(true)} data-testid="enroll-device-here">
              <Plus />
              Enroll a device here
            </Button>
          )
        }
      />
      {isError ? (
        <EmptyState error>{errorMessage(error)}</EmptyState>
      ) : isPending ? (
        <EmptyState>Loading…</EmptyState>
      ) : !location ? (
        <div className="flex flex-col gap-y-2 px-6 py-4" data-testid="location-not-linked">
          <Text size="small" className="text-ui-fg-subtle">
            {data.missing_kustom_location_id
              ? "This location is linked to a Kustom location that no longer exists."
              : "This location is not linked to a Kustom location yet, so no payment phones can be enrolled here."}
          </Text>
          <Button size="small" variant="secondary" className="w-fit" asChild>
            <Link to="/settings/in-person-payments">Link it in In-Person Payments settings</Link>
          </Button>
        </div>
      ) : (
        <>
          {data.devices.length ? (
            <Table>
              <Table.Header>
                <Table.Row>
                  <Table.HeaderCell>Device</Table.HeaderCell>
                  <Table.HeaderCell>Platform</Table.HeaderCell>
                  <Table.HeaderCell>Last seen</Table.HeaderCell>
                  <Table.HeaderCell>
                    <span className="sr-only">Actions</span>
                  </Table.HeaderCell>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {data.devices.map((device) => (
                  <Table.Row key={device.id} data-testid={`location-device-${device.id}`}>
                    <Table.Cell>
                      <div className="flex items-center gap-x-2">
                        <Text size="small" weight="plus">
                          {device.name}
                        </Text>
                        {device.id === data.default_device_id && <Badge size="2xsmall">Default</Badge>}
                      </div>
                    </Table.Cell>
                    <Table.Cell>{platformLabel(device.platform)}</Table.Cell>
                    <Table.Cell>{device.last_seen_at ? formatAgo(device.last_seen_at, now) : "—"}</Table.Cell>
                    <Table.Cell className="text-right">
                      <DeviceActions device={device} locations={locations.data?.locations ?? []} focusAfterRemove={elementById(HEADING_ID)} />
                    </Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          ) : (
            <EmptyState>No phone is registered here yet. Enroll one: the clerk types the code into the Kustom POS app.</EmptyState>
          )}
          {data.pending_enrollments.length > 0 && (
            <div className="flex flex-col gap-y-2 px-6 py-4" data-testid="location-pending-codes">
              <Text size="small" weight="plus">
                Codes waiting for a phone
              </Text>
              {data.pending_enrollments.map((enrollment) => (
                <div key={enrollment.enrollment_id} className="flex items-center justify-between">
                  <span className="font-mono text-lg font-semibold tracking-widest">
                    <span aria-hidden>{groupCode(enrollment.enrollment_code)}</span>
                    <span className="sr-only">Code {spokenCode(enrollment.enrollment_code)}</span>
                  </span>
                  <StatusBadge color="blue">
                    <span aria-hidden>expires in {formatCountdown(enrollment.expires_at, now)}</span>
                    <span className="sr-only">{spokenCountdown(enrollment.expires_at, now)}</span>
                  </StatusBadge>
                </div>
              ))}
            </div>
          )}
        </>
      )}
      {location && <EnrollDeviceDrawer open={enrolling} onOpenChange={setEnrolling} fixedLocation={location} />}
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "location.details.after",
})

export default LocationInStoreDevicesWidget
