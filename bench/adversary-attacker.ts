// The attacker process of the adversary section, so the hostile member's CPU
// (key generation, signing, socket writes) is not spent in the process that
// measures honest latency. Started by bench/adversary-attacker-proc.ts as
//   node dist/bench/adversary-attacker.js '{"role":...,"plan":{...},"durationMs":N}'
// and driven by JSON lines on stdin:
//   {"cmd":"target","victim":"127.0.0.1:P"}  make every frame, join the first link
//   {"cmd":"dropped","key":"<hex>"}           the victim dropped this peer (its peer-down)
//   {"cmd":"start"}                            attack (or idle) until durationMs is up
// It answers on stdout: {"event":"ready",...}, {"event":"done","outcome":{...}}
// or {"event":"error","message":...}, and exits after done, on error, when
// stdin closes, or after ATTACKER_LIFETIME_MS whatever happens.
import readline from 'readline'
import { performance } from 'perf_hooks'
import { IDLE, prepareAttack, type AttackPlan, type AttackerRole, type Prepared } from './adversary-frames'
import { joinFirst, runMember, runPreauthAttack, type AttackOutcome, type Member } from './adversary-attacks'

export interface AttackerArgs { role: AttackerRole; plan: AttackPlan; durationMs: number }
export type AttackerCommand = { cmd: 'target'; victim: string } | { cmd: 'dropped'; key: string } | { cmd: 'start' }
export type AttackerEvent =
  | { event: 'ready'; prepareMs: number; frames: number; keys: number }
  /** cpuMs: the attacker's own user + system CPU from start to done. */
  | { event: 'done'; outcome: AttackOutcome; cpuMs: number }
  | { event: 'error'; message: string }

/** The attacker exits by itself this long after it started, whatever the bench does. */
export const ATTACKER_LIFETIME_MS = 120_000

function emit (e: AttackerEvent): void { process.stdout.write(JSON.stringify(e) + '\n') }

function fail (err: unknown): never {
  emit({ event: 'error', message: (err as Error)?.stack ?? String(err) })
  process.exit(1)
}

function main (): void {
  const args = JSON.parse(process.argv[2] ?? '') as AttackerArgs
  if (args.role !== IDLE && args.role !== 'preauth-length' && !['sync-offers', 'fresh-keys', 'member-flood', 'future-dated', 'sync-replay'].includes(args.role)) fail(new Error(`unknown role ${args.role}`))
  setTimeout(() => process.exit(3), ATTACKER_LIFETIME_MS).unref()
  const dropped = new Set<string>()
  const isDropped = (key: string) => dropped.has(key)
  let victim = ''
  let prepared: Prepared | null = null
  let first: Member | null = null
  let started = false

  const target = async (address: string) => {
    const t0 = performance.now()
    victim = address
    prepared = prepareAttack(args.role, args.plan)
    if (args.role !== 'preauth-length') first = await joinFirst(prepared, victim, isDropped)
    emit({ event: 'ready', prepareMs: Math.round(performance.now() - t0), frames: prepared.frames, keys: prepared.keys })
  }
  const start = async () => {
    if (!prepared || started) throw new Error('start before ready, or twice')
    started = true
    const cpu0 = process.cpuUsage()
    const outcome = args.role === 'preauth-length'
      ? await runPreauthAttack(prepared, victim, args.plan, args.durationMs)
      : await runMember(prepared, victim, first!, args.durationMs, isDropped)
    const cpu = process.cpuUsage(cpu0)
    emit({ event: 'done', outcome, cpuMs: Math.round((cpu.user + cpu.system) / 1000) })
    process.exit(0)
  }

  readline.createInterface({ input: process.stdin })
    .on('line', line => {
      let c: AttackerCommand
      try { c = JSON.parse(line) } catch { return fail(new Error(`bad command line: ${line.slice(0, 100)}`)) }
      if (c.cmd === 'dropped') dropped.add(c.key)
      else if (c.cmd === 'target') target(c.victim).catch(fail)
      else if (c.cmd === 'start') start().catch(fail)
    })
    .on('close', () => process.exit(started ? 0 : 2))
}

if (require.main === module) {
  try { main() } catch (err) { fail(err) }
}
