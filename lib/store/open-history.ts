// Opens a node's on-disk history. The file is opened first (a torn tail cut,
// damaged records skipped, an old format converted) so the node gets its
// store at construction; then the stored messages go through the node's
// accept pipeline, an overgrown log is compacted to what the node keeps, and
// from then on the log compacts itself from the node's memory when it
// outgrows its bound.
import type { MeshNode } from '../core/node'
import type { ErrorCode } from '../protocol/errors'
import { HistoryFile, HISTORY_COMPACT_FACTOR, type OpenedHistory } from './history-file'

export interface LoadedHistory {
  store: HistoryFile
  loaded: number
  /** Something the user should hear about (a torn tail, unreadable records). */
  report: { code: ErrorCode; message: string } | null
}

export type LoadedNodeHistory = LoadedHistory & { node: MeshNode }

/** Where the opened log finds the node it belongs to, once the node is built. */
export interface HistoryOwner { node: MeshNode | null }

/** Opens the log; `memoryBound`: messages the node may keep in memory (per room, times its rooms). */
export function openHistoryFile (dataDir: string, owner: HistoryOwner, memoryBound: number): OpenedHistory {
  return HistoryFile.open(dataDir, {
    snapshot: () => owner.node?.historyFrames() ?? [],
    maxRecords: HISTORY_COMPACT_FACTOR * memoryBound,
    onError: err => owner.node?.reportFault(err.code, err.message)
  })
}

export function loadHistory (node: MeshNode, opened: OpenedHistory, memoryBound: number): LoadedHistory {
  const { store, frames, torn, skipped, converted } = opened
  const [loaded, rejected] = node.loadHistory(frames)
  const notes: string[] = []
  let code: ErrorCode | '' = ''
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
    notes.push(`${store.file}: ${rejected} records failed their checks and were skipped`)
  }
  if (converted) notes.push(`${store.file}: converted to the checksummed log format`)
  if (store.records > HISTORY_COMPACT_FACTOR * memoryBound || rejected) store.rewrite(node.historyFrames())
  return { store, loaded, report: code ? { code, message: notes.join('; ') } : null }
}

/** Opens the log, builds the node around it with `build`, and loads it: the whole sequence in one call. */
export function openNodeHistory (dataDir: string, memoryBound: number, build: (store: HistoryFile) => MeshNode): LoadedNodeHistory {
  const owner: HistoryOwner = { node: null }
  const opened = openHistoryFile(dataDir, owner, memoryBound)
  const node = owner.node = build(opened.store)
  return { node, ...loadHistory(node, opened, memoryBound) }
}
