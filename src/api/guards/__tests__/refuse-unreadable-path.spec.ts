import { unreadablePathProblem } from "../refuse-unreadable-path"

describe("unreadablePathProblem", () => {
  it("takes ids as Medusa and Kustom make them, encoded or not", () => {
    expect(unreadablePathProblem("/carts/cart_01ABC/payment")).toBeNull()
    expect(unreadablePathProblem("/devices/27dc0b35-0ed9-4d57-a171-135ce4254197")).toBeNull()
    expect(unreadablePathProblem("/devices/Kassa%20%C3%A5%F0%9F%98%80")).toBeNull()
  })

  it("says which part is not UTF-8 text, and which id holds a control character", () => {
    expect(unreadablePathProblem("/carts/%C3%28/payment")).toBe('The address is not valid: "%C3%28" is not percent-encoded UTF-8 text')
    expect(unreadablePathProblem("/carts/%ED%A0%80/payment")).toBe('The address is not valid: "%ED%A0%80" is not percent-encoded UTF-8 text')
    expect(unreadablePathProblem("/carts/%00/payment")).toBe(
      "The address is not valid: an id in it must not contain control characters such as line breaks, tabs or NUL (found U+0000 at character 1)"
    )
  })
})
