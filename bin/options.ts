// Command-line options: commander definitions and validation into a config.
import { MAX_OUTPUT_QUEUED_BYTES } from '../lib/ui/bounded-output'
import os from 'os'
import path from 'path'
import { Command, Option } from 'commander'
import { parseAddress, type HostPort } from '../lib/protocol/address'
import { MeshError } from '../lib/protocol/errors'
import { MAX_NICK_BYTES, MAX_TTL } from '../lib/protocol/limits'
import { validateNick, validateRoom } from '../lib/core/names'
import {
  DEFAULT_ROOM, DEFAULT_TTL, DEFAULT_MIN_LINKS, DEFAULT_MAX_LINKS, DEFAULT_RATE_PER_SECOND, DEFAULT_RATE_BURST,
  DEFAULT_TIMING, type Timing
} from '../lib/core/options'
import { DEFAULT_AUTHOR_RATE, DEFAULT_AUTHOR_BURST, DEFAULT_LINK_MESSAGE_RATE, DEFAULT_LINK_MESSAGE_BURST, OWN_SEND_SHARE } from '../lib/core/author-limits'
import { VERSION } from '../lib/version'
import { DEFAULT_IRC_SERVER_NAME } from '../lib/irc/limits'
import { checkPasswordRule } from '../lib/irc/password'
import { DEFAULT_SWARM_TIMING, type SwarmTiming } from '../lib/transport/swarm-timing'
import { DEFAULT_GATEWAY_RATE, DEFAULT_GATEWAY_BURST, DEFAULT_GATEWAY_IDLE_MS, DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from '../lib/gateway/limits'

export const DEFAULT_LISTEN = '0.0.0.0:8081'
export const DEFAULT_DATA_DIR = path.join(os.homedir(), '.meshchat')
/** The nick of an --anchor started without --nick. */
export const ANCHOR_NICK = 'anchor'

export interface Config {
  listen: HostPort
  /** --listen was given: a busy port is an error, not a reason to pick another. */
  listenGiven: boolean
  peers: string[]
  nick: string
  room: string
  ttl: number
  dataDir: string
  pex: boolean
  /** --no-mdns turns LAN discovery by multicast DNS off (on with --topic). */
  mdns: boolean
  minLinks: number
  maxLinks: number
  ratePerSecond: number
  rateBurst: number
  /** --author-rate: messages a second this node relays from one author, and the burst; its own are paced under them. */
  authorRate: number
  authorBurst: number
  /** --link-message-rate: messages new to this node one link may bring a second, and the burst (more wait). */
  linkMessageRate: number
  linkMessageBurst: number
  headless: boolean
  timing: Partial<Timing>
  /** --room plus every --topic: the rooms this node is in (the first is where plain lines go). */
  rooms: string[]
  /** --topic: rooms also joined on the hyperswarm DHT. */
  topics: string[]
  /** --bootstrap: private DHT nodes; null means the public DHT. */
  bootstrap: HostPort[] | null
  swarmTiming: Partial<SwarmTiming>
  /** --history (implied by --anchor): keep the room history on disk. */
  history: boolean
  /** --anchor: the classic server log instead of a terminal view. */
  anchor: boolean
  /** --text-listen: where the plain-text line gateway listens, if anywhere. */
  textListen: HostPort | null
  gatewayRate: number
  gatewayBurst: number
  gatewayLimits: Partial<GatewayLimits>
  /** --irc-listen: where the IRC face listens (empty: no IRC face), --irc-password, --irc-server-name. */
  ircListen: HostPort[]
  ircPassword: string | null
  ircServerName: string
  /** Output a reader may leave unread before lines are dropped (hidden --output-queue; tests only). */
  outputQueueBytes: number
}

const collect = (value: string, prev: string[] = []) => prev.concat([value])

export function buildProgram (): Command {
  const program = new Command()
  program
    .name('meshchat')
    .description('Serverless peer-to-peer mesh chat. Every node listens, dials the peers it knows,\nand floods each signed message to its neighbours, so it reaches everyone once.')
    .version(VERSION, '-V, --version')
    .option('-l, --listen <host:port>', 'address to accept links on (port 0 picks a free port; without --listen, a busy default port gives way to a free one)', DEFAULT_LISTEN)
    .option('-p, --peer <host:port>', 'a peer to dial and keep redialling; repeatable', collect)
    .option('-n, --nick <name>', `display name (default: your user name; ${ANCHOR_NICK} with --anchor)`)
    .option('--room <name>', `room to chat in; repeatable, the first is where your lines go (default: the first --topic, else ${DEFAULT_ROOM})`, collect)
    .option('-t, --topic <name>', 'join room <name> and find its peers through the hyperswarm DHT, no address needed; repeatable', collect)
    .option('--bootstrap <host:port>', 'use a private DHT through this bootstrap node (see meshchat dht) instead of the public one; repeatable', collect)
    .addOption(new Option('--swarm-timing <json>', 'override swarm timing options (tests only)').hideHelp())
    .option('--ttl <hops>', `hop limit of your messages and of those you relay (1-${MAX_TTL})`, String(DEFAULT_TTL))
    .option('--data-dir <dir>', 'where the identity key pair is kept; one process at a time', DEFAULT_DATA_DIR)
    .option('--no-pex', 'turn peer exchange off: neither share addresses nor dial exchanged ones')
    .option('--no-mdns', 'with --topic: do not look for peers on the local networks by multicast DNS')
    .option('--min-links <n>', 'dial addresses learnt by peer exchange while below this many links', String(DEFAULT_MIN_LINKS))
    .option('--max-links <n>', 'accept or dial no more than this many links; a quarter (at most 4) is kept for links this node dials', String(DEFAULT_MAX_LINKS))
    .option('--rate-limit <n[:burst]>', 'inbound frames per second per link, and the burst', `${DEFAULT_RATE_PER_SECOND}:${DEFAULT_RATE_BURST}`)
    .option('--author-rate <n[:burst]>', `messages per second relayed from one author (key), and the burst; the excess is dropped (an author met in the last 10 s starts with a tenth of the burst, and its excess waits). Your own lines wait to stay under ${Math.round(OWN_SEND_SHARE * 100)}% of it. Give every node of a mesh the same`, `${DEFAULT_AUTHOR_RATE}:${DEFAULT_AUTHOR_BURST}`)
    .option('--link-message-rate <n[:burst]>', 'messages new to this node accepted per second from one link, whoever wrote them, and the burst; more wait and are let in as the budget refills', `${DEFAULT_LINK_MESSAGE_RATE}:${DEFAULT_LINK_MESSAGE_BURST}`)
    .option('--headless', 'no terminal view: read lines on stdin, write JSON events on stdout')
    .option('--history', 'keep the recent messages of your rooms on disk in the data directory (always on with --anchor)')
    .addOption(new Option('--timing <json>', 'override timing options (tests only)').hideHelp())
    .option('--anchor', 'run as an always-on anchor: no terminal view, log each message and join/leave to stdout')
    .option('--text-listen <host:port>', 'also accept plain line clients (nc, telnet) on this address, as guests of the room')
    .option('--gateway-rate <n[:burst]>', 'lines per second each plain client may post, and the burst', `${DEFAULT_GATEWAY_RATE}:${DEFAULT_GATEWAY_BURST}`)
    .option('--gateway-idle <seconds>', 'close a plain client that sends no line (an empty one counts) for this long', String(DEFAULT_GATEWAY_IDLE_MS / 1000))
    .addOption(new Option('--gateway-limits <json>', 'override text gateway limits (tests only)').hideHelp())
    .addOption(new Option('--output-queue <bytes>', 'stdout bytes a reader may leave unread before lines are dropped (tests only)').hideHelp())
    .option('--irc-listen <host:port>', 'also speak IRC to your own IRC clients (irssi, weechat, HexChat, bots) on this address; repeatable', collect)
    .option('--irc-password <secret>', 'the PASS every IRC client must give (required when --irc-listen is not a loopback address)')
    .option('--irc-server-name <name>', 'the server name IRC clients see', DEFAULT_IRC_SERVER_NAME)
    .addHelpText('after', `
Examples:
  meshchat --nick alice --listen 127.0.0.1:8081
  meshchat --nick bob --listen 127.0.0.1:8082 --peer 127.0.0.1:8081
  echo hello | meshchat --headless --listen 127.0.0.1:0 --peer 127.0.0.1:8081
  meshchat --nick carol --topic rust-meetup            # find peers by name, across networks
  meshchat --anchor --listen 0.0.0.0:8081 --text-listen 0.0.0.0:8023   # an always-on anchor, nc-friendly

Which to use:
  --peer       you know an address that can be reached (same LAN, a server, an anchor)
  --topic      you know only a room name; peers are found through the hyperswarm DHT,
               also behind NATs (needs UDP), and on your LAN by multicast DNS (--no-mdns:
               not); both can be given at once
  --bootstrap  no internet, or your own DHT for peers behind NATs: run it and point every peer at it:
                 meshchat dht --listen 192.168.1.9:49736      # 4 nodes; prints 192.168.1.9:49736 first
                 meshchat --topic team --bootstrap 192.168.1.9:49736

Commands:
  meshchat dht [--listen host:port] [--nodes n]   run a private DHT (see meshchat dht --help)

In the chat, type /help for commands. Data lives in ~/.meshchat unless --data-dir says otherwise.
Exit status: 0 on /quit, SIGINT or SIGTERM; 1 when the node cannot start; 2 for bad options.`)
  return program
}

function intOption (name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(String(value))) throw new MeshError('BAD_OPTION', `invalid ${name} '${value}': expected a whole number from ${min} to ${max}`)
  const n = Number(value)
  if (n < min || n > max) throw new MeshError('BAD_OPTION', `invalid ${name} '${value}': must be from ${min} to ${max}`)
  return n
}

