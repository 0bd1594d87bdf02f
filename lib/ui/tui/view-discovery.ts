// What the terminal view knows of discovery: the last report of each topic
// per mechanism (the DHT and mDNS each report a topic), for the status bar,
// and when a report deserves a line in the pane.
import type { Discovery } from '../../core/types'
import { discoveryText, formatDiscovery } from './bars'

export class ViewDiscovery {
  private readonly topics = new Map<string, Discovery>()

  /**
   * Records a report; returns the line to show when the topic's state or the
   * reason found peers cannot be reached changed, else null (counts that come
   * and go, like a duplicate link closed, stay in the status bar).
   */
  note (d: Discovery): string | null {
    const key = `${d.via ?? 'dht'} ${d.topic}`
    const before = this.topics.get(key)
    this.topics.set(key, d)
    return !before || before.state !== d.state || before.reason !== d.reason ? discoveryText(d, true) : null
  }

  /** The status bar's discovery part; empty when no topic is in use. */
  status (): string { return formatDiscovery([...this.topics.values()]) }
}
