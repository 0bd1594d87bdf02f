// An author over its rate costs a relay no signature check: the bucket is
// looked at before the signature, and a message it would refuse is refused
// first (AUTHOR_RATE), nothing taken and nothing marked seen. So a forged
// copy cannot spend an honest author's rate, and the author's own later
// messages pass once the bucket refills. In process, over memory links.
import test from 'tape'
import { generateKeyPair } from '../../lib/protocol/crypto'
import { linkedMember, chat, until, victimNode as victim, NOT_YOUNG } from '../helpers/raw-peer'

const BURST = 20

test(`an author over its rate is refused before its signature is checked: ${BURST} checks for a flood of 300`, async (t) => {
  t.timeoutAfter(10_000)
  const v = victim(t, { authorRate: 1, authorBurst: BURST, linkMessageRate: 10_000, linkMessageBurst: 10_000, timing: NOT_YOUNG })
  const flooder = generateKeyPair()
  const member = await linkedMember(v.node)
  const flood = Array.from({ length: 300 }, (_, i) => chat(flooder, `flood ${i}`))
  for (const m of flood) member.link.send(m.frame)
  const other = generateKeyPair()
  member.link.send(chat(other, 'another author').frame)
  t.ok(await until(() => v.messages.some(m => m.text === 'another author')), 'another author\'s line after the flood arrives')
  t.equal(v.messages.filter(m => m.text.startsWith('flood ')).length, BURST, `the burst of ${BURST} delivered`)
  const s = v.node.stats()
  t.equal(s.verified, BURST + 1, `signatures checked: the ${BURST} and the other author's line, not the ${300 - BURST} over the rate`)
  t.equal(s.refused, 300 - BURST, 'the rest refused')
  t.ok(v.faults.some(f => f.code === 'AUTHOR_RATE'), 'as AUTHOR_RATE')
})

test('a forged copy of an author\'s message over its rate does not shadow the real one: it is not marked seen', async (t) => {
  t.timeoutAfter(10_000)
  // One token, refilled every 500 ms.
  const v = victim(t, { authorRate: 2, authorBurst: 1, timing: NOT_YOUNG })
  const author = generateKeyPair()
  const member = await linkedMember(v.node)
  member.link.send(chat(author, 'first').frame)
  const forged = chat(author, 'second')
  t.ok(await until(() => v.messages.some(m => m.text === 'first')), 'the author\'s first message spends its burst')
  const bad = Buffer.from(forged.frame)
  bad[bad.length - 1] ^= 1 // the same body, so the same id, with a bad signature
  member.link.send(bad)
  t.ok(await until(() => v.faults.some(f => f.code === 'AUTHOR_RATE')), 'a copy over the rate is refused for it')
  t.notOk(v.faults.some(f => f.code === 'BAD_SIGNATURE'), 'its signature was never checked')
  const delivered = () => v.messages.filter(m => m.text === 'second').length
  for (let i = 0; i < 30 && delivered() === 0; i++) {
    member.link.send(forged.frame)
    await until(() => delivered() > 0, 100)
  }
  t.equal(delivered(), 1, 'the real one is delivered, once, when the bucket has a token again')
})
