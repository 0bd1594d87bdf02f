// The shape of one benchmark run, as written to bench/results/*.json.
import type { MeshScenarioResult } from './mesh-scenarios'
import type { RoomsResult } from './mesh-rooms'
import type { IdleResult } from './mesh-idle'
import type { TcpResult } from './tcp-mesh'
import type { FanoutRow } from './fanout'
import type { StartupResult } from './startup'
import type { SoakResult } from './soak'
import type { TargetCheck } from './targets'
import type { AdversaryResult } from './adversary'
import type { PubsubSection } from './pubsub'
import type { SimSection } from './sim-report'

export interface GrowthRow { degree: number; nodes: number; cpuPerDelivery: number; heapPerNode: number; p99: number }

export interface BenchResults {
  meta: {
    date: string
    quick: boolean
    node: string
    platform: string
    cpus: number
    cpuModel: string
    loadAverageStart: number[]
    loadAverageEnd?: number[]
    durationS?: number
  }
  mesh?: { scenarios: MeshScenarioResult[]; pubsub: MeshScenarioResult; growth: GrowthRow[]; rooms?: RoomsResult[]; idle?: IdleResult[] }
  tcp?: TcpResult[]
  /** meshchat and gossipsub side by side on real processes (section pubsub). */
  pubsub?: PubsubSection
  fanout?: FanoutRow[]
  startup?: StartupResult
  soak?: SoakResult
  adversary?: AdversaryResult
  /** The internet-scale simulator: one room per size in virtual time (section sim). */
  sim?: SimSection
  errors: Array<{ section: string; message: string }>
  targets?: TargetCheck[]
}
