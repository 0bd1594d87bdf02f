// A disk that stops answering (a hung network mount) must not grow a node
// without limit: records wait for it up to MAX_HISTORY_QUEUED_BYTES, then are
// let go (memory keeps them, HISTORY_BEHIND), and the log is rewritten from
// memory once the disk answers again. The stall is real: async opens of FIFOs
// nobody writes occupy every thread of libuv's pool, so the store's writes
// wait in it exactly as they would on a dead disk.
import test from 'tape'
import fs from 'fs'
import path from 'path'
import { execFileSync } from 'child_process'
import { tempDir } from './helpers/proc'
import { encodeFlood, MessageKind } from '../lib/protocol/envelope'
import { generateKeyPair } from '../lib/protocol/crypto'
import { HistoryFile, MAX_HISTORY_QUEUED_BYTES } from '../lib/store/history-file'
import type { MeshError } from '../lib/protocol/errors'

/** More FIFOs than libuv's pool has threads (4 unless UV_THREADPOOL_SIZE says otherwise). */
const STALLS = Math.max(8, 2 * Number(process.env.UV_THREADPOOL_SIZE ?? 4))

function stallThreadPool (dir: string): { release: () => Promise<void> } {
  const fifos = Array.from({ length: STALLS }, (_, i) => path.join(dir, `stall-${i}`))
  for (const f of fifos) execFileSync('mkfifo', [f])
  const done = new Set<string>()
  let released = false
  const opened = fifos.map(f => new Promise<number>((resolve, reject) => fs.open(f, 'r', (err, fd) => { done.add(f); return err ? reject(err) : resolve(fd) })))
  return {
    release: async () => {
      if (released) return
      released = true
      // A writer that comes and goes lets a blocked open return. Opens still queued for a
      // thread have no reader yet (ENXIO): they are tried again once a thread took them.
      for (let round = 0; done.size < fifos.length && round < 1000; round++) {
        for (const f of fifos) {
          if (done.has(f)) continue
          try { fs.closeSync(fs.openSync(f, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)) } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err
          }
        }
        await new Promise(resolve => setTimeout(resolve, 5))
      }
      for (const fd of await Promise.all(opened)) fs.closeSync(fd)
    }
  }
}

test(`history: a stalled disk holds at most its queue bound (MAX_HISTORY_QUEUED_BYTES, ${MAX_HISTORY_QUEUED_BYTES / 1024 / 1024} MiB; 64 KiB here) and gets what memory keeps once it answers`, async (t) => {
  t.timeoutAfter(20_000)
  const dir = tempDir()
  const kp = generateKeyPair()
  const BOUND = 64 * 1024
  const KEEP = 200
  const memory: Buffer[] = []
  const errors: MeshError[] = []
  const { store } = HistoryFile.open(dir, { snapshot: () => memory.slice(-KEEP), maxQueuedBytes: BOUND, onError: e => errors.push(e) })
  const stall = stallThreadPool(dir)
  // Released in any case, or every later test of this process would find libuv's pool taken.
  t.teardown(async () => { await stall.release(); fs.rmSync(dir, { recursive: true, force: true }) })
  let peak = 0
  const N = 3000
  for (let i = 0; i < N; i++) {
    const m = encodeFlood({ kind: MessageKind.CHAT, author: kp.publicKey, room: 'lobby', nick: 'h', ts: 1_700_000_000_000 + i, expires: 1_700_000_060_000 + i, ttl: 8, payload: Buffer.from(`record ${i} ${'x'.repeat(200)}`) }, kp, 1)
    memory.push(m.frame)
    store.append(m)
    peak = Math.max(peak, store.waitingBytes)
    if (i % 500 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  t.ok(peak <= BOUND && peak > BOUND / 2, `records waiting for the disk peaked at ${peak} bytes, within the bound of ${BOUND}`)
  t.ok(store.letGo > N - 400, `${store.letGo} of ${N} records were let go while the disk did not answer`)
  t.equal(errors.filter(e => e.code === 'HISTORY_BEHIND').length, 1, 'HISTORY_BEHIND reported once')
  t.match(errors[0]?.message ?? '', /has not taken \d+ bytes of history waiting for .*history\.log: the log is rewritten from memory once it answers/, 'the message says what happens')
  await stall.release()
  await store.close()
  const reopened = HistoryFile.open(dir)
  t.deepEqual(reopened.frames.map(f => f.toString('hex')), memory.slice(-KEEP).map(f => f.toString('hex')), `the log holds what memory keeps: the last ${KEEP}, in order`)
  t.equal(reopened.torn, null, 'no torn record')
  await reopened.store.close()
})
