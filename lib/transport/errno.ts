// Socket errno codes in words, for listen and connect failures a person reads.
import { errorMessage } from '../protocol/errors'

const ERRNO_TEXT: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable'
}

/** A short description of a socket error: the errno in words, else the error's message. */
export function errnoText (err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return (code && ERRNO_TEXT[code]) || errorMessage(err)
}