/** `n[:burst]`: a rate per second and its burst (default: the larger of n and `minBurst`). */
function rateOption (name: string, value: string, minBurst: number): [number, number] {
  const [rateText, burstText] = String(value).split(':')
  const rate = intOption(name, rateText, 1, 1_000_000)
  const burst = burstText === undefined ? Math.max(rate, minBurst) : intOption(`${name} burst`, burstText, 1, 10_000_000)
  return [rate, burst]
}

/** A hidden test option: JSON whose fields override named positive numbers of `defaults`. */
/** Override fields that may be 0 (off): no author is held as young. */
const ZERO_MEANS_OFF = new Set(['youngAuthorMs'])

function overridesOption<T extends object> (name: string, value: string | undefined, defaults: T): Partial<T> {
  if (!value) return {}
  const parsed = wrap(name, value, () => JSON.parse(value))
  for (const [k, v] of Object.entries(parsed)) {
    if (!(k in defaults) || typeof v !== 'number' || !Number.isInteger(v) || v < (ZERO_MEANS_OFF.has(k) ? 0 : 1)) throw new MeshError('BAD_OPTION', `invalid ${name} field '${k}'`)
  }
  return parsed
}

/** The longest prefix of `s` (whole characters) that fits `max` UTF-8 bytes. */
function fitBytes (s: string, max: number): string {
  let out = ''
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break
    out += ch
  }
  return out
}

