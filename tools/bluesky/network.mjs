// A real Bluesky network on loopback: Bluesky's own server code from @atproto/dev-env, not a mock.
//
//   node --require ./loopback.cjs network.mjs pds|full [--port-base N] [--plc-port N] [--pds-port N]
//        [--appview-port N] [--ozone-port N]
//
// pds:  an in-memory PLC directory + one PDS (accounts, records, blobs, firehose; no app.bsky.* reads).
// full: the same + the AppView (profiles, threads, counts, search, notifications) and Ozone; it needs the
//       machine's PostgreSQL (a database of its own, dropped and created on every start, dropped at the end)
//       and REDIS_HOST (asserted by dev-env, not used).
//
// Ports (all on 127.0.0.1, forced by loopback.cjs): PLC = base, PDS = base + 1, AppView = base + 2,
// Ozone = base + 5; base from --port-base or HARMONIE_BLUESKY_PORT_BASE (default 12582). Each port can be set
// on its own (--plc-port or HARMONIE_BLUESKY_PLC_PORT, and so on). The services' helper ports are random.
//
// Environment:
//   HARMONIE_BLUESKY_TMPDIR  the data folder (created; removed at the end). Default: a fresh one under TMPDIR.
//   HARMONIE_BLUESKY_DB      full mode: the AppView's database name. Default: unique per run.
//   HARMONIE_BLUESKY_PG_URL  full mode: the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432).
//   HARMONIE_BLUESKY_REDIS   full mode: REDIS_HOST (default 127.0.0.1:6379).
//   HARMONIE_BLUESKY_LOG     a file to write the services' logs to (default: no logs).
//
// When everything listens it prints exactly one line on stdout, a JSON object with "ready": true and the
// URLs; everything else goes to stderr. SIGTERM or SIGINT (or the parent process going away) closes the
// services, drops the database and removes the data folder.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import util from 'node:util'

const started = Date.now()
const toStderr = (...args) => process.stderr.write(util.format(...args) + '\n')
console.log = toStderr // the services print banners and e-mails: stdout carries our one JSON line only
console.info = toStderr
console.debug = toStderr
console.warn = toStderr

function parseArgs(argv) {
  const options = {}
  const positional = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2)
      options[key] = inline ?? argv[++i]
    } else {
      positional.push(arg)
    }
  }
  return { mode: positional[0] ?? 'pds', options }
}

function port(value, name) {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a TCP port, not ${value}`)
  return n
}

const { mode, options } = parseArgs(process.argv.slice(2))
if (mode !== 'pds' && mode !== 'full') {
  toStderr(`usage: network.mjs pds|full [--port-base N] (got mode ${JSON.stringify(mode)})`)
  process.exit(2)
}
const env = process.env
const base = port(options['port-base'] ?? env.HARMONIE_BLUESKY_PORT_BASE ?? 12582, 'the port base')
const ports = {
  plc: port(options['plc-port'] ?? env.HARMONIE_BLUESKY_PLC_PORT ?? base, 'the PLC port'),
  pds: port(options['pds-port'] ?? env.HARMONIE_BLUESKY_PDS_PORT ?? base + 1, 'the PDS port'),
  appview: port(options['appview-port'] ?? env.HARMONIE_BLUESKY_APPVIEW_PORT ?? base + 2, 'the AppView port'),
  ozone: port(options['ozone-port'] ?? env.HARMONIE_BLUESKY_OZONE_PORT ?? base + 5, 'the Ozone port'),
}

// Our own temporary folder: dev-env writes its data and blobs under os.tmpdir() and never removes them.
const tmpdir = env.HARMONIE_BLUESKY_TMPDIR
  ? (fs.mkdirSync(env.HARMONIE_BLUESKY_TMPDIR, { recursive: true }), env.HARMONIE_BLUESKY_TMPDIR)
  : fs.mkdtempSync(path.join(os.tmpdir(), 'harmonie-bluesky-'))
env.TMPDIR = tmpdir // read by os.tmpdir() in dev-env, imported below
if (env.HARMONIE_BLUESKY_LOG) {
  env.LOG_ENABLED = 'true'
  env.LOG_DESTINATION = env.HARMONIE_BLUESKY_LOG
} else {
  env.LOG_ENABLED = 'false'
}

const pgServer = (env.HARMONIE_BLUESKY_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, '')
const dbName = env.HARMONIE_BLUESKY_DB ?? `harmonie_bsky_${Date.now()}_${process.pid}`
if (mode === 'full' && !/^[a-z_][a-z0-9_]{0,62}$/.test(dbName)) {
  toStderr(`HARMONIE_BLUESKY_DB must be a plain lower-case PostgreSQL name, not ${JSON.stringify(dbName)}`)
  process.exit(2)
}

async function adminQuery(sql) {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: `${pgServer}/postgres` })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

let network = null
let databaseCreated = false
let stopping = false

async function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function cleanUp() {
  if (network) {
    try {
      await withTimeout(network.close(), 10_000, 'closing the network')
    } catch (err) {
      toStderr(`network.mjs: ${err?.message ?? err}`)
    }
  }
  if (databaseCreated) {
    try {
      await withTimeout(adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`), 10_000, 'dropping the database')
    } catch (err) {
      toStderr(`network.mjs: could not drop the database ${dbName}: ${err?.message ?? err}`)
    }
  }
  fs.rmSync(tmpdir, { recursive: true, force: true })
}

async function stop(code) {
  if (stopping) return
  stopping = true
  await cleanUp()
  process.exit(code)
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => void stop(0))
// The parent went away without a signal (killed -9): stop rather than linger on the ports.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) void stop(0)
}, 1000).unref()

async function start() {
  const { TestNetwork, TestNetworkNoAppView } = await import('@atproto/dev-env')
  const pds = { port: ports.pds, hostname: 'localhost', enableDidDocWithSession: true }
  if (mode === 'pds') {
    network = await TestNetworkNoAppView.create({ plc: { port: ports.plc }, pds })
    return { plc: network.plc.url, pds: network.pds.url, appview: null }
  }
  await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
  await adminQuery(`CREATE DATABASE "${dbName}"`)
  databaseCreated = true
  env.DB_POSTGRES_URL = `${pgServer}/${dbName}`
  env.REDIS_HOST = env.HARMONIE_BLUESKY_REDIS ?? '127.0.0.1:6379'
  network = await TestNetwork.create({
    dbPostgresSchema: 'bsky',
    plc: { port: ports.plc },
    pds,
    bsky: { port: ports.appview, publicUrl: `http://localhost:${ports.appview}` },
    ozone: { port: ports.ozone, chatUrl: 'http://localhost:1', chatDid: 'did:example:chat' },
  })
  return { plc: network.plc.url, pds: network.pds.url, appview: network.bsky.url }
}

try {
  const urls = await start()
  const loopback = (url) => url && url.replace('//localhost:', '//127.0.0.1:')
  const ready = {
    ready: true,
    mode,
    plc: loopback(urls.plc),
    pds: loopback(urls.pds),
    appview: loopback(urls.appview),
    ports,
    database: mode === 'full' ? dbName : null,
    tmpdir,
    pid: process.pid,
    seconds: (Date.now() - started) / 1000,
  }
  process.stdout.write(JSON.stringify(ready) + '\n')
} catch (err) {
  toStderr(`network.mjs: the ${mode} network did not start: ${err?.stack ?? err}`)
  await stop(1)
}
