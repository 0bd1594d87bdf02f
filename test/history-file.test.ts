// The on-disk history log: a damaged record in the middle costs that record
// only, a torn tail is cut, old logs are converted, and the log is compacted
// while running so a flood cannot grow it past its bound.
import test from 'tape'
import fs from 'fs'
import path from 'path'
import { tempDir } from './helpers/proc'
import { decodeFlood, encodeFlood, MessageKind } from '../lib/protocol/envelope'
import { generateKeyPair } from '../lib/protocol/crypto'
import { MeshNode } from '../lib/core/node'
import { HistoryFile, HISTORY_FILE, parseLog } from '../lib/store/history-file'
import { openNodeHistory } from '../lib/store/open-history'
import type { HistoryStore } from '../lib/core/types'
import { decodeFlood as decodeFrame } from '../lib/protocol/envelope'

/** Timestamps within the history window, so the node's pipeline takes them. */
const BASE = Date.now() - 3600_000

const kp = generateKeyPair()
function msg (i: number, room = 'lobby') {
  return encodeFlood({ kind: MessageKind.CHAT, author: kp.publicKey, room, nick: 'h', ts: BASE + i, expires: BASE + i + 60_000, ttl: 8, payload: Buffer.from(`record ${i}`) }, kp, 1)
}
const texts = (frames: Buffer[]) => frames.map(f => decodeFlood(f).payload.toString())

async function writeLog (dir: string, n: number) {
  const msgs = Array.from({ length: n }, (_, i) => msg(i))
  const { store } = HistoryFile.open(dir)
  for (const m of msgs) store.append(m)
  await store.close()
  return msgs
}

/** Offset of the 4-byte length field in front of frame `f` in the log (whatever the record layout). */
function lengthFieldOf (buf: Buffer, f: Buffer): number {
  const at = buf.indexOf(f)
  const len = Buffer.alloc(4)
  len.writeUInt32BE(f.length)
  return buf.lastIndexOf(len, at - 4)
}

function newNode (historyStore?: HistoryStore, historySize?: number) {
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'h', rooms: ['lobby'], pex: false, minLinks: 0, maxLinks: 4, timing: { tickMs: 50 }, historyStore, historySize })
  node.on('fault', () => {})
  return node
}

for (const [what, damage] of [
  ['length header', (buf: Buffer, f: Buffer) => buf.writeUInt32BE(0x7fff, lengthFieldOf(buf, f))],
  ['length header shrunk', (buf: Buffer, f: Buffer) => buf.writeUInt32BE(f.length - 20, lengthFieldOf(buf, f))],
  ['frame byte', (buf: Buffer, f: Buffer) => { buf[buf.indexOf(f) + 40] ^= 0xff }]
] as Array<[string, (buf: Buffer, f: Buffer) => void]>) {
  test(`history log: a damaged ${what} in the middle of 300 records loses that record only`, async (t) => {
    const dir = tempDir()
    const msgs = await writeLog(dir, 300)
    const file = path.join(dir, HISTORY_FILE)
    const buf = fs.readFileSync(file)
    damage(buf, msgs[150].frame)
    fs.writeFileSync(file, buf)
    const { node, ...opened } = openNodeHistory(dir, 1000, store => newNode(store))
    const expected = msgs.filter((_, i) => i !== 150).map(m => `record ${m.ts - BASE}`)
    t.equal(opened.loaded, 299, '299 records loaded')
    t.deepEqual(node.historyFrames().map(f => decodeFrame(f).payload.toString()), expected, 'all but the damaged one, in order')
    t.equal(opened.report?.code, 'HISTORY_CORRUPT', `reported: ${opened.report?.message}`)
    t.notOk(opened.report?.code === 'HISTORY_TORN', 'not called a torn tail')
    await opened.store.close()
    await node.close()
    const again = HistoryFile.open(dir)
    t.deepEqual(texts(again.frames), expected, 'the repaired file holds the 299, in order')
    t.equal(again.torn, null, 'and nothing torn')
    await again.store.close()
  })
}

