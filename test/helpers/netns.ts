// A lab of Linux network namespaces for tests that need real networks: a
// "public" switch (20.0.0.0/24, a bridge in namespace `pub`) where DHT nodes
// live, home LANs each behind its own router doing iptables MASQUERADE
// (`--random-fully` for a hard NAT), and router-less LANs (a bridge, no
// default route, no internet). Processes run inside with `ip netns exec`.
// Every namespace is deleted in the tape teardown, even when a test fails;
// veths and iptables rules live inside the namespaces and go with them.
import { execFileSync, spawn } from 'child_process'
import test, { type Test } from 'tape'
import { BIN, Cluster, Proc } from './proc'

/** Address of the public switch itself (where `meshchat dht` runs). */
export const PUBLIC_HOST = '20.0.0.1'

export interface NatLan { router: string; host: string; hostIp: string; wanIp: string }
export interface IsolatedLan { hosts: string[]; ips: string[] }

function ip (args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

function inNs (ns: string, cmd: string[]): void {
  execFileSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Why namespaces cannot be used here, or null when they can (tried for real). */
export function netnsUnavailable (): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`
  if (process.getuid?.() !== 0) return 'not running as root'
  const probe = `mcprobe${process.pid}`
  try {
    ip(['netns', 'add', probe])
    ip(['netns', 'del', probe])
  } catch (err) {
    return `ip netns add failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`
  }
  try { execFileSync('iptables', ['--version'], { stdio: 'ignore' }) } catch { return 'iptables is not installed' }
  return null
}

let labs = 0

export class Lab {
  readonly cluster: Cluster
  private readonly prefix: string
  private readonly namespaces: string[] = []
  private nets = 0
  private links = 0

  /** Builds the public switch; the teardown kills the lab's processes, then deletes every namespace. */
  constructor (t: Test) {
    this.prefix = `mc${process.pid % 100000}${String.fromCharCode(97 + (labs++ % 26))}`
    this.cluster = new Cluster(t)
    t.teardown(() => this.destroy())
    const pub = this.ns('pub')
    inNs(pub, ['ip', 'link', 'add', 'br0', 'type', 'bridge'])
    inNs(pub, ['ip', 'addr', 'add', `${PUBLIC_HOST}/24`, 'dev', 'br0'])
    inNs(pub, ['ip', 'link', 'set', 'br0', 'up'])
  }

  /** Namespace name of a lab member. */
  name (member: string): string { return `${this.prefix}-${member}` }

  private ns (member: string): string {
    const name = this.name(member)
    ip(['netns', 'add', name])
    this.namespaces.push(name)
    inNs(name, ['ip', 'link', 'set', 'lo', 'up'])
    return name
  }

  /** A veth from namespace a (named ifA there) to namespace b (ifB); both up. */
  private veth (a: string, ifA: string, b: string, ifB: string): void {
    const tmpA = `${this.prefix}v${this.links}`
    const tmpB = `${this.prefix}w${this.links++}`
    ip(['link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB])
    ip(['link', 'set', tmpA, 'netns', a])
    ip(['link', 'set', tmpB, 'netns', b])
    inNs(a, ['ip', 'link', 'set', tmpA, 'name', ifA])
    inNs(b, ['ip', 'link', 'set', tmpB, 'name', ifB])
    inNs(a, ['ip', 'link', 'set', ifA, 'up'])
    inNs(b, ['ip', 'link', 'set', ifB, 'up'])
  }

  /**
   * A home LAN: router `${member}-nat` with WAN 20.0.0.(10+n) on the public
   * switch, LAN 192.168.n.1/24, MASQUERADE out of the WAN (`hard`: with
   * --random-fully, a new public port for every destination), a firewall
   * dropping unsolicited WAN packets like a home router's, and one host
   * `member` at 192.168.n.10 routed through it.
   */
  natLan (member: string, opts: { hard?: boolean } = {}): NatLan {
    const n = ++this.nets
    const router = this.ns(`${member}-nat`)
    const host = this.ns(member)
    const wanIp = `20.0.0.${10 + n}`
    const hostIp = `192.168.${n}.10`
    this.veth(this.name('pub'), `p${n}`, router, 'wan')
    inNs(this.name('pub'), ['ip', 'link', 'set', `p${n}`, 'master', 'br0'])
    inNs(router, ['ip', 'addr', 'add', `${wanIp}/24`, 'dev', 'wan'])
    this.veth(router, 'lan', host, 'eth0')
    inNs(router, ['ip', 'addr', 'add', `192.168.${n}.1/24`, 'dev', 'lan'])
    inNs(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    inNs(router, ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', ...(opts.hard ? ['--random-fully'] : [])])
    // a home router's firewall: unsolicited packets from the WAN are dropped, so they never confirm
    // a conntrack entry that would clash with (and remap) the hole punch answering them
    inNs(router, ['iptables', '-A', 'INPUT', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP'])
    inNs(host, ['ip', 'addr', 'add', `${hostIp}/24`, 'dev', 'eth0'])
    inNs(host, ['ip', 'route', 'add', 'default', 'via', `192.168.${n}.1`])
    return { router, host, hostIp, wanIp }
  }

  /** Drops UDP forwarded through a NAT router except to and from the public switch's DHT host. */
  blockUdpExceptDht (lan: NatLan): void {
    inNs(lan.router, ['iptables', '-A', 'FORWARD', '-p', 'udp', '-d', PUBLIC_HOST, '-j', 'ACCEPT'])
    inNs(lan.router, ['iptables', '-A', 'FORWARD', '-p', 'udp', '-s', PUBLIC_HOST, '-j', 'ACCEPT'])
    inNs(lan.router, ['iptables', '-A', 'FORWARD', '-p', 'udp', '-j', 'DROP'])
  }

  /** A LAN with no router: a switch and hosts 10.9.n.(i+1)/24 with no default route. */
  isolatedLan (members: string[]): IsolatedLan {
    const n = ++this.nets
    const sw = this.ns(`sw${n}`)
    inNs(sw, ['ip', 'link', 'add', 'br0', 'type', 'bridge'])
    inNs(sw, ['ip', 'link', 'set', 'br0', 'up'])
    const hosts: string[] = []
    const ips: string[] = []
    members.forEach((m, i) => {
      const host = this.ns(m)
      this.veth(sw, `p${i}`, host, 'eth0')
      inNs(sw, ['ip', 'link', 'set', `p${i}`, 'master', 'br0'])
      const addr = `10.9.${n}.${i + 1}`
      inNs(host, ['ip', 'addr', 'add', `${addr}/24`, 'dev', 'eth0'])
      hosts.push(host)
      ips.push(addr)
    })
    return { hosts, ips }
  }

  /** Runs the built bin inside namespace ns; killed by the lab's teardown. */
  spawn (ns: string, args: string[], name: string): Proc {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    const p = new Proc(child, name)
    this.cluster.procs.push(p)
    return p
  }

  private async destroy (): Promise<void> {
    await Promise.all(this.cluster.procs.map(p => p.kill('SIGKILL').catch(() => {})))
    for (const ns of this.namespaces.splice(0).reverse()) {
      try { ip(['netns', 'del', ns]) } catch {}
    }
  }
}

/** Reason lab tests are skipped on this machine, computed once. */
let unavailable: string | null | undefined
let skipped = 0

/**
 * A tape test that needs a lab: skipped (with the reason) only where namespaces
 * cannot be created; the file's output ends with how many were skipped and why.
 */
export function labTest (name: string, timeoutMs: number, fn: (t: Test, lab: Lab) => Promise<void>): void {
  if (unavailable === undefined) {
    unavailable = netnsUnavailable()
    if (unavailable) test.onFinish(() => console.log(`# skipped ${skipped} network-namespace test${skipped === 1 ? '' : 's'}: ${unavailable} (they need root and ip netns)`))
  }
  if (unavailable) {
    skipped++
    test(name, { skip: `needs root and network namespaces: ${unavailable}` }, () => {})
    return
  }
  test(name, { timeout: timeoutMs }, async (t) => { await fn(t, new Lab(t)) })
}
