#!/usr/bin/env node
// Runs the test files (test/**/*.test.ts) with tape in TEST_SHARDS parallel
// processes (default 2, one per core of the machine CI runs on), then the
// files that time themselves against the machine (SOLO) alone. Most tests
// wait on sockets, child processes and timers rather than the CPU: on 2
// cores the suite took 279 s in one process and 172 s in two (2026-11-29;
// 155 s in three, too unevenly loaded to trust). Files are dealt to shards
// longest first by the seconds each took in a serial run
// (test/durations.json; a file not listed there, short or new, counts
// DEFAULT_S). Shard 1 streams its output; the others print theirs when they
// end. Last come tape-style totals ("# pass N", "# fail N") over every
// process, which .ci/run reads; a process that ended without its own totals
// (a crash) counts one failure. TEST_SHARDS=1 runs everything in one process.
'use strict'
const { spawn } = require('child_process')
const fs = require('fs')
const path = require('path')

const ROOT = path.join(__dirname, '..')
/** Seconds a file not in durations.json is taken to need. */
const DEFAULT_S = 1
/**
 * Run alone after the shards, as they ran before there were shards: the
 * bench smoke's adversary section times real processes (it timed out on a
 * loaded machine before), and in lazy-push.test.ts where a new author's
 * first message meets itself on a ring depends on when the IHAVE timers
 * fire against the frames (beside another shard it failed once in four
 * runs, and 1 of 7 beside two busy processes).
 */
const SOLO = [/^bench-smoke\.test\.ts$/, /^lazy-push\.test\.ts$/]

function testFiles (dir) {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...testFiles(p))
    else if (e.name.endsWith('.test.ts')) out.push(p)
  }
  return out.sort()
}

function durations () {
  try { return JSON.parse(fs.readFileSync(path.join(__dirname, 'durations.json'), 'utf8')) } catch { return {} }
}

/** Deals files to n shards, longest first, each to the shard with the least so far. */
function deal (files, n, secs) {
  const shards = Array.from({ length: n }, () => ({ files: [], s: 0 }))
  const weight = f => secs[path.relative(__dirname, f)] ?? DEFAULT_S
  for (const f of [...files].sort((a, b) => weight(b) - weight(a))) {
    const least = shards.reduce((a, b) => (b.s < a.s ? b : a))
    least.files.push(f)
    least.s += weight(f)
  }
  return shards.filter(s => s.files.length > 0)
}

/** Runs tape on `files`; resolves with its output, exit code and counts. */
function tape (files, live) {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [path.join(path.dirname(require.resolve('tape/package.json')), 'bin', 'tape'), '-r', 'ts-node/register', ...files.map(f => path.relative(ROOT, f))], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const take = d => { out += d; if (live) process.stdout.write(d) }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('close', (code, signal) => {
      const last = re => { const all = [...out.matchAll(re)]; return all.length ? Number(all[all.length - 1][1]) : 0 }
      resolve({ out, code: code ?? 1, signal, pass: last(/^# pass +(\d+)$/gm), fail: last(/^# fail +(\d+)$/gm) })
    })
  })
}

async function main () {
  const n = Math.max(1, Number(process.env.TEST_SHARDS ?? 2) || 1)
  const all = testFiles(__dirname)
  const solo = n > 1 ? all.filter(f => SOLO.some(re => re.test(path.basename(f)))) : []
  const rest = all.filter(f => !solo.includes(f))
  const shards = deal(rest, n, durations())
  const started = Date.now()
  console.log(`# ${all.length} test files: ${shards.length} shard(s) in parallel (${shards.map(s => s.files.length).join(' + ')} files), then ${solo.length} alone`)
  const results = await Promise.all(shards.map((s, i) => tape(s.files, i === 0).then(r => {
    const took = `${((Date.now() - started) / 1000).toFixed(0)} s`
    process.stdout.write(i > 0 ? `# shard ${i + 1} of ${shards.length} (${s.files.length} files, ${took})\n${r.out}` : `# shard 1 of ${shards.length} ended after ${took}\n`)
    return r
  })))
  for (const f of solo) results.push(await tape([f], true))
  let pass = 0
  let fail = 0
  for (const r of results) {
    pass += r.pass
    // A process that failed without counting a failing assertion (a crash, a signal) counts one.
    fail += r.fail || (r.code !== 0 ? 1 : 0)
  }
  console.log(`\n# all shards, ${((Date.now() - started) / 1000).toFixed(0)} s`)
  console.log(`# tests ${pass + fail}`)
  console.log(`# pass  ${pass}`)
  console.log(`# fail  ${fail}`)
  process.exitCode = fail > 0 ? 1 : 0
}

main().catch(err => { console.error(err); process.exitCode = 1 })
