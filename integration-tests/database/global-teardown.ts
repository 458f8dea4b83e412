export default async function globalTeardown(): Promise<void> {
  await globalThis.__KUSTOM_IPP_TEST_DATABASE__?.stop()
  globalThis.__KUSTOM_IPP_TEST_DATABASE__ = undefined
}
