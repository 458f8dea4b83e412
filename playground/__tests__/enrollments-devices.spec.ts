import { advanceClock, call, createSession, simulatedDevice, start } from "./helpers"

const MID = { "x-merchant-id": "PLAYGROUND" }

async function enroll(playground: { url: string }, body: Record<string, unknown> = {}) {
  const res = await call(playground, "POST", "/ipp/v1/enrollments", { body })
  expect(res.status).toBe(201)
  return res.body as { enrollment_id: string; enrollment_code: string; expires_at: string; status: string; location_id: string }
}

function register(playground: { url: string }, code: string, extra: Record<string, unknown> = {}) {
  return call(playground, "POST", "/ipp/v1/devices/register", {
    noAuth: true,
    body: { enrollment_code: code, name: "Checkout 1", platform: "IOS", hardware_id: "hw-1", ...extra },
  })
}

describe("enrollments", () => {
  it("creates an 8-character code from the unambiguous alphabet, expiring after 2 h by default", async () => {
    const playground = await start()
    const before = Date.now()
    const e = await enroll(playground, { metadata: { till: "1" } })
    expect(e.enrollment_code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/)
    expect(e).toMatchObject({ status: "PENDING", metadata: { till: "1" }, location_id: expect.any(String) })
    const expiresIn = Date.parse(e.expires_at) - before
    expect(expiresIn).toBeGreaterThanOrEqual(7_200_000 - 1000)
    expect(expiresIn).toBeLessThanOrEqual(7_200_000 + 1000)
  })

  it("makes distinct random codes", async () => {
    const playground = await start()
    const codes = new Set<string>()
    for (let i = 0; i < 30; i++) codes.add((await enroll(playground)).enrollment_code)
    expect(codes.size).toBe(30)
  })

  it.each([
    [{ expires_in: 999 }, "expires_in"],
    [{ expires_in: 604_800_001 }, "expires_in"],
    [{ expires_in: 1.5 }, "expires_in"],
    [{ metadata: "x" }, "metadata"],
    [{ location_id: "nope" }, "location_id"],
  ])("rejects %j", async (body, field) => {
    const playground = await start()
    const res = await call(playground, "POST", "/ipp/v1/enrollments", { body })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual([field])
  })

  it("needs location_id when the account has several locations", async () => {
    const playground = await start({ locations: [{ id: "a", name: "A" }, { id: "b", name: "B" }] })
    const res = await call(playground, "POST", "/ipp/v1/enrollments", { body: {} })
    expect(res.status).toBe(400)
    expect(res.body.errors.location_id).toMatch(/required/)
    expect((await enroll(playground, { location_id: "b" })).location_id).toBe("b")
  })

  it("is single use: a device registers once, then the code is CONSUMED", async () => {
    const playground = await start()
    const e = await enroll(playground, { metadata: { till: "7" } })
    const first = await register(playground, e.enrollment_code.toLowerCase())
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({
      name: "Checkout 1",
      platform: "IOS",
      hardware_id: "hw-1",
      merchant_id: "PLAYGROUND",
      location_id: e.location_id,
      metadata: { till: "7" },
      credentials: { device_token: expect.stringMatching(/^kdt_/) },
    })
    const again = await register(playground, e.enrollment_code)
    expect(again.status).toBe(400)
    expect(again.body.errors.enrollment_code).toBe("has already been used")

    const pending = await call(playground, "GET", "/ipp/v1/enrollments", { headers: MID })
    expect(pending.body.content).toEqual([])
    const all = await call(playground, "GET", "/ipp/v1/enrollments?include_consumed=true", { headers: MID })
    expect(all.body.content).toEqual([expect.objectContaining({ enrollment_id: e.enrollment_id, status: "CONSUMED" })])
  })

  it("rejects an unknown code and invalid registration bodies", async () => {
    const playground = await start()
    const unknown = await register(playground, "AAAAAAAA")
    expect(unknown.status).toBe(400)
    expect(unknown.body.errors.enrollment_code).toMatch(/not a known/)
    const e = await enroll(playground)
    const bad = await register(playground, e.enrollment_code, { platform: "WINDOWS", name: "" })
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.errors).sort()).toEqual(["name", "platform"])
  })

  it("expires at expires_at: EXPIRED in the listing, refused at registration", async () => {
    const playground = await start()
    const e = await enroll(playground, { expires_in: 1000 })
    advanceClock(1001)
    const listed = await call(playground, "GET", "/ipp/v1/enrollments?include_consumed=true", { headers: MID })
    expect(listed.body.content).toEqual([expect.objectContaining({ enrollment_id: e.enrollment_id, status: "EXPIRED" })])
    const res = await register(playground, e.enrollment_code)
    expect(res.status).toBe(400)
    expect(res.body.errors.enrollment_code).toBe("has expired")
  })

  it("cancels a PENDING code (204), which then never appears and cannot be used; 409 otherwise", async () => {
    const playground = await start()
    const e = await enroll(playground)
    expect((await call(playground, "DELETE", `/ipp/v1/enrollments/${e.enrollment_id}`)).status).toBe(204)
    const listed = await call(playground, "GET", "/ipp/v1/enrollments?include_consumed=true", { headers: MID })
    expect(listed.body.content).toEqual([])
    const res = await register(playground, e.enrollment_code)
    expect(res.body.errors.enrollment_code).toBe("has been cancelled")
    expect((await call(playground, "DELETE", `/ipp/v1/enrollments/${e.enrollment_id}`)).status).toBe(409)

    const used = await enroll(playground)
    await register(playground, used.enrollment_code)
    expect((await call(playground, "DELETE", `/ipp/v1/enrollments/${used.enrollment_id}`)).status).toBe(409)
    expect((await call(playground, "DELETE", "/ipp/v1/enrollments/unknown")).status).toBe(404)
  })

  it("filters by location and metadata (ANDed, at most 5) and pages", async () => {
    const playground = await start({ locations: [{ id: "a", name: "A" }, { id: "b", name: "B" }] })
    const e1 = await enroll(playground, { location_id: "a", metadata: { till: "1", shift: "am" } })
    const e2 = await enroll(playground, { location_id: "a", metadata: { till: "2", shift: "am" } })
    const e3 = await enroll(playground, { location_id: "b", metadata: { till: "1", shift: "am" } })
    const ids = (res: { body: { content: { enrollment_id: string }[] } }) => res.body.content.map((e) => e.enrollment_id)

    expect(ids(await call(playground, "GET", "/ipp/v1/enrollments?location_id=a", { headers: MID }))).toEqual([e1.enrollment_id, e2.enrollment_id])
    expect(ids(await call(playground, "GET", "/ipp/v1/enrollments?metadata=till:1", { headers: MID }))).toEqual([e1.enrollment_id, e3.enrollment_id])
    expect(
      ids(await call(playground, "GET", "/ipp/v1/enrollments?metadata=till:1&metadata=shift:am&location_id=b", { headers: MID }))
    ).toEqual([e3.enrollment_id])
    expect(ids(await call(playground, "GET", "/ipp/v1/enrollments?metadata=shift:pm", { headers: MID }))).toEqual([])

    const paged = await call(playground, "GET", "/ipp/v1/enrollments?page_size=2&page_number=1", { headers: MID })
    expect(paged.body).toMatchObject({ total_elements: 3, total_pages: 2, first: false, last: true })
    expect(ids(paged)).toEqual([e3.enrollment_id])

    const six = Array.from({ length: 6 }, (_, i) => `metadata=k${i}:v`).join("&")
    const tooMany = await call(playground, "GET", `/ipp/v1/enrollments?${six}`, { headers: MID })
    expect(tooMany.status).toBe(400)
    expect(Object.keys(tooMany.body.errors)).toEqual(["metadata"])
    const malformed = await call(playground, "GET", "/ipp/v1/enrollments?metadata=nocolon", { headers: MID })
    expect(malformed.status).toBe(400)
  })
})

