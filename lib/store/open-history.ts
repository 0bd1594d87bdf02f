// Opens a node's on-disk history: the file is opened (and a torn tail cut)
// before the node is built, so the node gets its store at construction; then
// the stored messages go through the node's accept pipeline and an overgrown
// log is compacted to what the node keeps.
import type { MeshNode } from '../core/node'
import type { ErrorCode } from '../protocol/errors'
import { HistoryFile, HISTORY_COMPACT_FACTOR, type OpenedHistory } from './history-file'

export interface LoadedHistory {
  store: HistoryFile
  loaded: number
  /** Something the user should hear about (a torn tail, unreadable records). */
  report: { code: ErrorCode; message: string } | null
}

export function openHistoryFile (dataDir: string): OpenedHistory { return HistoryFile.open(dataDir) }

export function loadHistory (node: MeshNode, opened: OpenedHistory): LoadedHistory {
  const { store, frames, torn } = opened
  const [loaded, rejected] = node.loadHistory(frames)
  const notes: string[] = []
  let code: ErrorCode | '' = ''
  if (torn) {
    code = 'HISTORY_TORN'
    notes.push(`${store.file}: torn record at byte ${torn.offset} (${torn.reason}); skipped its ${torn.bytes} bytes and kept the ${frames.length} records before it`)
  }
  if (rejected) {
    code ||= 'HISTORY_CORRUPT'
    notes.push(`${store.file}: ${rejected} records failed their checks and were skipped`)
  }
  const frames_ = node.historyFrames()
  if (store.records > HISTORY_COMPACT_FACTOR * Math.max(frames_.length, node.historyPerRoom) || rejected) store.rewrite(frames_)
  return { store, loaded, report: code ? { code, message: notes.join('; ') } : null }
}
