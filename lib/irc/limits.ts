// Limits and defaults of the IRC face, named once.

/** Longest IRC line a client may send, without its tags and with CRLF (RFC 1459/2812); a longer one gets 417 and is skipped. */
export const MAX_IRC_LINE_BYTES = 512
/** Longest tag section (`@...`) a client may put before a line (IRCv3 message-tags: 4094 plus `@` and space). */
export const MAX_IRC_TAG_BYTES = 4096
/** Bytes held for one unfinished line: a line plus its tags; past this it is refused without being buffered. */
export const MAX_IRC_BUFFER_BYTES = MAX_IRC_LINE_BYTES + MAX_IRC_TAG_BYTES
/** Bytes queued for one client that is not reading; past this it is dropped (the mesh does not wait for it). */
export const MAX_IRC_QUEUED_BYTES = 4 * 1024 * 1024
/** IRC clients one node serves at once, over all listen addresses; one more gets ERROR and is closed. */
export const MAX_IRC_CLIENTS = 64
/** A client that has not registered (PASS/NICK/USER, CAP END) within this long is closed. */
export const IRC_REGISTRATION_TIMEOUT_MS = 60_000
/** A client silent this long is sent a PING. */
export const IRC_PING_INTERVAL_MS = 120_000
/** A client that sends nothing this long after our PING is closed (ping timeout). */
export const IRC_PING_TIMEOUT_MS = 60_000
/** Room messages kept per room for replay on JOIN. */
export const IRC_REPLAY_LINES = 50
/** Private messages remembered for their delivery NOTICE; the oldest is forgotten first. */
export const MAX_IRC_PENDING_RECEIPTS = 1000
/** Characters of a private message quoted in its delivery NOTICE. */
export const RECEIPT_QUOTE_CHARS = 40
/** Peer keys the nick mapping remembers; the least recently seen is forgotten first. */
export const MAX_IRC_KNOWN_KEYS = 10_000
/** The server name (`--irc-server-name`) when none is given: the source of numerics, PONG, 004, WHO and WHOIS. */
export const DEFAULT_IRC_SERVER_NAME = 'meshchat.local'
/** The NETWORK= ISUPPORT token. */
export const IRC_NETWORK = 'meshchat'
/** The host part of every mesh user's hostmask (`nick!tag@mesh`). */
export const IRC_MESH_HOST = 'mesh'
/** A peer's quit reaches us once per room it was in; one QUIT line is sent per peer within this long. */
export const IRC_QUIT_DEDUP_MS = 5000
