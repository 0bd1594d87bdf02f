// The fan-out section's row for one case on one server: several measured
// runs become one, the median run by p99, with every run's losses counted.
import test from 'tape'
import { combineRuns } from '../bench/fanout'
import type { FanoutResult } from '../bench/fanout-driver'

function run (p99: number, over: Partial<FanoutResult> = {}): FanoutResult {
  return {
    sent: 2000, expected: 18000, delivered: 18000, lost: 0, corrupted: 0, duplicates: 0, echoed: 0,
    throughputLinesPerS: 500, latencyP50Ms: p99 / 4, latencyP99Ms: p99, latencyMaxMs: p99 * 2,
    serverCpuMs: 100, serverCpuUsPerLine: 50, durationMs: 4000, ended: 'complete', ...over
  }
}

test('fan-out: the median run by p99 stands for the case, and no run\'s losses are hidden', (t) => {
  const r = combineRuns([run(3.1, { latencyP50Ms: 1 }), run(0.9, { latencyP50Ms: 2, lost: 2 }), run(1.4, { latencyP50Ms: 3, corrupted: 1, duplicates: 4 })])
  t.equal(r.latencyP99Ms, 1.4, 'the median of 0.9, 1.4 and 3.1 ms')
  t.equal(r.latencyP50Ms, 3, 'every other figure is that run\'s own')
  t.deepEqual(r.p99RunsMs, [3.1, 0.9, 1.4], 'each run\'s p99, in the order run')
  t.deepEqual([r.lost, r.corrupted, r.duplicates], [2, 1, 4], 'lost, corrupted and duplicated lines summed over every run, not the median run\'s 0')
  t.equal(r.ended, 'complete', 'every run complete')
  t.equal(combineRuns([run(1), run(2, { ended: 'stalled' }), run(3)]).ended, 'stalled', 'a run that stalled shows, though the median run did not')
  t.equal(combineRuns([run(2), run(1)]).latencyP99Ms, 1, 'with two runs, the lower')
  t.end()
})
