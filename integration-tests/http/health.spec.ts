import { medusaIntegrationTestRunner } from "@medusajs/test-utils"

jest.setTimeout(120_000)

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api }) => {
    it("boots the development store", async () => {
      const response = await api.get("/health")
      expect(response.status).toEqual(200)
    })
  },
})
