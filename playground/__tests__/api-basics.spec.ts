import { API_KEY, call, finalizedOrder, start } from "./helpers"

describe("authentication", () => {
  it("accepts Basic <API key>", async () => {
    const playground = await start()
    const res = await call(playground, "GET", "/ipp/v1/locations")
    expect(res.status).toBe(200)
  })

  it("accepts the older Basic base64(<MID>-<suffix>:<API key>) form", async () => {
    const playground = await start({ merchantId: "DM11917000" })
    const credentials = Buffer.from(`DM11917000-abc123:${API_KEY}`).toString("base64")
    const res = await call(playground, "GET", "/ipp/v1/locations", { headers: { authorization: `Basic ${credentials}` } })
    expect(res.status).toBe(200)
  })

  it.each([
    ["no header", undefined],
    ["a wrong key", "Basic kco_test_api_wrong"],
    ["Bearer instead of Basic", `Bearer ${API_KEY}`],
    ["the old form with another merchant", `Basic ${Buffer.from(`OTHER-x:${API_KEY}`).toString("base64")}`],
    ["the old form with a wrong key", `Basic ${Buffer.from("PLAYGROUND-x:nope").toString("base64")}`],
    ["the old form without a suffix", `Basic ${Buffer.from(`PLAYGROUND-:${API_KEY}`).toString("base64")}`],
  ])("answers 401 problem for %s", async (_label, authorization) => {
    const playground = await start()
    const res = await call(playground, "GET", "/ipp/v1/locations", {
      noAuth: true,
      headers: authorization ? { authorization } : {},
    })
    expect(res.status).toBe(401)
    expect(res.headers.get("content-type")).toBe("application/problem+json")
    expect(res.body).toMatchObject({ status: 401, title: "Unauthorized", type: "about:blank" })
  })

  it("answers 401 in the Order Management error shape on /ordermanagement routes", async () => {
    const playground = await start()
    const res = await call(playground, "GET", "/ordermanagement/v1/orders/x", { noAuth: true })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error_code: "UNAUTHORIZED", error_messages: [expect.any(String)], correlation_id: expect.any(String) })
  })

  it("never puts the API key in the request log", async () => {
    const playground = await start()
    await call(playground, "GET", "/ipp/v1/locations")
    const [entry] = playground.requests()
    expect(entry.headers.authorization).toBe("[redacted]")
    expect(JSON.stringify(playground.requests())).not.toContain(API_KEY)
  })
})

describe("x-merchant-id", () => {
  it("is optional, and must match when sent (403 otherwise)", async () => {
    const playground = await start({ merchantId: "M1" })
    expect((await call(playground, "GET", "/ipp/v1/locations")).status).toBe(200)
    expect((await call(playground, "GET", "/ipp/v1/locations", { headers: { "x-merchant-id": "M1" } })).status).toBe(200)
    const wrong = await call(playground, "GET", "/ipp/v1/locations", { headers: { "x-merchant-id": "M2" } })
    expect(wrong.status).toBe(403)
    expect(wrong.headers.get("content-type")).toBe("application/problem+json")
  })

  it("is required by list-enrollments (400 naming the header)", async () => {
    const playground = await start({ merchantId: "M1" })
    const res = await call(playground, "GET", "/ipp/v1/enrollments")
    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual({ "x-merchant-id": "header is required" })
    const ok = await call(playground, "GET", "/ipp/v1/enrollments", { headers: { "x-merchant-id": "M1" } })
    expect(ok.status).toBe(200)
  })
})

