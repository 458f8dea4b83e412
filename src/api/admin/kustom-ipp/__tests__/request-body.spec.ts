/**
 * The admin request bodies: JSON objects only, and every refusal names the field and the
 * reason in words a person can act on (the HTTP behaviour is tested in
 * integration-tests/http/admin-settings.spec.ts).
 */
import { Readable } from "node:stream"
import { MedusaError } from "@medusajs/framework/utils"
import { readJsonObjectBody, validateBody } from "../request-body"
import {
  CreateEnrollmentSchema,
  EmptyBodySchema,
  LinkLocationSchema,
  SendToDeviceSchema,
  SetDeviceDefaultSchema,
  UpdateDeviceSchema,
} from "../validators"

function request(body: string | undefined, headers: Record<string, string> = { "content-type": "application/json" }) {
  const stream = Readable.from(body === undefined ? [] : [Buffer.from(body)]) as any
  stream.headers = body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)), ...headers }
  return stream
}

async function read(body: string | undefined, headers?: Record<string, string>): Promise<{ body?: unknown; error?: MedusaError }> {
  const req = request(body, headers)
  const res = { status: () => ({ json: () => undefined }) } as any
  return new Promise((resolve) => {
    void readJsonObjectBody()(req, res, (error?: unknown) => resolve(error ? { error: error as MedusaError } : { body: req.body }))
  })
}

async function validate(schema: Parameters<typeof validateBody>[0], body: unknown): Promise<{ value?: unknown; error?: MedusaError }> {
  const req = { body } as any
  return new Promise((resolve) => {
    void validateBody(schema)(req, {} as any, (error?: unknown) => resolve(error ? { error: error as MedusaError } : { value: req.validatedBody }))
  })
}