test('history log: a torn tail after 300 records is still cut and reported as torn', async (t) => {
  const dir = tempDir()
  await writeLog(dir, 300)
  const file = path.join(dir, HISTORY_FILE)
  const size = fs.statSync(file).size
  const half = msg(300).frame.subarray(0, 30)
  fs.appendFileSync(file, Buffer.concat([fs.readFileSync(file).subarray(size - 300, size - 280), half]))
  const { node, ...opened } = openNodeHistory(dir, 1000, store => newNode(store))
  t.equal(opened.loaded, 300, 'the 300 whole records kept')
  t.equal(opened.report?.code, 'HISTORY_TORN', `reported: ${opened.report?.message}`)
  t.equal(fs.statSync(file).size, size, 'torn bytes cut off')
  await opened.store.close()
  await node.close()
})

test('history log: an old-format log (4-byte lengths, no header) is loaded and converted', async (t) => {
  const dir = tempDir()
  const file = path.join(dir, HISTORY_FILE)
  const msgs = Array.from({ length: 20 }, (_, i) => msg(i))
  const v1 = Buffer.concat(msgs.flatMap(m => { const h = Buffer.alloc(4); h.writeUInt32BE(m.frame.length); return [h, m.frame] }))
  fs.writeFileSync(file, Buffer.concat([v1, Buffer.from([0, 0, 1])]))
  const opened = HistoryFile.open(dir)
  t.deepEqual(texts(opened.frames), msgs.map((_, i) => `record ${i}`), 'all 20 old records read')
  opened.store.append(msg(20))
  await opened.store.close()
  const buf = fs.readFileSync(file)
  t.equal(buf.subarray(0, 8).toString('latin1'), 'MCHLOG2\n', 'rewritten with the new file header')
  const again = HistoryFile.open(dir)
  t.deepEqual(texts(again.frames), Array.from({ length: 21 }, (_, i) => `record ${i}`), 'reopened: 20 converted + 1 appended, in order')
  t.equal(again.torn, null, 'no tear')
  await again.store.close()
})

test('history log: a damaged file header does not lose the records', async (t) => {
  const dir = tempDir()
  await writeLog(dir, 30)
  const file = path.join(dir, HISTORY_FILE)
  const buf = fs.readFileSync(file)
  buf.fill(0, 0, 8)
  fs.writeFileSync(file, buf)
  const opened = HistoryFile.open(dir)
  t.equal(opened.frames.length, 30, 'all 30 records kept')
  await opened.store.close()
  t.equal(fs.readFileSync(file).subarray(0, 8).toString('latin1'), 'MCHLOG2\n', 'header restored')
})

/** Appends `n` records in batches, letting writes run; returns the largest record count and size the file reached. */
async function flood (store: HistoryFile, file: string, kept: Buffer[], keep: number, n: number) {
  let maxRecords = 0
  let maxBytes = 0
  for (let i = 0; i < n; i++) {
    const m = msg(i)
    kept.push(m.frame)
    if (kept.length > keep) kept.shift()
    store.append(m)
    if (i % 50 === 49) {
      await new Promise(resolve => setTimeout(resolve, 2))
      const buf = fs.readFileSync(file)
      maxBytes = Math.max(maxBytes, buf.length)
      maxRecords = Math.max(maxRecords, parseLog(buf).frames.length)
    }
  }
  return { maxRecords, maxBytes }
}

test('history log: compacted while running, under its record bound, keeping every record the snapshot returns', async (t) => {
  t.timeoutAfter(60_000)
  const d = tempDir()
  const kept: Buffer[] = []
  const { store } = HistoryFile.open(d, { snapshot: () => kept.slice(), maxRecords: 200 })
  const file = path.join(d, HISTORY_FILE)
  const { maxRecords } = await flood(store, file, kept, 40, 2000)
  await store.close()
  t.ok(maxRecords > 0 && maxRecords <= 200, `the file never held more than the bound (at most ${maxRecords} of 2000)`)
  const after = texts(HistoryFile.open(d).frames)
  t.ok(after.length <= 2 * 200, `${after.length} records at the end`)
  const want = texts(kept)
  t.deepEqual(after.filter(x => want.includes(x)), want, 'every record of the last snapshot, in order')
  const nums = after.map(x => Number(x.split(' ')[1]))
  t.ok(nums.every((v, i) => i === 0 || v > nums[i - 1]), 'no record twice, none out of order')
  t.equal(nums[nums.length - 1], 1999, 'the last append is on disk')
})

