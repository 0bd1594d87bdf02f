// The package version, read once from the package.json above this file
// (lib/ in development, dist/lib/ when built).
import fs from 'fs'
import path from 'path'

function findVersion (): string {
  let dir = __dirname
  for (let i = 0; i < 4; i++) {
    const file = path.join(dir, 'package.json')
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')).version
    dir = path.dirname(dir)
  }
  return '0.0.0'
}

export const VERSION: string = findVersion()
