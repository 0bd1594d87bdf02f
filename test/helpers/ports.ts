// Free loopback ports for tests that need an address nobody listens on, or a
// fixed port to restart a node on.
import dgram from 'dgram'
import net from 'net'

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freeTcpPort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => { const port = (s.address() as net.AddressInfo).port; s.close(() => resolve(port)) })
    s.on('error', reject)
  })
}

/** A UDP port on 127.0.0.1 that was free a moment ago (a DHT address that answers nothing). */
export function freeUdpPort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4')
    s.once('error', reject)
    s.bind(0, '127.0.0.1', () => { const port = s.address().port; s.close(() => resolve(port)) })
  })
}
