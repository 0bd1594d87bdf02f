// The history window: a node's own log may hold messages older than a day
// (an anchor restarted after a weekend keeps them), but it never syncs them
// out, so an honest node is never penalised for serving old history.
import test from 'tape'
import { MeshNode } from '../lib/core/node'
import type { ChatMessage, Fault } from '../lib/core/types'
import { DEFAULT_HISTORY_WINDOW_MS } from '../lib/core/options'
import { memoryLinkPair } from '../lib/transport/memory'
import { generateKeyPair } from '../lib/protocol/crypto'
import { chat, until } from './helpers/raw-peer'

function node (nick: string) {
  const n = new MeshNode({ keyPair: generateKeyPair(), nick, timing: { tickMs: 20, presenceIntervalMs: 0 } })
  const got: ChatMessage[] = []
  const faults: Fault[] = []
  n.on('message', m => got.push(m))
  n.on('fault', f => faults.push(f))
  n.start()
  return { n, got, faults }
}

test('stored messages older than the window load, are kept, and are never synced to a peer', async (t) => {
  t.timeoutAfter(10_000)
  const anchor = node('anchor')
  const joiner = node('late')
  t.teardown(async () => { await anchor.n.close(); await joiner.n.close() })
  const kp = generateKeyPair()
  const twoDaysAgo = Date.now() - 2 * DEFAULT_HISTORY_WINDOW_MS
  const [loaded, rejected] = anchor.n.loadHistory([
    chat(kp, 'from the weekend', { ts: twoDaysAgo, expires: twoDaysAgo + 60_000 }).frame,
    chat(kp, 'from this morning', { ts: Date.now() - 3600_000, expires: Date.now() - 3600_000 + 60_000 }).frame
  ])
  t.deepEqual([loaded, rejected], [2, 0], 'both stored messages load')
  t.equal(anchor.n.historyFrames().length, 2, 'and stay in memory (and so in a compacted log)')
  const [a, b] = memoryLinkPair(joiner.n.keyPair.publicKey, 'j:1', anchor.n.keyPair.publicKey, 'a:1')
  anchor.n.addLink(b)
  joiner.n.addLink(a)
  t.ok(await until(() => joiner.got.some(m => m.text === 'from this morning')), 'the recent one is synced')
  anchor.n.send('marker')
  t.ok(await until(() => joiner.got.some(m => m.text === 'marker')), 'a later live marker arrived')
  t.notOk(joiner.got.some(m => m.text === 'from the weekend'), 'the old one was never sent')
  t.notOk(joiner.faults.some(f => f.code === 'TOO_OLD'), 'so the anchor is never blamed for it')
})
