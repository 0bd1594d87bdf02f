// A hostile data directory: symlinks planted at temp file names are never
// followed, and a data dir (or identity) others can write makes meshchat
// refuse to start (DATA_DIR_UNSAFE) instead of trusting what is in it.
import test from 'tape'
import fs from 'fs'
import path from 'path'
import { runBin, tempDir } from '../helpers/proc'
import { encodeFlood, MessageKind } from '../../lib/protocol/envelope'
import { generateKeyPair } from '../../lib/protocol/crypto'
import { loadOrCreateIdentity } from '../../lib/store/identity'
import { FileNickBook } from '../../lib/store/nick-book'
import { HistoryFile } from '../../lib/store/history-file'

const kp = generateKeyPair()
const msg = (i: number) => encodeFlood({ kind: MessageKind.CHAT, author: kp.publicKey, room: 'lobby', nick: 'h', ts: Date.now() - 3600_000 + i, expires: Date.now() - 3600_000 + 60_000 + i, ttl: 8, payload: Buffer.from(`m${i}`) }, kp, 1)

/** Plants symlinks at `names` in `dir`, all pointing at one precious file outside it. */
function plant (dir: string, names: string[]) {
  const target = path.join(tempDir(), 'precious')
  fs.writeFileSync(target, 'precious\n')
  for (const n of names) fs.symlinkSync(target, path.join(dir, n))
  return { target, unchanged: () => fs.readFileSync(target, 'utf8') === 'precious\n' }
}

test('a symlink planted at the identity temp name is not followed', (t) => {
  const dir = tempDir()
  const { unchanged } = plant(dir, [`identity.json.tmp-${process.pid}`, 'identity.json.tmp'])
  try { loadOrCreateIdentity(dir) } catch {}
  t.ok(unchanged(), 'the symlink target is unchanged')
  const st = fs.lstatSync(path.join(dir, 'identity.json'))
  t.ok(st.isFile(), 'identity.json is a regular file')
  t.equal(st.mode & 0o777, 0o600, 'mode 0600')
  t.end()
})

test('a symlink planted at the nick book temp name is not followed', (t) => {
  const dir = tempDir()
  const { unchanged } = plant(dir, ['known-nicks.json.tmp'])
  const book = new FileNickBook(dir)
  book.remember('alice', 'ab'.repeat(32))
  book.flush()
  t.ok(unchanged(), 'the symlink target is unchanged')
  t.equal(new FileNickBook(dir).firstKeyFor('alice'), 'ab'.repeat(32), 'the book was still saved')
  t.end()
})

test('a symlink planted at the history temp name is not followed (start-up and running compaction)', async (t) => {
  const dir = tempDir()
  const { unchanged } = plant(dir, ['history.log.tmp'])
  const kept = [msg(0).frame]
  const { store } = HistoryFile.open(dir, { snapshot: () => kept, maxRecords: 5 })
  for (let i = 1; i <= 20; i++) { store.append(msg(i)); await new Promise(resolve => setTimeout(resolve, 1)) }
  try { store.rewrite(kept) } catch {}
  await store.close()
  t.ok(unchanged(), 'the symlink target is unchanged')
  t.ok(fs.lstatSync(path.join(dir, 'history.log')).isFile(), 'history.log is a regular file')
})

test('temp files: random names, created exclusively; stale ones of ours removed, never followed', async (t) => {
  const { tempNameFor, openExclusive, removeStaleTemps, STALE_TEMP_AGE_MS } = await import('../../lib/store/safe-file')
  const dir = tempDir()
  const file = path.join(dir, 'history.log')
  t.notEqual(tempNameFor(file), tempNameFor(file), 'two temp names differ')
  const name = tempNameFor(file)
  const { unchanged } = plant(dir, [path.basename(name)])
  t.throws(() => openExclusive(name), /EEXIST/, 'a symlink at the chosen name makes the exclusive open fail')
  t.ok(unchanged(), 'and its target is unchanged')
  const young = tempNameFor(file)
  fs.writeFileSync(young, 'x')
  const old = new Date(Date.now() - 2 * STALE_TEMP_AGE_MS)
  fs.lutimesSync(name, old, old)
  removeStaleTemps(file)
  t.notOk(fs.existsSync(name) || isLink(name), 'a stale temp (the symlink) is removed')
  t.ok(unchanged(), 'its target untouched')
  t.ok(fs.existsSync(young), 'a young temp (maybe another process mid-write) is kept')
})

function isLink (p: string): boolean { try { return fs.lstatSync(p).isSymbolicLink() } catch { return false } }

const START = ['--headless', '--listen', '127.0.0.1:0']

