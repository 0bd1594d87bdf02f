// A command line on a headless node's stdin is read up to MAX_STDIN_LINE_BYTES
// (16 KiB): a longer one (a script gone wrong, a file piped in by mistake) is
// skipped up to its newline with LINE_TOO_LONG instead of being buffered
// whole, and the lines after it run as usual. A real process.
import test from 'tape'
import { Cluster } from './helpers/proc'

test('headless: an over-long stdin line is skipped with LINE_TOO_LONG, never buffered; the next command runs', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const a = await cluster.start({ name: 'a' })
  // 4 MiB without a newline, in pieces, then the newline and a command.
  const piece = 'x'.repeat(64 * 1024)
  for (let i = 0; i < 64; i++) a.child.stdin!.write(piece)
  a.child.stdin!.write('\n/nick after\n')
  const err = await a.waitFor(e => e.event === 'error', 10_000, 'the error')
  t.equal(err.code, 'LINE_TOO_LONG', 'the long line was refused as a line, not read as a 4 MiB message')
  t.ok(await a.waitFor(e => e.event === 'nick' && e.nick === 'after', 10_000, 'the next command'), 'the command after it ran')
  a.child.stdin!.write('last line without a newline')
  a.child.stdin!.end()
  const last = await a.waitFor(e => e.event === 'message' && e.self, 10_000, 'the unfinished last line')
  t.equal(last.text, 'last line without a newline', 'an unfinished last line is still read at the end of input')
})
