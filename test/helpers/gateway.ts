// Gateway test helpers: a headless node with a text gateway, and line
// clients connected to it as guests (with the guest name from the greeting).
import type { Cluster, Proc } from './proc'
import { LineClient } from './line-client'

/** `nick#tag` of a process as every front end labels it. */
export const tag = (p: Proc) => `${p.ready.nick}#${p.id.slice(0, 4)}`
export const GREETING = /^\*\*\* Welcome to meshchat room #\S+ via \S+#[0-9a-f]{4}\. You are (guest-\d+)/

/** Starts a headless node with a text gateway; resolves with it and the gateway address. */
export async function gatewayNode (cluster: Cluster, name: string, args: string[] = []): Promise<{ gw: Proc; address: string }> {
  const gw = await cluster.start({ name, args: ['--text-listen', '127.0.0.1:0', ...args] })
  const e = await gw.waitFor(e => e.event === 'text-listen', 5000, 'text-listen')
  return { gw, address: e.listen }
}

/** A line client connected as a guest; closed with the cluster. */
export async function connect (cluster: Cluster, address: string, name: string): Promise<{ c: LineClient; guest: string }> {
  const c = await LineClient.connect(address, name)
  cluster.cleanups.push(() => c.destroy())
  const greeting = await c.waitLine(l => GREETING.test(l), 5000, 'greeting')
  return { c, guest: GREETING.exec(greeting)![1] }
}
