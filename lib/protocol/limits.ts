// Every limit of the wire protocol, named once. Node-level defaults that a
// user or a test may change live in core/options.ts.

/** Protocol version carried in HELLO; peers with another version are refused. */
export const PROTOCOL_VERSION = 1

/** Largest frame a link accepts; a bigger one closes that link. */
export const MAX_FRAME_BYTES = 64 * 1024
/** Largest chat text, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 4096
/** Largest nick, in UTF-8 bytes. */
export const MAX_NICK_BYTES = 32
/** Largest message a leave or quit may carry (`/quit see you`), in UTF-8 bytes; longer ones are cut before signing. */
export const MAX_LEAVE_MESSAGE_BYTES = 200
/** Largest room name, in UTF-8 bytes. */
export const MAX_ROOM_BYTES = 64
/** Largest host:port string. */
export const MAX_ADDRESS_BYTES = 262
/** Most rooms one HELLO may list. */
export const MAX_HELLO_ROOMS = 64
/** Most addresses one peer-exchange frame may carry. */
export const MAX_PEX_ENTRIES = 64
/** Most (room, key, address) entries one ROOM_PEERS frame may carry. */
export const MAX_ROOM_PEER_ENTRIES = 32
/** Largest hop limit a message may carry (the hop counter is one byte). */
export const MAX_TTL = 255
/** Longest a message may stay valid after its timestamp. */
export const MAX_MESSAGE_LIFETIME_MS = 10 * 60 * 1000
/** Largest flooded payload (chat text plus any envelope extras). */
export const MAX_PAYLOAD_BYTES = 8 * 1024
/** Most short ids one sync offer may carry. */
export const MAX_SYNC_OFFER_IDS = 4096
/** Most short ids one roster offer frame may carry (8 bytes each, under MAX_FRAME_BYTES); a larger roster is offered in parts by key range (core/roster-parts.ts). */
export const MAX_ROSTER_OFFER_IDS = 6000
/** Most messages one sync data frame may carry (it also stays under MAX_FRAME_BYTES). */
export const MAX_SYNC_BATCH = 256
/** Bytes of each message id used when two nodes compare what they hold (a short id). */
export const SYNC_ID_BYTES = 8
/** Most message ids one IHAVE frame may announce. */
export const MAX_IHAVE_IDS = 512
/** Most message ids one GRAFT frame may ask for. */
export const MAX_GRAFT_IDS = 256
/** How far in the future a message's timestamp may be; later ones are refused (clock skew allowance). */
export const MAX_CLOCK_SKEW_MS = 30_000
