import { deviceIdProblem, keptByThePluginProblem, unstorableDataProblem } from "../check-new-payment-session"

describe("deviceIdProblem", () => {
  it("leaves an absent device to the default, and takes a plain id", () => {
    expect(deviceIdProblem(undefined)).toBeNull()
    expect(deviceIdProblem(null)).toBeNull()
    expect(deviceIdProblem("dev_01ABC")).toBeNull()
    expect(deviceIdProblem("d".repeat(200))).toBeNull()
  })

  it("says what is wrong with an id that cannot name a device", () => {
    expect(deviceIdProblem(["dev"])).toBe("must be a device id (text), got an array")
    expect(deviceIdProblem("")).toBe("must not be empty: leave it out to use the default device")
    expect(deviceIdProblem("d".repeat(201))).toBe("must be at most 200 characters")
    expect(deviceIdProblem("abc\u0000def")).toBe("must not contain control characters such as line breaks, tabs or NUL (found U+0000 at character 4)")
    expect(deviceIdProblem("dev\u202E1")).toMatch(/^must not contain invisible characters that change the direction/)
  })
})

describe("unstorableDataProblem", () => {
  it("accepts what PostgreSQL can store, tabs, line breaks and emoji included", () => {
    expect(unstorableDataProblem({ device_id: "dev_1", note: "Kaffe\tx2\n☕ 👩‍👩‍👧", lines: [1, null, true, { a: "b" }] })).toBeNull()
  })

  it("names the first value or field name holding a NUL or half a character, in the order sent", () => {
    expect(unstorableDataProblem({ a: "ok", b: ["x", "y\u0000"] })).toBe("data.b.1: must not contain NUL characters (found U+0000 at character 2)")
    expect(unstorableDataProblem({ first: "\ud83d", second: "\u0000" })).toBe(
      "data.first: must not contain half of a character (an unpaired surrogate) (found U+D83D at character 1)"
    )
    expect(unstorableDataProblem({ nested: { "bad\u0000key": 1 } })).toBe("data.nested: a field name must not contain NUL characters (found U+0000 at character 4)")
  })

  it("refuses data nested deeper than Medusa can copy, without running out of stack itself", () => {
    let deep: unknown = "end"
    for (let level = 0; level < 100_000; level++) deep = [deep]
    expect(unstorableDataProblem({ deep })).toBe(`data.deep${".0".repeat(31)}: must not nest more than 32 levels deep`)
    let fine: unknown = "end"
    for (let level = 0; level < 30; level++) fine = { level: fine }
    expect(unstorableDataProblem({ fine })).toBeNull()
  })

  it("refuses a field named as a method every object has, at any depth", () => {
    expect(unstorableDataProblem({ hasOwnProperty: 1 })).toBe('data: a field must not be named "hasOwnProperty", the name of a method every object has')
    expect(unstorableDataProblem(JSON.parse('{"note": {"__proto__": {"x": 1}}}'))).toBe('data.note: a field must not be named "__proto__", the name of a method every object has')
    expect(unstorableDataProblem({ lines: [{ toString: "x" }] })).toBe('data.lines.0: a field must not be named "toString", the name of a method every object has')
  })
})

describe("keptByThePluginProblem", () => {
  it("takes the device, and keys the plugin does not keep", () => {
    expect(keptByThePluginProblem({})).toBeNull()
    expect(keptByThePluginProblem({ device_id: "dev_1", note: "counter 2" })).toBeNull()
  })

  it("names a key the plugin keeps, such as another sale's Kustom session", () => {
    const told = ": is set by the plugin, not by the caller: send data.device_id only (or nothing, for the default device)"
    expect(keptByThePluginProblem({ device_id: "dev_1", kustom_session_id: "27dc0b35" })).toBe(`data.kustom_session_id${told}`)
    for (const key of ["kustom_order_id", "order_amount", "kustom_status", "sale_id", "session_id", "problem", "order_refusal", "create_unconfirmed_at"]) {
      expect(keptByThePluginProblem({ [key]: null })).toBe(`data.${key}${told}`)
    }
  })
})
