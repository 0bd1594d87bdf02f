// Opens a node's on-disk history: loads it into the node, cuts a torn tail,
// compacts an overgrown log, and from then on appends every new message.
import type { MeshNode } from '../core/node'
import { HistoryFile, HISTORY_COMPACT_FACTOR } from './history-file'

export interface OpenedNodeHistory {
  store: HistoryFile
  loaded: number
  /** Something the user should hear about (a torn tail, unreadable records). */
  report: { code: string; message: string } | null
}

export function openHistory (node: MeshNode, dataDir: string): OpenedNodeHistory {
  const { store, frames, torn } = HistoryFile.open(dataDir)
  const [loaded, rejected] = node.loadHistory(frames)
  const notes: string[] = []
  let code = ''
  if (torn) {
    code = 'HISTORY_TORN'
    notes.push(`${store.file}: torn record at byte ${torn.offset} (${torn.reason}); skipped its ${torn.bytes} bytes and kept the ${frames.length} records before it`)
  }
  if (rejected) {
    code ||= 'HISTORY_CORRUPT'
    notes.push(`${store.file}: ${rejected} records failed their signature check and were skipped`)
  }
  const rooms = Math.max(1, node.history.roomNames().length)
  if (store.records > HISTORY_COMPACT_FACTOR * node.history.maxPerRoom * rooms || rejected) {
    const keep = node.history.roomNames().flatMap(r => node.history.room(r).messages().map(m => m.frame))
    store.rewrite(keep)
  }
  node.historyStore = store
  return { store, loaded, report: notes.length ? { code, message: notes.join('; ') } : null }
}
