// A wire length guard started mid-stream (as a swarm connection's guard is,
// from secret-stream's parser state): inside a length prefix with 0, 1 or 2
// of its bytes read, or inside a body, it parses the rest exactly as a guard
// that read the stream from its first byte.
import test from 'tape'
import { WireLengthGuard, invalidPosition, type WirePosition } from '../lib/transport/wire-guard'

/** One secret-stream message: uint24 LE length, then the body. */
function msg (len: number, fill = 7): Buffer {
  const b = Buffer.alloc(3 + len, fill)
  b.writeUIntLE(len, 0, 3)
  return b
}

/** Reference parser: where a reader of the framing stands after the first k bytes, and how many prefixes it completed. */
function positionAfter (stream: Buffer, k: number): { at: WirePosition; prefixes: number } {
  let i = 0
  let prefixes = 0
  for (;;) {
    const left = k - i
    if (left < 3) return { at: { reading: 'length', bytesRead: left, partial: left === 0 ? 0 : stream.readUIntLE(i, left) }, prefixes }
    const len = stream.readUIntLE(i, 3)
    prefixes++
    if (left - 3 < len) return { at: { reading: 'body', length: len, bytesRead: left - 3 }, prefixes }
    i += 3 + len
  }
}

test('wire guard resumed: from every byte of a stream, the same verdict as a guard that read it all', (t) => {
  const max = 300
  const good = Buffer.concat([msg(0), msg(1), msg(70), msg(0x0102), msg(2), msg(300), msg(3)])
  const bad = Buffer.concat([msg(4), msg(0x0101), msg(300), msg(0x012c01).subarray(0, 3), Buffer.alloc(20)])
  let wrong = 0
  let cases = 0
  const readings = new Set<string>()
  for (const stream of [good, bad]) {
    const whole = new WireLengthGuard(max)
    const wholeOk = whole.push(stream)
    for (let k = 0; k <= stream.length; k++) {
      const { at, prefixes } = positionAfter(stream, k)
      readings.add(at.reading === 'length' ? `length/${at.bytesRead}` : at.bytesRead === 0 ? 'body/start' : 'body/inside')
      for (const cut of [0, 1, 5]) {
        cases++
        const guard = new WireLengthGuard(max, at)
        const rest = stream.subarray(k)
        let ok = guard.push(rest.subarray(0, cut))
        ok = guard.push(rest.subarray(cut)) && ok
        if (ok !== wholeOk || guard.tripped !== whole.tripped || guard.messages + prefixes !== whole.messages) wrong++
      }
    }
  }
  t.equal(wrong, 0, `all ${cases} resumed guards agree with the whole-stream guard`)
  t.deepEqual([...readings].sort(), ['body/inside', 'body/start', 'length/0', 'length/1', 'length/2'], 'every kind of position was tried')
  t.end()
})

test('wire guard resumed mid-length: the bytes already read count toward the length', (t) => {
  const max = 0x10000
  // 01 00 01 is 65537, one over; without the first byte it would read 65536, allowed.
  const one = new WireLengthGuard(max, { reading: 'length', bytesRead: 1, partial: 0x01 })
  t.notOk(one.push(Buffer.from([0x00, 0x01])), 'one byte read: the other two complete 65537, tripped')
  t.equal(one.tripped, 0x10001)
  const two = new WireLengthGuard(max, { reading: 'length', bytesRead: 2, partial: 0x0001 })
  t.notOk(two.push(Buffer.from([0x01])), 'two bytes read: the third completes 65537, tripped')
  t.equal(two.tripped, 0x10001)
  const fits = new WireLengthGuard(max, { reading: 'length', bytesRead: 2, partial: 0x0000 })
  t.ok(fits.push(Buffer.from([0x01])), '00 00 01 is 65536: allowed')
  t.equal(fits.messages, 1, 'one prefix completed')
  t.end()
})

test('wire guard resumed mid-body: skips exactly the bytes left, then reads the next prefix', (t) => {
  const at: WirePosition = { reading: 'body', length: 100, bytesRead: 40 }
  const exact = new WireLengthGuard(300, at)
  t.notOk(exact.push(Buffer.concat([Buffer.alloc(60, 0xff), Buffer.from([0xff, 0xff, 0xff])])), '60 body bytes left, then ff ff ff trips')
  t.equal(exact.tripped, 0xffffff)
  const oneShort = new WireLengthGuard(300, at)
  t.ok(oneShort.push(Buffer.alloc(61, 0xff)), 'the 61st byte is the first of a prefix, not yet complete')
  t.notOk(oneShort.push(Buffer.from([0xff, 0xff])), 'its last two bytes complete 0xffffff: tripped')
  const empty = new WireLengthGuard(300, { reading: 'body', length: 0, bytesRead: 0 })
  t.ok(empty.push(msg(300)), 'an empty body: the next byte starts a prefix')
  t.equal(empty.messages, 1)
  t.end()
})

test('wire guard resumed inside a body over the limit starts tripped', (t) => {
  const guard = new WireLengthGuard(300, { reading: 'body', length: 301, bytesRead: 10 })
  t.equal(guard.tripped, 301, 'tripped at once, naming the length')
  t.notOk(guard.push(Buffer.alloc(1)), 'and refuses every chunk')
  t.end()
})

test('wire guard: impossible start positions are refused', (t) => {
  const bad: WirePosition[] = [
    { reading: 'length', bytesRead: 3, partial: 0 },
    { reading: 'length', bytesRead: -1, partial: 0 },
    { reading: 'length', bytesRead: 1, partial: 256 },
    { reading: 'length', bytesRead: 2, partial: 1.5 },
    { reading: 'body', length: 0x1000000, bytesRead: 0 },
    { reading: 'body', length: 10, bytesRead: 11 },
    { reading: 'body', length: 10, bytesRead: -1 }
  ]
  for (const p of bad) {
    t.ok(invalidPosition(p), `${JSON.stringify(p)}: ${invalidPosition(p)}`)
    t.throws(() => new WireLengthGuard(300, p), RangeError, 'the constructor throws')
  }
  t.equal(invalidPosition({ reading: 'length', bytesRead: 2, partial: 0xffff }), null, 'the largest partial after two bytes is possible')
  t.equal(invalidPosition({ reading: 'body', length: 0xffffff, bytesRead: 0xffffff }), null, 'a full 16 MiB body is a possible position')
  t.end()
})
