// Preloaded with `node --require ./loopback.cjs`: every TCP server of this process listens on 127.0.0.1 only.
// The Bluesky services call listen(port) on all interfaces; nothing of this network may be reachable from
// outside the machine. Unix-socket paths and inherited handles are left alone.
'use strict'

const net = require('node:net')

const LOOPBACK = '127.0.0.1'
const originalListen = net.Server.prototype.listen

function loopbackArgs(args) {
  const [first, ...rest] = args
  if (first !== null && typeof first === 'object') {
    if (first.path !== undefined || first._handle !== undefined || first.fd !== undefined) return args
    if (typeof first.listen === 'function' || first instanceof net.Server) return args // a handle
    return [{ ...first, host: LOOPBACK }, ...rest]
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return args // a Unix socket path
  if (first === undefined || typeof first === 'function') {
    return [{ port: 0, host: LOOPBACK }, ...(typeof first === 'function' ? [first] : [])]
  }
  // listen(port[, host][, backlog][, callback])
  const options = { port: Number(first), host: LOOPBACK }
  const tail = []
  for (const arg of rest) {
    if (typeof arg === 'function') tail.push(arg)
    else if (typeof arg === 'number') options.backlog = arg
    // a host string is dropped: loopback it is
  }
  return [options, ...tail]
}

net.Server.prototype.listen = function listenOnLoopback(...args) {
  return originalListen.apply(this, loopbackArgs(args))
}