test('history log: a burst that would pass the bound is not appended; the log is rewritten from memory instead', async (t) => {
  // A slow disk lets appends pile up behind a write; written as one chunk they
  // would carry the file past its bound until the next compaction.
  const d = tempDir()
  const file = path.join(d, HISTORY_FILE)
  const kept: Buffer[] = []
  const { store } = HistoryFile.open(d, { snapshot: () => kept.slice(), maxRecords: 200 })
  const seen: number[] = []
  const write = fs.write
  ;(fs as any).write = (...args: any[]) => {
    const cb = args[args.length - 1]
    args[args.length - 1] = (...res: unknown[]) => { seen.push(parseLog(fs.readFileSync(file)).frames.length); cb(...res) }
    return (write as any)(...args)
  }
  try {
    for (let i = 0; i < 301; i++) {
      const m = msg(i)
      kept.push(m.frame)
      if (kept.length > 40) kept.shift()
      store.append(m)
    }
    await store.close()
  } finally {
    ;(fs as any).write = write
  }
  t.ok(seen.length > 0 && Math.max(...seen) <= 200, `after every write the file held at most 200 records (${seen.join(', ')})`)
  t.deepEqual(texts(HistoryFile.open(d).frames), texts(kept), 'the log is the last snapshot')
})

test('history log: compacted while running under a byte bound', async (t) => {
  t.timeoutAfter(60_000)
  const d = tempDir()
  const kept: Buffer[] = []
  const bound = 32 * 1024
  const { store } = HistoryFile.open(d, { snapshot: () => kept.slice(), maxBytes: bound })
  const { maxBytes } = await flood(store, path.join(d, HISTORY_FILE), kept, 20, 2000)
  await store.close()
  const frameBytes = msg(0).frame.length + 12
  t.ok(maxBytes > 0 && maxBytes <= bound, `the file stayed under ${bound} bytes (max ${maxBytes}; 2000 records would be ${2000 * frameBytes})`)
  const want = texts(kept)
  const after = texts(HistoryFile.open(d).frames)
  t.deepEqual(after.filter(x => want.includes(x)), want, 'every record of the last snapshot, in order')
})

test('history log: a failed compaction is reported once (HISTORY_WRITE_FAILED), backs off, and loses no append', async (t) => {
  const d = tempDir()
  const errors: Array<{ code: string }> = []
  let snapshots = 0
  const { store } = HistoryFile.open(d, { snapshot: () => { snapshots++; throw new Error('boom') }, maxRecords: 5, onError: e => errors.push(e) })
  for (let i = 0; i < 100; i++) { store.append(msg(i)); if (i % 10 === 9) await new Promise(resolve => setTimeout(resolve, 2)) }
  await store.close()
  t.deepEqual(errors.map(e => e.code), ['HISTORY_WRITE_FAILED'], 'reported once')
  t.ok(snapshots >= 1 && snapshots <= 4, `retried only as the log grew by the factor (${snapshots} tries for 100 appends)`)
  t.equal(HistoryFile.open(d).frames.length, 100, 'all 100 records still on disk')
})

test('crc32: the table version matches the check value and zlib', async (t) => {
  const { crc32, tableCrc32 } = await import('../lib/store/crc32')
  t.equal(tableCrc32(Buffer.from('123456789')), 0xcbf43926, 'check value')
  t.equal(crc32(Buffer.from('123456789')), 0xcbf43926, 'the one in use')
  const b = msg(1).frame
  t.equal(tableCrc32(b.subarray(10), tableCrc32(b.subarray(0, 10))), crc32(b), 'continued = whole')
})

test('openHistory: a node sending 600 messages keeps its log near 4 x what memory keeps, holding what memory holds', async (t) => {
  t.timeoutAfter(60_000)
  const d = tempDir()
  const { node, store } = openNodeHistory(d, 20, s => newNode(s, 20))
  let most = 0
  for (let i = 0; i < 600; i++) {
    node.send(`line ${i}`)
    if (i % 20 === 19) {
      await new Promise(resolve => setTimeout(resolve, 2))
      most = Math.max(most, parseLog(fs.readFileSync(path.join(d, HISTORY_FILE))).frames.length)
    }
  }
  const held = node.historyFrames().map(f => decodeFrame(f).payload.toString())
  await store.close()
  await node.close()
  t.ok(most > 0 && most <= 2 * 4 * 20, `the log never held more than ${2 * 4 * 20} records (most ${most} of 600)`)
  const after = texts(HistoryFile.open(d).frames)
  t.deepEqual(after.filter(x => held.includes(x)), held, 'every message memory holds is in the log, in order')
})
