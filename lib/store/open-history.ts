// Opens a node's on-disk history: loads it into the node, cuts a torn tail,
// skips damaged records, compacts an overgrown log, and from then on appends
// every new message, compacting again from memory when the log outgrows its bound.
import type { MeshNode } from '../core/node'
import { HistoryFile, HISTORY_COMPACT_FACTOR } from './history-file'

export interface OpenedNodeHistory {
  store: HistoryFile
  loaded: number
  /** Something the user should hear about (a torn tail, unreadable records). */
  report: { code: string; message: string } | null
}

/** The frames the node keeps in memory now: what a compacted log holds. The one place that reaches into the node's history. */
export function heldFrames (node: MeshNode): Buffer[] {
  return node.history.roomNames().flatMap(r => node.history.room(r).messages().map(m => m.frame))
}

/** Records the node may keep in memory (per room, times its rooms). */
function memoryBound (node: MeshNode): number {
  return node.history.maxPerRoom * Math.max(1, node.history.roomNames().length)
}

export function openHistory (node: MeshNode, dataDir: string): OpenedNodeHistory {
  const { store, frames, torn, skipped, converted } = HistoryFile.open(dataDir, {
    snapshot: () => heldFrames(node),
    maxRecords: HISTORY_COMPACT_FACTOR * memoryBound(node),
    onError: err => node.reportFault(err.code, err.message)
  })
  const [loaded, rejected] = node.loadHistory(frames)
  const notes: string[] = []
  let code = ''
  if (torn) {
    code = 'HISTORY_TORN'
    notes.push(`${store.file}: torn record at byte ${torn.offset} (${torn.reason}); skipped its ${torn.bytes} bytes and kept the ${frames.length} records before it`)
  }
  if (skipped.bytes) {
    code ||= 'HISTORY_CORRUPT'
    notes.push(`${store.file}: skipped ${skipped.bytes} damaged bytes in ${skipped.regions} place${skipped.regions === 1 ? '' : 's'} (about ${skipped.records} record${skipped.records === 1 ? '' : 's'}); the records around them were kept`)
  }
  if (rejected) {
    code ||= 'HISTORY_CORRUPT'
    notes.push(`${store.file}: ${rejected} records failed their signature check and were skipped`)
  }
  if (converted) notes.push(`${store.file}: converted to the checksummed log format`)
  if (store.records > HISTORY_COMPACT_FACTOR * memoryBound(node) || rejected) store.rewrite(heldFrames(node))
  node.historyStore = store
  return { store, loaded, report: code ? { code, message: notes.join('; ') } : null }
}
