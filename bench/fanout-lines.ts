// The lines the fan-out load driver sends: each carries its sender, a
// sequence number, the send time and a checksum, so a receiver can tell a
// good line from a lost, duplicated or corrupted one whatever prefix the
// server adds (`<127.0.0.1> `, `nick: `).

export const MARK = 'MC|'
export const WARMUP_MARK = 'WU|'
/** Target length of a data line, newline excluded. */
export const LINE_BYTES = 100

function fnv1a (s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

/** Encodes one data line (with its newline); `sentAtUs` is the driver's clock in microseconds. */
export function encodeLine (sender: number, seq: number, sentAtUs: number): string {
  const head = `${MARK}${sender}|${seq}|${Math.round(sentAtUs)}|`
  const pad = 'x'.repeat(Math.max(1, LINE_BYTES - head.length - 10))
  const body = `${head}${pad}|`
  return `${body}${fnv1a(body)}\n`
}

export type Parsed =
  | { kind: 'data'; sender: number; seq: number; sentAtUs: number }
  | { kind: 'warmup' }
  | { kind: 'other' }
  | { kind: 'corrupt' }

/** Judges one received line (without its newline). */
export function parseLine (line: string): Parsed {
  const at = line.indexOf(MARK)
  if (at < 0) {
    if (line.includes(WARMUP_MARK)) return { kind: 'warmup' }
    return { kind: 'other' }
  }
  const body = line.slice(at).replace(/\r$/, '')
  if (body.indexOf(MARK, MARK.length) >= 0) return { kind: 'corrupt' }
  const cut = body.lastIndexOf('|')
  if (cut < 0 || fnv1a(body.slice(0, cut + 1)) !== body.slice(cut + 1)) return { kind: 'corrupt' }
  const f = body.split('|')
  if (f.length !== 6) return { kind: 'corrupt' }
  const sender = Number(f[1])
  const seq = Number(f[2])
  const sentAtUs = Number(f[3])
  if (!Number.isInteger(sender) || !Number.isInteger(seq) || !Number.isFinite(sentAtUs)) return { kind: 'corrupt' }
  return { kind: 'data', sender, seq, sentAtUs }
}
