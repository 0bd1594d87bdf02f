// The gateway writes a guest's lines to its other clients before it signs
// them for the mesh: the signature, a guest line's largest cost, does not
// stand between a line and the people on the same gateway. An in-process node
// (no peers needed) and real loopback line clients.
import test from 'tape'
import { MeshNode } from '../lib/core/node'
import { generateKeyPair } from '../lib/protocol/crypto'
import { MeshError } from '../lib/protocol/errors'
import { TextGateway } from '../lib/gateway/text-gateway'
import { LineClient } from './helpers/line-client'
import { GREETING } from './helpers/gateway'
import { until } from './helpers/raw-peer'

async function guest (address: string, name: string): Promise<{ c: LineClient; guest: string }> {
  const c = await LineClient.connect(address, name)
  const greeting = await c.waitLine(l => GREETING.test(l), 5000, 'greeting')
  return { c, guest: GREETING.exec(greeting)![1] }
}

test('gateway: a guest line reaches the other guests before it is signed; a line the node refuses reaches nobody', async (t) => {
  t.timeoutAfter(15_000)
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'gw', rooms: ['lobby'], pex: false, minLinks: 0, timing: { tickMs: 50 } })
  const gateway = new TextGateway({ node, host: '127.0.0.1', port: 0 })
  const address = await gateway.listen()
  const a = await guest(address, 'a')
  const b = await guest(address, 'b')
  try {
    // The mesh side fails after the node's checks passed (as a signing failure would).
    const signed: string[] = []
    const real = node.sendGuestLines.bind(node)
    let failNext = true
    node.sendGuestLines = (lines, room) => {
      signed.push(...lines.map(l => l.text))
      if (failNext) { failNext = false; throw new MeshError('FRAME_INVALID', 'test: the mesh side failed') }
      return real(lines, room)
    }
    const mine: string[] = []
    node.on('message', m => { if (m.self) mine.push(m.text) })
    a.c.send('first line')
    await b.c.waitLine(l => l.endsWith(': first line'), 5000, 'the line, shown before it is signed')
    t.ok(await a.c.waitLine(l => /^\*\*\* error FRAME_INVALID/.test(l), 5000, 'the error'), 'its author was told the mesh side failed')
    t.deepEqual(signed, ['first line'], 'the node was asked to sign it (and failed)')
    a.c.send('second line')
    await b.c.waitLine(l => l.endsWith(': second line'), 5000, 'the next line')
    t.ok(await until(() => mine.includes('second line')), 'the next line was signed and sent')
    // Refused by the node's checks (as a bad guest name would be): nothing is written.
    const check = node.checkGuestLines.bind(node)
    node.checkGuestLines = () => { throw new MeshError('BAD_NICK', 'test: refused') }
    a.c.send('third line')
    t.ok(await a.c.waitLine(l => /^\*\*\* error BAD_NICK/.test(l), 5000, 'the refusal'), 'its author got the refusal')
    node.checkGuestLines = check
    a.c.send('fourth line')
    await b.c.waitLine(l => l.endsWith(': fourth line'), 5000, 'the line after')
    // Lines reach a client in the order written, so the third would have come first.
    t.notOk(b.c.lines.some(l => l.endsWith(': third line')), 'a line the node refused was shown to nobody')
    t.ok(await until(() => mine.includes('fourth line')), 'the line after was signed')
    t.deepEqual(signed, ['first line', 'second line', 'fourth line'], 'the refused line was never signed')
  } finally {
    a.c.destroy()
    b.c.destroy()
    await gateway.close()
    await node.close()
  }
})