describe("errors and robustness", () => {
  it("answers an unknown route with a 404 problem", async () => {
    const playground = await start()
    const res = await call(playground, "GET", "/ipp/v1/nothing-here")
    expect(res.status).toBe(404)
    expect(res.headers.get("content-type")).toBe("application/problem+json")
    expect(res.body).toMatchObject({ status: 404, title: "Not Found" })
  })

  it("answers a wrong method on a known path with 405 and Allow", async () => {
    const playground = await start()
    const res = await call(playground, "DELETE", "/ipp/v1/locations")
    expect(res.status).toBe(405)
    expect(res.headers.get("allow")).toBe("GET")
  })

  it("answers malformed JSON with a 400 problem, on IPP and OM routes", async () => {
    const playground = await start()
    const ipp = await call(playground, "POST", "/ipp/v1/enrollments", { body: "{not json" })
    expect(ipp.status).toBe(400)
    expect(ipp.body.errors).toEqual({ body: "is not valid JSON" })
    const orderId = await finalizedOrder(playground)
    const om = await call(playground, "POST", `/ordermanagement/v1/orders/${orderId}/refunds`, { body: "[" })
    expect(om.status).toBe(400)
    expect(om.body.error_code).toBe("BAD_VALUE")
  })

  it("rejects a body that is not an object", async () => {
    const playground = await start()
    const res = await call(playground, "POST", "/ipp/v1/sessions", { body: "[1,2]" })
    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual({ body: "must be a JSON object" })
  })

  it("answers 413 to a body over 1 MB and keeps serving", async () => {
    const playground = await start()
    const res = await call(playground, "POST", "/ipp/v1/enrollments", { body: JSON.stringify({ metadata: { big: "x".repeat(1_100_000) } }) })
    expect(res.status).toBe(413)
    expect((await call(playground, "GET", "/ipp/v1/locations")).status).toBe(200)
  })

  it("logs requests with method, path, query, body and status", async () => {
    const playground = await start()
    await call(playground, "POST", "/ipp/v1/enrollments?x=1&x=2", { body: { metadata: { a: "b" } } })
    const [entry] = playground.requests()
    expect(entry).toMatchObject({
      method: "POST",
      path: "/ipp/v1/enrollments",
      query: { x: ["1", "2"] },
      body: { metadata: { a: "b" } },
      status: 201,
    })
    expect(Date.parse(entry.at)).not.toBeNaN()
  })
})

describe("locations and paging", () => {
  const locations = [
    { id: "loc-1", name: "Store 1", city: "Stockholm" },
    { id: "loc-2", name: "Store 2" },
    { name: "Store 3", city: "Malmö" },
  ]

  it("lists locations with Kustom's paging", async () => {
    const playground = await start({ locations })
    const first = await call(playground, "GET", "/ipp/v1/locations?page_size=2")
    expect(first.body).toMatchObject({ total_elements: 3, total_pages: 2, page_number: 0, page_size: 2, first: true, last: false })
    expect(first.body.content).toEqual([
      { id: "loc-1", name: "Store 1", city: "Stockholm" },
      { id: "loc-2", name: "Store 2", city: null },
    ])
    const second = await call(playground, "GET", "/ipp/v1/locations?page_size=2&page_number=1")
    expect(second.body).toMatchObject({ page_number: 1, first: false, last: true })
    expect(second.body.content).toEqual([{ id: expect.any(String), name: "Store 3", city: "Malmö" }])
  })

  it("gives a location configured without id a stable id", async () => {
    const a = await start({ locations: [{ name: "Same name" }] })
    const b = await start({ locations: [{ name: "Same name" }] })
    const idA = (await call(a, "GET", "/ipp/v1/locations")).body.content[0].id
    const idB = (await call(b, "GET", "/ipp/v1/locations")).body.content[0].id
    expect(idA).toBe(idB)
    expect(idA).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it("has one default location, Playground Store in Stockholm", async () => {
    const playground = await start()
    const res = await call(playground, "GET", "/ipp/v1/locations")
    expect(res.body.content).toEqual([{ id: expect.any(String), name: "Playground Store", city: "Stockholm" }])
    const one = await call(playground, "GET", `/ipp/v1/locations/${res.body.content[0].id}`)
    expect(one.body.name).toBe("Playground Store")
    expect((await call(playground, "GET", "/ipp/v1/locations/nope")).status).toBe(404)
  })

  it.each([
    ["page_size=0", "page_size"],
    ["page_size=101", "page_size"],
    ["page_number=-1", "page_number"],
    ["page_number=abc", "page_number"],
  ])("rejects %s", async (query, field) => {
    const playground = await start()
    const res = await call(playground, "GET", `/ipp/v1/locations?${query}`)
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual([field])
  })

  it("reports an empty page past the end", async () => {
    const playground = await start()
    const res = await call(playground, "GET", "/ipp/v1/locations?page_number=5")
    expect(res.body).toMatchObject({ content: [], total_elements: 1, total_pages: 1, page_number: 5, last: true })
  })
})
