// Preloaded into every node process of the unit suite (tests/run.ts puts it in NODE_OPTIONS): a TCP connection
// to anything but this machine's loopback fails at once, naming the address, instead of leaving the machine
// (a unit test once went on to the sample robots.env's robot when a stand-in docker answered unexpectedly).
const net = require('node:net');

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/i;

/** The host a Socket#connect call dials, or undefined for a Unix socket or Windows pipe. */
function dialled(args) {
  const [first, second] = args;
  const options = Array.isArray(first) ? first[0] : first;
  if (options !== null && typeof options === 'object')
    return options.path !== undefined ? undefined : [options.host ?? 'localhost', options.port];
  if (typeof options === 'string' && !/^\d+$/.test(options)) return undefined;
  return [typeof second === 'string' ? second : 'localhost', options];
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const target = dialled(args);
  if (!target || LOOPBACK.test(String(target[0]))) return connect.apply(this, args);
  const error = Object.assign(
    new Error(`unit tests reach only this machine: connect to ${target[0]}:${target[1]} refused (tests/support/loopback-only.cjs)`),
    {
      code: 'EACCES',
    },
  );
  process.nextTick(() => this.destroy(error));
  return this;
};
globalThis.__rdLoopbackOnly = true;
