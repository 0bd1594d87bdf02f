// Tags from the sorted key index agree with the definition (the shortest
// prefix, at least 4 digits, that no other known key starts with), for keys
// sharing long prefixes, keys not in the index, and after keys are removed.
import test from 'tape'
import { randomBytes } from 'crypto'
import { KeyPrefixes } from '../lib/core/key-prefixes'

/** The definition, by comparing with every other key (what Directory.tag did before). */
function bruteTag (key: string, all: Iterable<string>, min: number): string {
  const others = [...all].filter(k => k !== key)
  let digits = min
  while (digits < key.length && others.some(o => o.startsWith(key.slice(0, digits)))) digits++
  return key.slice(0, digits)
}

/** Keys crowded into a few shared prefixes, so tags run long. */
function crowdedKey (): string {
  const stems = ['0000', '00001111', 'abcdabcdab', 'ffff']
  const stem = stems[randomBytes(1)[0] % stems.length]
  return (stem + randomBytes(32).toString('hex')).slice(0, 64)
}

test('key prefixes: every tag equals the brute-force one, as keys come and go', (t) => {
  const index = new KeyPrefixes()
  const held = new Set<string>()
  let checked = 0
  let wrong = 0
  for (let round = 0; round < 400; round++) {
    const key = round % 3 === 0 ? randomBytes(32).toString('hex') : crowdedKey()
    index.add(key)
    held.add(key)
    if (round % 5 === 4) { const gone = [...held][round % held.size]; index.delete(gone); held.delete(gone) }
    for (const k of [...held].slice(-5).concat(crowdedKey())) {
      checked++
      if (index.tag(k, 4) !== bruteTag(k, held, 4)) wrong++
    }
  }
  t.equal(index.size, held.size, `the index holds the ${held.size} keys left`)
  t.equal(wrong, 0, `${checked} tags (held keys and keys not held) agree with the definition`)
  index.add([...held][0])
  t.equal(index.size, held.size, 'adding a key twice keeps it once')
  t.equal(new KeyPrefixes().tag('abcdef', 4), 'abcd', 'alone, a key gets the minimum')
  t.end()
})