function defaultNick (): string {
  let name = 'anon'
  try { name = os.userInfo().username || name } catch {}
  try { return validateNick(fitBytes(name.replace(/[^\p{L}\p{N}._-]/gu, ''), MAX_NICK_BYTES) || 'anon') } catch { return 'anon' }
}

function wrap<T> (name: string, value: string, fn: () => T): T {
  try { return fn() } catch (err) {
    throw new MeshError('BAD_OPTION', `invalid ${name} '${value}': ${err instanceof MeshError ? err.reason : (err as Error).message}`)
  }
}

/** `listenGiven`: whether --listen came from the command line (commander's option value source). */
export function toConfig (o: Record<string, any>, listenGiven = true): Config {
  const listen = wrap('--listen', o.listen, () => parseAddress(o.listen))
  const peers: string[] = (o.peer ?? []).map((p: string) => { wrap('--peer', p, () => parseAddress(p)); return p })
  const nick = o.nick === undefined ? (o.anchor ? ANCHOR_NICK : defaultNick()) : wrap('--nick', o.nick, () => validateNick(o.nick))
  const swarm = swarmConfig(o)
  const named: string[] = (o.room ?? []).map((r: string) => wrap('--room', r, () => validateRoom(r)))
  const room = named[0] ?? swarm.topics[0] ?? DEFAULT_ROOM
  const ttl = intOption('--ttl', o.ttl, 1, MAX_TTL)
  const minLinks = intOption('--min-links', o.minLinks, 0, 1000)
  const maxLinks = intOption('--max-links', o.maxLinks, 1, 1000)
  const [ratePerSecond, rateBurst] = rateOption('--rate-limit', o.rateLimit, DEFAULT_RATE_BURST)
  const [authorRate, authorBurst] = rateOption('--author-rate', o.authorRate ?? `${DEFAULT_AUTHOR_RATE}:${DEFAULT_AUTHOR_BURST}`, DEFAULT_AUTHOR_BURST)
  const [linkMessageRate, linkMessageBurst] = rateOption('--link-message-rate', o.linkMessageRate ?? `${DEFAULT_LINK_MESSAGE_RATE}:${DEFAULT_LINK_MESSAGE_BURST}`, DEFAULT_LINK_MESSAGE_BURST)
  const timing: Partial<Timing> = overridesOption('--timing', o.timing, DEFAULT_TIMING)
  if (!o.dataDir) throw new MeshError('BAD_OPTION', 'invalid --data-dir \'\': empty')
  const gateway = gatewayConfig(o)
  return {
    ...gateway, ...ircConfig(o), anchor: !!o.anchor, history: !!o.history || !!o.anchor,
    listen, listenGiven, peers, nick, room, ttl, dataDir: path.resolve(o.dataDir), pex: o.pex !== false, mdns: o.mdns !== false, minLinks, maxLinks,
    ratePerSecond, rateBurst, authorRate, authorBurst, linkMessageRate, linkMessageBurst, headless: !!o.headless, timing, ...swarm, rooms: [...new Set([room, ...named, ...swarm.topics])],
    outputQueueBytes: o.outputQueue === undefined ? MAX_OUTPUT_QUEUED_BYTES : intOption('--output-queue', o.outputQueue, 1, MAX_OUTPUT_QUEUED_BYTES)
  }
}

