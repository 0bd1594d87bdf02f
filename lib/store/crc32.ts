// CRC-32 (the zlib/PNG polynomial) for history log records: zlib.crc32 where
// Node has it (20.15+), else a small table version with the same results.
import zlib from 'zlib'

let table: Uint32Array | null = null

/** CRC-32 of `data`, continuing from `value` (0 to start), like zlib.crc32. */
export function tableCrc32 (data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c >>> 0
    }
  }
  let c = (value ^ 0xffffffff) >>> 0
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const native = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32

export const crc32: (data: Uint8Array, value?: number) => number = typeof native === 'function' ? native : tableCrc32
