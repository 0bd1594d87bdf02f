// Write coalescing for a TCP link: the frames a link sends within one tick
// leave as one writev system call instead of one write each.
//
// @hyperswarm/secret-stream (checked against 6.9.2, index.js `_write`) cannot
// put several messages into one write itself: it has no `_writev`, and its
// `_write` encrypts each message into a buffer of its own (length prefix,
// ciphertext, tag) and hands that buffer to the raw socket at once. Its
// writes run in a microtask (streamx queues them), so the socket is corked
// when a tick's first frame is queued and uncorked by a microtask queued
// after streamx's own: by then every frame of the tick is encrypted and in
// the cork, and nothing waits past the tick. Frame boundaries and order are
// secret-stream's, unchanged; corked bytes stay in the socket's
// writableLength, so a link's bufferedBytes still counts them.
import type { Socket } from 'net'

/** What a link sent: frames queued, and write requests its socket handed to the kernel. */
export interface WriteStats {
  /** Frames the link was asked to send. */
  frames: number
  /** `write` or `writev` requests the socket made (one system call each, or one queued in libuv). */
  socketWrites: number
}

export class TickCork {
  private corked = false
  private readonly release = () => {
    if (!this.corked) return
    this.corked = false
    this.socket.uncork()
  }

  constructor (private readonly socket: Socket, stats: WriteStats) {
    countSocketWrites(socket, stats)
    // After backpressure secret-stream writes its queued frames from its 'drain'
    // listener: cork first, so they leave together too.
    socket.prependListener('drain', () => this.hold())
  }

  /**
   * Call right after handing a frame to secret-stream (so that the release
   * microtask comes after streamx's): corks the socket until the end of the tick.
   */
  hold (): void {
    if (this.corked || this.socket.destroyed) return
    this.corked = true
    this.socket.cork()
    queueMicrotask(this.release)
  }
}

/** Counts the write requests a net socket makes, by wrapping its own `_write` and `_writev`. */
function countSocketWrites (socket: Socket, stats: WriteStats): void {
  const write = socket._write
  const writev = socket._writev
  socket._write = function (this: Socket, ...args: Parameters<Socket['_write']>) {
    stats.socketWrites++
    return write.apply(this, args)
  }
  if (writev) {
    socket._writev = function (this: Socket, ...args: Parameters<NonNullable<Socket['_writev']>>) {
      stats.socketWrites++
      return writev.apply(this, args)
    }
  }
}