function swarmConfig (o: Record<string, any>): Pick<Config, 'topics' | 'bootstrap' | 'swarmTiming'> {
  const topics: string[] = [...new Set((o.topic ?? []).map((t: string) => wrap('--topic', t, () => validateRoom(t))) as string[])]
  const boots: string[] = o.bootstrap ?? []
  const bootstrap = boots.length === 0 ? null : boots.map(b => {
    const a = wrap('--bootstrap', b, () => parseAddress(b))
    if (a.port === 0) throw new MeshError('BAD_OPTION', `invalid --bootstrap '${b}': port 0; give the port the DHT node printed`)
    return a
  })
  if (bootstrap && topics.length === 0) throw new MeshError('BAD_OPTION', '--bootstrap needs at least one --topic to look up')
  const swarmTiming: Partial<SwarmTiming> = overridesOption('--swarm-timing', o.swarmTiming, DEFAULT_SWARM_TIMING)
  return { topics, bootstrap, swarmTiming }
}

function gatewayConfig (o: Record<string, any>): Pick<Config, 'textListen' | 'gatewayRate' | 'gatewayBurst' | 'gatewayLimits'> {
  const textListen = o.textListen === undefined ? null : wrap('--text-listen', o.textListen, () => parseAddress(o.textListen))
  const [gatewayRate, gatewayBurst] = rateOption('--gateway-rate', o.gatewayRate ?? String(DEFAULT_GATEWAY_RATE), DEFAULT_GATEWAY_BURST)
  const idleMs = intOption('--gateway-idle', o.gatewayIdle ?? String(DEFAULT_GATEWAY_IDLE_MS / 1000), 1, 86_400) * 1000
  // totalRate and totalBurst have no default (the node's send budget) but may be given (benchmarks).
  const gatewayLimits: Partial<GatewayLimits> = { idleMs, ...overridesOption('--gateway-limits', o.gatewayLimits, { ...DEFAULT_GATEWAY_LIMITS, totalRate: 0, totalBurst: 0 }) }
  return { textListen, gatewayRate, gatewayBurst, gatewayLimits }
}

function ircConfig (o: Record<string, any>): Pick<Config, 'ircListen' | 'ircPassword' | 'ircServerName'> {
  const ircListen: HostPort[] = (o.ircListen ?? []).map((a: string) => wrap('--irc-listen', a, () => parseAddress(a)))
  const ircPassword: string | null = o.ircPassword === undefined ? null : String(o.ircPassword)
  if (ircPassword !== null && (ircPassword === '' || /[\s\0]/.test(ircPassword))) throw new MeshError('BAD_OPTION', 'invalid --irc-password: empty or holds spaces or control characters')
  checkPasswordRule(ircListen, ircPassword)
  const ircServerName = String(o.ircServerName ?? DEFAULT_IRC_SERVER_NAME)
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(ircServerName) || ircServerName.length > 63) throw new MeshError('BAD_OPTION', `invalid --irc-server-name '${ircServerName}': letters, digits, '.' and '-', at most 63`)
  return { ircListen, ircPassword, ircServerName }
}
