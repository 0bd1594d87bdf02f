// Developer tracing: why a message was dropped or a link closed, without a
// debugger. Off by default and free when off; turned on per area with Node's
// own switch, e.g. NODE_DEBUG=meshchat-links,meshchat-router (or meshchat-*),
// printed on stderr.
import { debuglog } from 'util'

export type TraceArea = 'links' | 'router' | 'sync' | 'pex' | 'presence'

export interface Trace {
  readonly enabled: boolean
  (fmt: string, ...args: unknown[]): void
}

const cache = new Map<TraceArea, Trace>()

export function trace (area: TraceArea): Trace {
  let t = cache.get(area)
  if (!t) {
    const log = debuglog(`meshchat-${area}`)
    const fn = ((fmt: string, ...args: unknown[]) => { if (log.enabled) log(fmt, ...args) }) as Trace
    Object.defineProperty(fn, 'enabled', { get: () => log.enabled })
    t = fn
    cache.set(area, t)
  }
  return t
}
