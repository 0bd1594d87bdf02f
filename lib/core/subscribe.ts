// How a front end listens to a node: one typed handler per event, and one
// call that unsubscribes them all when the front end stops.
import type { ChatNode, NodeEvents, NodeListener } from './types'

export type NodeHandlers = { [K in keyof NodeEvents]?: NodeListener<K> }

/** Subscribes every handler; returns the function that unsubscribes them. */
export function subscribe (node: ChatNode, handlers: NodeHandlers): () => void {
  const pairs = Object.entries(handlers) as Array<[keyof NodeEvents, NodeListener<keyof NodeEvents>]>
  for (const [event, fn] of pairs) node.on(event, fn)
  return () => { for (const [event, fn] of pairs) node.off(event, fn) }
}
