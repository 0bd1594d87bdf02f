// Human-readable tables for each section of a run.
import type { BenchResults, GrowthRow } from './results'
import type { MeshScenarioResult } from './mesh-scenarios'
import type { RoomsResult } from './mesh-rooms'
import type { IdleResult } from './mesh-idle'
import type { TargetCheck } from './targets'
import { GOSSIPSUB } from './targets'
import { table } from './table'

export function meshTable (rows: MeshScenarioResult[]): string {
  return table(
    ['scenario', 'ttl', 'diam', 'msgs', 'delivered %', 'p50 ms', 'p99 ms', 'copies/deliv', 'bytes/deliv', 'cpu ms/deliv', 'KiB/node', 'after KiB/node', 'form floods', 'form cpu ms'],
    rows.map(r => [r.name, r.ttl, r.diameter, r.messages, r.deliveryRatio * 100, r.latencyP50Ms, r.latencyP99Ms, r.copiesPerDelivery, r.bytesPerDelivery, r.cpuMsPerDelivery,
      r.heapPerNodeKiB, r.heapPerNodeAfterKiB, r.formation.floods, r.formation.cpuMs]))
}

export function roomsTable (rows: RoomsResult[]): string {
  return table(
    ['scenario', 'ttl', 'links', 'msgs', 'delivered %', 'dup deliv', 'p50 ms', 'p99 ms', 'copies/deliv', 'bytes/deliv', 'frames at non-members'],
    rows.map(r => [r.name, r.ttl, r.edges, r.messages, r.deliveryRatio * 100, r.duplicateDeliveries, r.latencyP50Ms, r.latencyP99Ms, r.copiesPerDelivery, r.bytesPerDelivery, r.strayFrames]))
}

export function idleTable (rows: IdleResult[]): string {
  return table(['scenario', 'interval s', 'window s', 'bytes/s per node', 'presence frames/min per node', '/who complete'],
    rows.map(r => [r.name, r.intervalS, r.windowS, r.bytesPerSecPerNode, r.presenceFramesPerMinPerNode, r.whoComplete]))
}

export function growthTable (rows: GrowthRow[]): string {
  return table(['degree', 'nodes', 'cpu/deliv x', 'heap/node x', 'p99 x'], rows.map(g => [g.degree, g.nodes, g.cpuPerDelivery, g.heapPerNode, g.p99]))
}

export function pubsubTable (p: MeshScenarioResult): string {
  const rows: Array<[string, number, number]> = [
    ['p99 latency ms', p.latencyP99Ms, GOSSIPSUB.p99Ms],
    ['cpu ms per delivery', p.cpuMsPerDelivery, GOSSIPSUB.cpuMsPerDelivery],
    ['bytes written per delivery', p.bytesPerDelivery, GOSSIPSUB.bytesPerDelivery],
    ['copies per delivery', p.copiesPerDelivery, GOSSIPSUB.copiesPerDelivery]
  ]
  return table(['standard pubsub workload', 'meshchat (measured)', 'gossipsub (quoted, not run)', 'ratio'],
    [['delivered %', p.deliveryRatio * 100, 100, p.deliveryRatio], ...rows.map(([k, m, g]) => [k, m, g, Math.round((m / g) * 1000) / 1000])])
}

export function tcpTable (r: NonNullable<BenchResults['tcp']>): string {
  return table(['scenario', 'msgs', 'delivered %', 'p50 ms', 'p99 ms', 'far-end p99 ms', 'warm-up far-end max ms', 'cpu ms/deliv', 'writes/deliv', 'RSS MiB/node', 'setup ms'],
    r.map(t => [t.name, t.messages, t.deliveryRatio * 100, t.latencyP50Ms, t.latencyP99Ms, t.farEndP99Ms, t.coldFarEndMaxMs, t.cpuMsPerDelivery, t.writeCallsPerDelivery, t.rssPerNodeMiB, t.setupMs]))
}

export function fanoutTable (r: NonNullable<BenchResults['fanout']>): string {
  return table(['case', 'target', 'lines/s', 'p50 ms', 'p99 ms (median run)', 'p99 of each run', 'lost', 'corrupt', 'server cpu ms', 'cpu us/line', 'status'],
    r.map(f => [f.case, f.target, f.throughputLinesPerS, f.latencyP50Ms, f.latencyP99Ms, (f.p99RunsMs ?? []).join(' '), f.lost, f.corrupted, f.serverCpuMs, f.serverCpuUsPerLine,
      f.status === 'ok' ? (f.ended === 'complete' ? 'ok' : f.ended) : `${f.status}${f.note ? `: ${f.note}` : ''}`]))
}

export function startupTable (s: NonNullable<BenchResults['startup']>): string {
  return table(['start-up', 'value'], [
    ['ready, median of runs (ms)', s.readyMsMedian],
    ['all runs (ms)', s.readyMsAll.join(', ')],
    ['bare `node -e 0` (ms)', s.bareNodeMsMedian],
    ['idle RSS, one node (MiB)', s.idleRssMiB]
  ])
}

export function soakTable (s: NonNullable<BenchResults['soak']>): string {
  return table(['messages', 'heap MiB', 'rss MiB', 'seen entries', 'seconds'],
    s.samples.map(x => [x.messages, x.heapMiB, x.rssMiB, x.seenEntries, x.seconds])) +
    `\n${s.sent} sent, ${s.delivered} delivered, ${s.messagesPerSecond} msg/s; seen cache bound ${s.seenMaxSize}; heap growth from ${s.warmupMessages} messages on: ${s.growthAfterWarmup}x (${s.flat ? 'flat' : 'NOT flat'})`
}

export function targetsTable (t: TargetCheck[]): string {
  return table(['target', 'measured', 'limit', 'unit', 'ratio', 'met', 'note'],
    t.map(x => [x.target, x.measured, x.limit, x.unit, x.ratio, x.met === null ? '-' : x.met ? 'MET' : 'MISSED', x.note ?? '']))
}
