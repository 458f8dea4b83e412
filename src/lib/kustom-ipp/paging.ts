import type { Page } from "./schemas"

/**
 * Yields every item of a paged listing, fetching page after page (0-based) until the
 * server says `last`, returns an empty page, or `total_pages` is reached; the last
 * condition guarantees termination even if a server never sets `last`.
 */
export async function* paginate<T>(
  fetchPage: (pageNumber: number) => Promise<Page<T>>,
  startPage = 0,
): AsyncGenerator<T, void, undefined> {
  for (let pageNumber = startPage; ; pageNumber++) {
    const page = await fetchPage(pageNumber)
    yield* page.content
    if (page.last || page.content.length === 0 || pageNumber + 1 >= page.total_pages) return
  }
}

/** Collects an async iterable into an array (for small listings). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}
