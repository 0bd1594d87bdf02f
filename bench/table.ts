// Plain-text tables for the terminal.

export type Cell = string | number | boolean | null | undefined

function show (v: Cell): string {
  if (v === null || v === undefined) return '-'
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '-'
    if (Number.isInteger(v)) return String(v)
    return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3)
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  return v
}

/** Renders rows under headers; numbers right-aligned, text left-aligned. */
export function table (headers: string[], rows: Cell[][]): string {
  const cells = rows.map(r => r.map(show))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map(r => (r[i] ?? '').length)))
  const numeric = headers.map((_, i) => rows.every(r => typeof r[i] === 'number' || r[i] === null || r[i] === undefined))
  const fmt = (r: string[]) => r.map((c, i) => numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])).join('  ').trimEnd()
  return [fmt(headers), widths.map(w => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n')
}
