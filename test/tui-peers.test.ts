// What /peers prints in the terminal view: a link's score and dropped frames
// when it has misbehaved, nothing extra when it has not.
import test from 'tape'
import { outcomeLines } from '../lib/ui/tui/command-output'
import type { ChatNode, PeerInfo } from '../lib/core/types'

test('/peers shows the score and dropped frames of a link that misbehaved, and nothing extra for a clean one', (t) => {
  const peer = (p: Partial<PeerInfo>): PeerInfo => ({ peer: 'ab'.repeat(32), nick: 'bob', address: '127.0.0.1:9', via: 'tcp', score: 0, dropped: 0, ...p })
  const lines = outcomeLines('/peers', { kind: 'peers', peers: [peer({ score: -20, dropped: 5 }), peer({ peer: 'cd'.repeat(32), nick: 'carol' })] },
    { node: {} as ChatNode, label: (_k, n) => `${n}#x`, now: 0 })
  t.deepEqual(lines.map(([, text]) => text), [
    '2 peers linked:',
    '  bob#x  tcp 127.0.0.1:9  score -20  dropped 5',
    '  carol#x  tcp 127.0.0.1:9'
  ])
  t.end()
})
