/**
 * Kustom's (Spring-style) paging: `page_number` is 0-based, `page_size` 1–100.
 */
import { badRequest, type FieldErrors } from "./problems"

export interface Paging {
  pageNumber: number
  pageSize: number
}

export interface Page<T> {
  content: T[]
  total_elements: number
  total_pages: number
  page_number: number
  page_size: number
  first: boolean
  last: boolean
}

export const DEFAULT_PAGE_SIZE = 20
export const MAX_PAGE_SIZE = 100

function parseIntParam(value: string | null, field: string, min: number, max: number, errors: FieldErrors): number | undefined {
  if (value === null) return undefined
  if (!/^\d+$/.test(value)) {
    errors[field] = "must be a non-negative integer"
    return undefined
  }
  const n = Number(value)
  if (n < min || n > max) {
    errors[field] = `must be between ${min} and ${max}`
    return undefined
  }
  return n
}

export function parsePaging(query: URLSearchParams): Paging {
  const errors: FieldErrors = {}
  const pageNumber = parseIntParam(query.get("page_number"), "page_number", 0, Number.MAX_SAFE_INTEGER, errors)
  const pageSize = parseIntParam(query.get("page_size"), "page_size", 1, MAX_PAGE_SIZE, errors)
  if (Object.keys(errors).length > 0) throw badRequest("Invalid paging parameters", errors)
  return { pageNumber: pageNumber ?? 0, pageSize: pageSize ?? DEFAULT_PAGE_SIZE }
}

export function paginate<T>(items: readonly T[], { pageNumber, pageSize }: Paging): Page<T> {
  const totalPages = Math.ceil(items.length / pageSize)
  const start = pageNumber * pageSize
  return {
    content: items.slice(start, start + pageSize),
    total_elements: items.length,
    total_pages: totalPages,
    page_number: pageNumber,
    page_size: pageSize,
    first: pageNumber === 0,
    last: pageNumber + 1 >= totalPages,
  }
}
