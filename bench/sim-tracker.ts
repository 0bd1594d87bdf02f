// The simulator's chat window (bench/sim.ts): a few senders send a bounded
// number of messages in virtual time, and every delivery is tracked from the
// nodes' message events: once each, how late, and what the links carried.
import type { ChatMessage } from '../lib/core/types'
import type { SimNet } from './sim-net'
import { countsSince, type ClassCount } from './sim-link'
import { quantile, round } from './stats'
import type { ChatFigures } from './sim'

/** Sends `perSender` messages from each sender, one every `stepMs`, then lets the flood settle for `settleMs`, tracking each id's deliveries; `midway` runs after the first half. */
export async function chatWindow (net: SimNet, senders: number[], perSender: number, stepMs: number, settleMs: number, midway?: () => Promise<void>): Promise<Tracker> {
  const t = new Tracker(net)
  for (let k = 0; k < perSender; k++) {
    if (k === Math.floor(perSender / 2) && midway) await midway()
    for (const s of senders) t.sent(net.nodes[s].send(`sim ${s}/${k} ${'x'.repeat(88)}`), s)
    await net.run(stepMs, stepMs)
  }
  await net.run(settleMs, stepMs)
  t.stop()
  return t
}

export class Tracker {
  private readonly ids = new Map<string, { at: number; sender: number; got: Uint8Array }>()
  readonly latencies: number[] = []
  duplicates = 0
  private readonly off: Array<() => void> = []
  private readonly before

  constructor (private readonly net: SimNet) {
    this.before = net.counters.snapshot()
    net.nodes.forEach((node, i) => {
      const on = (m: ChatMessage) => {
        const e = this.ids.get(m.id)
        if (!e || m.self) return
        if (e.got[i]) { this.duplicates++; return }
        e.got[i] = 1
        this.latencies.push(net.clock.now() - e.at)
      }
      node.on('message', on)
      this.off.push(() => node.off('message', on))
    })
  }

  sent (m: ChatMessage, sender: number): void {
    this.ids.set(m.id, { at: this.net.clock.now(), sender, got: new Uint8Array(this.net.nodes.length) })
  }

  stop (): void { for (const f of this.off) f() }

  /** Figures over the receivers `counts(i, sender)` says count. */
  figures (counts: (i: number, sender: number) => boolean): ChatFigures {
    const spent = countsSince(this.net.counters.snapshot(), this.before)
    let expected = 0
    let delivered = 0
    for (const e of this.ids.values()) {
      for (let i = 0; i < e.got.length; i++) {
        if (i === e.sender || !counts(i, e.sender)) continue
        expected++
        delivered += e.got[i]
      }
    }
    const chat: ClassCount = spent.byClass.chat ?? { frames: 0, bytes: 0 }
    return {
      messages: this.ids.size,
      expected,
      delivered,
      duplicates: this.duplicates,
      deliveryRatio: round(delivered / expected, 5),
      copiesPerDelivery: round(chat.frames / delivered, 3),
      bytesPerDelivery: round(spent.bytes / delivered, 0),
      latencyP50Ms: round(quantile(this.latencies, 0.5), 0),
      latencyP99Ms: round(quantile(this.latencies, 0.99), 0)
    }
  }
}
