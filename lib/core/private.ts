// One-to-one messages: the text is sealed to the recipient's key, so relays
// carry it without reading it. The recipient acknowledges; the sender hears
// `delivered`, or `undelivered` after the ack timeout.
import type { FloodMessage } from '../protocol/envelope'
import { MessageKind } from '../protocol/envelope'
import { decodeAck, decodePrivate, encodeAck, encodePrivate, openSealed, sealTo } from '../protocol/payloads'
import type { KeyPair } from '../protocol/crypto'
import type { ChatMessage } from './types'

/** Private messages awaiting an ack at once; the oldest is given up first. */
export const MAX_PENDING_PRIVATE = 1000

export interface PrivateHooks {
  keyPair: KeyPair
  nick: () => string
  originate: (kind: number, room: string, payload: Buffer) => FloodMessage
  message: (m: ChatMessage) => void
  delivered: (id: string, peer: string) => void
  undelivered: (id: string, peer: string) => void
  ackTimeoutMs: number
}

export class PrivateMessages {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; to: string }>()
  constructor (private readonly h: PrivateHooks) {}

  send (to: string, text: string): ChatMessage {
    const box = sealTo(Buffer.from(to, 'hex'), Buffer.from(text, 'utf8'))
    const m = this.h.originate(MessageKind.PRIVATE, '', encodePrivate({ to: Buffer.from(to, 'hex'), box }))
    const id = m.id.toString('hex')
    if (this.pending.size >= MAX_PENDING_PRIVATE) this.expire(this.pending.keys().next().value as string)
    const timer = setTimeout(() => this.expire(id), this.h.ackTimeoutMs)
    timer.unref?.()
    this.pending.set(id, { timer, to })
    const msg: ChatMessage = { id, room: '', from: this.h.keyPair.publicKey.toString('hex'), nick: this.h.nick(), text, ts: m.ts, hops: 0, self: true, private: true, to }
    this.h.message(msg)
    return msg
  }

  private expire (id: string): void {
    const p = this.pending.get(id)
    if (!p) return
    clearTimeout(p.timer)
    this.pending.delete(id)
    this.h.undelivered(id, p.to)
  }

  /** A PRIVATE or ACK message accepted from the mesh (already verified and deduplicated). */
  onMessage (m: FloodMessage): void {
    if (m.kind === MessageKind.PRIVATE) {
      const p = decodePrivate(m.payload)
      if (!p.to.equals(this.h.keyPair.publicKey)) return
      const plain = openSealed(this.h.keyPair, p.box)
      if (!plain) return
      const from = m.author.toString('hex')
      this.h.message({ id: m.id.toString('hex'), room: '', from, nick: m.nick, text: plain.toString('utf8'), ts: m.ts, hops: m.hops, self: false, private: true, to: this.h.keyPair.publicKey.toString('hex') })
      this.h.originate(MessageKind.ACK, '', encodeAck({ to: m.author, of: m.id }))
    } else if (m.kind === MessageKind.ACK) {
      const a = decodeAck(m.payload)
      if (!a.to.equals(this.h.keyPair.publicKey)) return
      const id = a.of.toString('hex')
      const p = this.pending.get(id)
      if (!p || p.to !== m.author.toString('hex')) return
      clearTimeout(p.timer)
      this.pending.delete(id)
      this.h.delivered(id, p.to)
    }
  }

  close (): void {
    for (const p of this.pending.values()) clearTimeout(p.timer)
    this.pending.clear()
  }
}