describe("admin request bodies", () => {
  it.each([
    ["[]", "got an array"],
    ["null", "got null"],
    ['"device"', 'got the text "device"'],
    ["5", "got a number (5)"],
    ["true", "got true"],
  ])("refuses a body of %s: it must be a JSON object", async (body, got) => {
    const { error } = await read(body)
    expect(error).toBeInstanceOf(MedusaError)
    expect(error?.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error?.message).toBe(`The request body must be a JSON object ({ … }), ${got}`)
  })

  it("reads an object, takes an empty body as {}, and says what is wrong with broken JSON or another format", async () => {
    expect(await read('{"device_id":"dev_1"}')).toEqual({ body: { device_id: "dev_1" } })
    expect(await read(undefined)).toEqual({ body: {} })
    expect((await read("{bad")).error?.message).toMatch(/^The request body is not valid JSON: /)
    expect((await read("device_id=dev_1", { "content-type": "application/x-www-form-urlencoded" })).error?.message).toBe(
      "Send the request body as JSON, with Content-Type: application/json (got application/x-www-form-urlencoded)"
    )
  })

  it("answers 413 past 100 KiB, with or without a Content-Length", async () => {
    for (const withLength of [true, false]) {
      const big = JSON.stringify({ name: "x".repeat(150 * 1024) })
      const req = Readable.from([Buffer.from(big.slice(0, 60_000)), Buffer.from(big.slice(60_000))]) as any
      req.headers = { "content-type": "application/json", ...(withLength ? { "content-length": String(big.length) } : {}) }
      const answered = await new Promise<{ status: number; body: any }>((resolve, reject) => {
        const res = { status: (status: number) => ({ json: (body: unknown) => resolve({ status, body }) }) } as any
        void readJsonObjectBody()(req, res, () => reject(new Error("went on")))
      })
      expect(answered).toEqual({ status: 413, body: { type: "invalid_data", message: "The body is larger than 100 KiB" } })
    }
  })

  it("names the field, what it must be and what was sent", async () => {
    expect((await validate(SetDeviceDefaultSchema, { scope: "location", scope_id: "loc", device_id: [] })).error?.message).toBe(
      "device_id: must be a device id (text), or null to remove the default, got an array"
    )
    expect((await validate(SendToDeviceSchema, {})).error?.message).toBe("device_id: is required: the Kustom device to send the payment to")
    expect((await validate(SendToDeviceSchema, { device_id: 42 })).error?.message).toBe("device_id: must be a device id (text), got a number (42)")
    expect((await validate(SetDeviceDefaultSchema, { scope: "region", scope_id: "x", device_id: null })).error?.message).toBe(
      'scope: must be "sales_channel" or "location", got the text "region"'
    )
    expect((await validate(CreateEnrollmentSchema, { expires_in_minutes: "30" })).error?.message).toBe(
      'expires_in_minutes: must be a number of minutes, got the text "30"'
    )
    expect((await validate(CreateEnrollmentSchema, { expires_in_minutes: 0 })).error?.message).toBe("expires_in_minutes: must be at least 1 minute")
    expect((await validate(LinkLocationSchema, { stock_location_id: "  " , kustom_location_id: null })).error?.message).toBe(
      "stock_location_id: must not be empty"
    )
    expect((await validate(EmptyBodySchema, { force: true })).error?.message).toBe("force: is not a field of this request")
    expect((await validate(SendToDeviceSchema, { device_id: "dev_1", devce: 1 })).error?.message).toBe(
      "devce: is not a field of this request (it takes device_id, provider_id)"
    )
    expect((await validate(UpdateDeviceSchema, {})).error?.message).toBe("Send a new name, a location_id, or both")
  })

  it("refuses control characters in a device name and in ids, and trims surrounding whitespace", async () => {
    expect((await validate(UpdateDeviceSchema, { name: "Till\u00001" })).error?.message).toBe(
      "name: must not contain control characters such as line breaks, tabs or NUL (found U+0000 at character 5)"
    )
    expect((await validate(UpdateDeviceSchema, { name: "Front\ncounter" })).error?.message).toMatch(/^name: must not contain control characters .*U\+000A/)
    expect((await validate(UpdateDeviceSchema, { name: "Till\u007F" })).error?.message).toMatch(/U\+007F/)
    expect((await validate(SendToDeviceSchema, { device_id: "dev\u001b1" })).error?.message).toMatch(/^device_id: must not contain control characters/)
    expect(await validate(UpdateDeviceSchema, { name: "\t Front counter \n" })).toEqual({ value: { name: "Front counter" } })
    expect(await validate(UpdateDeviceSchema, { name: "Kassa 1 — Café" })).toEqual({ value: { name: "Kassa 1 — Café" } })
  })

  it("refuses C1 controls, line separators, direction overrides and unpaired surrogates, and keeps emoji and right-to-left names", async () => {
    expect((await validate(UpdateDeviceSchema, { name: "Till\u00851" })).error?.message).toBe(
      "name: must not contain control characters such as line breaks, tabs or NUL (found U+0085 at character 5)"
    )
    expect((await validate(UpdateDeviceSchema, { name: "Till\u20281" })).error?.message).toBe(
      "name: must not contain line or paragraph separators (found U+2028 at character 5)"
    )
    expect((await validate(UpdateDeviceSchema, { name: "Till \u202Eevil" })).error?.message).toBe(
      "name: must not contain invisible characters that change the direction text is shown in (found U+202E at character 6)"
    )
    expect((await validate(SendToDeviceSchema, { device_id: "dev\u20661" })).error?.message).toMatch(/^device_id: must not contain invisible characters .*U\+2066/)
    expect((await validate(UpdateDeviceSchema, { name: "Till \uD83D" })).error?.message).toBe(
      "name: must not contain half of a character (an unpaired surrogate) (found U+D83D at character 6)"
    )
    expect((await validate(UpdateDeviceSchema, { name: "\uDE00 Till" })).error?.message).toMatch(/unpaired surrogate.*U\+DE00 at character 1/)
    for (const name of ["Kassa 👨‍👩‍👧 1", "קופה 1", "Till 🙂", "كاشير\u200F 2"]) {
      expect(await validate(UpdateDeviceSchema, { name })).toEqual({ value: { name } })
    }
  })
})
