import { runTcpScenario, tcpScenarios } from './tcp-mesh'
import { killAll } from './procs'
async function main () {
  try { for (const s of tcpScenarios(process.argv.includes('--quick'))) console.log(JSON.stringify(await runTcpScenario(s))) } finally { await killAll() }
}
main()