test('a data dir writable by others makes meshchat exit 1 with DATA_DIR_UNSAFE', async (t) => {
  t.timeoutAfter(30_000)
  const dir = tempDir()
  fs.chmodSync(dir, 0o777)
  const r = await runBin([...START, '--data-dir', dir], 8000).catch(err => ({ code: -1, stdout: '', stderr: String(err) }))
  t.equal(r.code, 1, 'exit 1')
  const lines = r.stderr.trim().split('\n')
  t.equal(lines.length, 1, 'one line')
  t.ok(lines[0].includes('DATA_DIR_UNSAFE') && lines[0].includes(dir) && lines[0].includes('0777') && lines[0].includes(`chmod 700 ${dir}`), `names code, path, mode and fix: ${lines[0]}`)
  t.notOk(fs.existsSync(path.join(dir, 'identity.json')), 'no identity written into it')

  const dir2 = tempDir()
  loadOrCreateIdentity(dir2)
  fs.chmodSync(path.join(dir2, 'identity.json'), 0o666)
  const r2 = await runBin([...START, '--data-dir', dir2], 8000).catch(err => ({ code: -1, stdout: '', stderr: String(err) }))
  t.equal(r2.code, 1, 'a world-writable identity: exit 1')
  t.match(r2.stderr, /DATA_DIR_UNSAFE: identity file .*identity\.json is mode 0666.*chmod 600/, r2.stderr.trim())

  if (process.getuid?.() === 0) {
    const dir3 = tempDir()
    fs.chownSync(dir3, 54321, 54321)
    const r3 = await runBin([...START, '--data-dir', dir3], 8000).catch(err => ({ code: -1, stdout: '', stderr: String(err) }))
    t.equal(r3.code, 1, 'a data dir owned by someone else: exit 1')
    t.match(r3.stderr, /DATA_DIR_UNSAFE: .*owned by uid 54321/, r3.stderr.trim())
  }
})

test('a data dir meshchat creates is 0700 whatever the umask', async (t) => {
  const { prepareDataDir } = await import('../../lib/store/data-dir')
  const dir = path.join(tempDir(), 'new', 'data')
  const old = process.umask(0)
  try { prepareDataDir(dir) } finally { process.umask(old) }
  t.equal(fs.statSync(dir).mode & 0o777, 0o700, 'mode 0700')
})

test('temp names: TEMP_NAME_RANDOM_BYTES of hex; a taken name is retried up to TEMP_OPEN_ATTEMPTS times, never followed', async (t) => {
  const { tempNameFor, openTempFor, TEMP_NAME_RANDOM_BYTES, TEMP_OPEN_ATTEMPTS } = await import('../../lib/store/safe-file')
  const crypto = require('crypto') as typeof import('crypto')
  const dir = tempDir()
  const file = path.join(dir, 'known-nicks.json')
  t.match(path.basename(tempNameFor(file)), new RegExp(`^known-nicks\\.json\\.[0-9a-f]{${2 * TEMP_NAME_RANDOM_BYTES}}\\.tmp$`), 'name shape')
  const real = crypto.randomBytes
  const fixed = Buffer.alloc(TEMP_NAME_RANDOM_BYTES, 7)
  const taken = `${file}.${fixed.toString('hex')}.tmp`
  const { unchanged } = plant(dir, [path.basename(taken)])
  let calls = 0
  let always = false
  ;(crypto as any).randomBytes = (n: number) => { calls++; return always || calls === 1 ? fixed : real(n) }
  try {
    const got = openTempFor(file)
    fs.closeSync(got.fd)
    t.notEqual(got.name, taken, 'the second try got a fresh name')
    calls = 0
    always = true
    t.throws(() => openTempFor(file), /EEXIST/, 'always the taken name: gives up')
    t.equal(calls, TEMP_OPEN_ATTEMPTS, `after ${TEMP_OPEN_ATTEMPTS} tries`)
  } finally {
    ;(crypto as any).randomBytes = real
  }
  t.ok(unchanged(), 'the symlink target is unchanged')
})

test('group-writable is unsafe (UNSAFE_MODE_BITS); group- or world-readable is not', async (t) => {
  const { checkDataDir } = await import('../../lib/store/data-dir')
  const dir = tempDir()
  fs.chmodSync(dir, 0o770)
  t.throws(() => checkDataDir(dir), (err: any) => err.code === 'DATA_DIR_UNSAFE' && /mode 0770/.test(err.message), '0770 refused')
  fs.chmodSync(dir, 0o755)
  t.doesNotThrow(() => checkDataDir(dir), '0755 accepted')
})