describe("devices", () => {
  it("lists and gets devices", async () => {
    const playground = await start()
    const a = await simulatedDevice(playground, { name: "A" })
    const b = await simulatedDevice(playground, { name: "B", metadata: { till: 2 } })
    const list = await call(playground, "GET", "/ipp/v1/devices?page_size=1&page_number=1")
    expect(list.body).toMatchObject({ total_elements: 2, page_size: 1, last: true })
    expect(list.body.content).toEqual([
      expect.objectContaining({ id: b.id, name: "B", metadata: { till: 2, simulated: true }, merchant_id: "PLAYGROUND" }),
    ])
    expect(list.body.content[0].credentials).toBeUndefined()
    const one = await call(playground, "GET", `/ipp/v1/devices/${a.id}`)
    expect(one.body).toMatchObject({ id: a.id, name: "A", platform: "ANDROID", created_at: expect.any(String) })
    expect((await call(playground, "GET", "/ipp/v1/devices/unknown")).status).toBe(404)
  })

  it("PUT replaces: omitted metadata becomes {} and omitted location_id null", async () => {
    const playground = await start({ locations: [{ id: "a", name: "A" }, { id: "b", name: "B" }] })
    const device = await simulatedDevice(playground, { name: "Old", location_id: "a", metadata: { till: "1" } })
    const moved = await call(playground, "PUT", `/ipp/v1/devices/${device.id}`, {
      body: { name: "New", location_id: "b", metadata: { till: "9" } },
    })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ name: "New", location_id: "b", metadata: { till: "9" } })

    const replaced = await call(playground, "PUT", `/ipp/v1/devices/${device.id}`, { body: { name: "Bare" } })
    expect(replaced.body).toMatchObject({ name: "Bare", location_id: null, metadata: {} })
    expect((await call(playground, "GET", `/ipp/v1/devices/${device.id}`)).body).toMatchObject({ location_id: null, metadata: {} })
  })

  it("PUT requires a name and a known location", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const noName = await call(playground, "PUT", `/ipp/v1/devices/${device.id}`, { body: { metadata: {} } })
    expect(noName.status).toBe(400)
    expect(noName.body.errors).toEqual({ name: "is required" })
    const badLocation = await call(playground, "PUT", `/ipp/v1/devices/${device.id}`, { body: { name: "x", location_id: "nope" } })
    expect(badLocation.body.errors).toEqual({ location_id: "unknown location nope" })
  })

  it("DELETE removes the device (204), cancels its open sessions and revokes its token", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    expect((await call(playground, "DELETE", `/ipp/v1/devices/${device.id}`)).status).toBe(204)
    expect((await call(playground, "GET", `/ipp/v1/devices/${device.id}`)).status).toBe(404)
    expect((await call(playground, "GET", `/ipp/v1/sessions/${session.session_id}`)).body.status).toBe("CANCELLED")
    expect(playground.events().map((e) => e.type)).toEqual(["ipp.session.created", "ipp.session.cancelled"])
    const me = await call(playground, "GET", "/pos/v1/me", { noAuth: true, headers: { authorization: `Bearer ${device.credentials.device_token}` } })
    expect(me.status).toBe(401)
    expect((await call(playground, "DELETE", `/ipp/v1/devices/${device.id}`)).status).toBe(404)
  })

  it("creates simulated devices in a given location, validated", async () => {
    const playground = await start({ locations: [{ id: "a", name: "A" }, { id: "b", name: "B" }] })
    expect((await simulatedDevice(playground, { name: "x", location_id: "b" })).location_id).toBe("b")
    expect((await simulatedDevice(playground, { name: "y" })).location_id).toBeNull()
    const bad = await call(playground, "POST", "/ipp/v1/dev/devices", { body: { name: "z", location_id: "c" } })
    expect(bad.status).toBe(400)
    expect(bad.body.errors).toEqual({ location_id: "unknown location c" })
  })
})
