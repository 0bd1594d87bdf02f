// The swarm wire guard on stand-in connections: started in step with the
// connection's parser, it cuts the connection at an oversized length before
// the chunk reaches a data listener; a connection whose parser it cannot
// read is left working, reported once however many there are.
import test from 'tape'
import { EventEmitter } from 'events'
import { SwarmWireGuard } from '../lib/transport/swarm-wire-guard'
import type { MeshError } from '../lib/protocol/errors'

/** A connection shaped like a secret-stream as hyperswarm hands it over, with its parser fields. */
class FakeConn {
  readonly rawStream = new EventEmitter()
  destroyedWith: Error | undefined
  destroys = 0
  constructor (readonly fields: Record<string, unknown>) { Object.assign(this, fields) }
  destroy (err?: Error): void { this.destroys++; this.destroyedWith ??= err }
}

function setup () {
  const faults: MeshError[] = []
  const guard = new SwarmWireGuard(err => faults.push(err), 300)
  return { faults, guard }
}

test('swarm wire guard: started mid-body, cuts at the next oversized length', (t) => {
  const { faults, guard } = setup()
  const conn = new FakeConn({ _state: 1, _len: 100, _tmp: 40, _message: Buffer.alloc(100) })
  const seen: Buffer[] = []
  conn.rawStream.on('data', (d: Buffer) => seen.push(d))
  t.equal(guard.attach(conn, 'swarm peer 127.0.0.1:1'), 'guarded')
  conn.rawStream.emit('data', Buffer.alloc(60, 0xff))
  conn.rawStream.emit('data', Buffer.from([0x2c, 0x01, 0x00]))
  conn.rawStream.emit('data', Buffer.alloc(300))
  t.equal(Buffer.concat(seen).length, 363, 'the rest of the body and a message of exactly 300 bytes got through')
  t.equal(conn.destroys, 0, 'not cut yet')
  conn.rawStream.emit('data', Buffer.from([0xff, 0xff, 0xff, 1, 2, 3]))
  conn.rawStream.emit('data', Buffer.alloc(10))
  t.equal(Buffer.concat(seen).length, 363, 'the oversized prefix and everything after it never reached the listener')
  t.equal(conn.destroys, 1, 'the connection was destroyed once')
  t.equal((conn.destroyedWith as MeshError)?.code, 'WIRE_FRAME_TOO_LARGE', 'with the coded error')
  t.deepEqual(faults.map(f => f.code), ['WIRE_FRAME_TOO_LARGE'], 'one fault reported')
  t.ok(faults[0].message.includes('swarm peer 127.0.0.1:1') && faults[0].message.includes('16777215'), faults[0].message)
  t.deepEqual(guard.stats, { guarded: 1, oversize: 1, unguarded: 0 })
  t.end()
})

test('swarm wire guard: started with two length bytes read, they count', (t) => {
  const { guard } = setup()
  // 0x2d 0x01 read already: the third byte 0x00 makes 301, one over.
  const conn = new FakeConn({ _state: 0, _len: 0x012d, _tmp: 65536, _message: null })
  const seen: Buffer[] = []
  conn.rawStream.on('data', (d: Buffer) => seen.push(d))
  guard.attach(conn, 'swarm peer x')
  conn.rawStream.emit('data', Buffer.from([0x00]))
  t.equal(seen.length, 0, 'the byte completing 301 was held back')
  t.equal((conn.destroyedWith as MeshError)?.code, 'WIRE_FRAME_TOO_LARGE', 'and the connection cut')
  t.end()
})

test('swarm wire guard: a connection already inside an oversized body is cut at once', (t) => {
  const { faults, guard } = setup()
  const conn = new FakeConn({ _state: 1, _len: 0xffffff, _tmp: 0, _message: null })
  t.equal(guard.attach(conn, 'swarm peer y'), 'tripped')
  t.equal((conn.destroyedWith as MeshError)?.code, 'WIRE_FRAME_TOO_LARGE', 'destroyed before any more data')
  t.deepEqual(faults.map(f => f.code), ['WIRE_FRAME_TOO_LARGE'])
  t.equal(guard.stats.oversize, 1)
  t.end()
})

test('swarm wire guard: unreadable parser state leaves connections working, reported once', (t) => {
  const { faults, guard } = setup()
  const conns = [
    new FakeConn({}),
    new FakeConn({ _state: '0', _len: 0, _tmp: 1, _message: null }),
    new FakeConn({ _state: 0, _len: 0, _tmp: 7, _message: null })
  ]
  const noRaw = { rawStream: null, _state: 0, _len: 0, _tmp: 1, _message: null, destroy () { throw new Error('must not be destroyed') } }
  const results = [...conns.map(c => guard.attach(c, 'swarm peer z')), guard.attach(noRaw, 'swarm peer w')]
  t.deepEqual(results, ['unguarded', 'unguarded', 'unguarded', 'unguarded'], 'none guarded, none thrown')
  t.deepEqual(faults.map(f => f.code), ['WIRE_GUARD_UNAVAILABLE'], 'one fault for four connections')
  t.ok(faults[0].message.includes('_state is missing'), faults[0].message)
  t.equal(guard.stats.unguarded, 4, 'each counted')
  const seen: Buffer[] = []
  conns[0].rawStream.on('data', (d: Buffer) => seen.push(d))
  conns[0].rawStream.emit('data', Buffer.from([0xff, 0xff, 0xff]))
  t.equal(seen.length, 1, 'an unguarded connection still gets its data')
  t.equal(conns[0].destroys, 0, 'and is not destroyed')
  t.end()
})
