// The laptop VM's host agent, on the host's network (Desktop's vpnkit / lima's host agent): every port a
// container publishes on the VM's 127.0.0.1 or 0.0.0.0 is listened on at the host's 127.0.0.1, and each
// connection is carried into the VM through the guest agent's unix socket.
// Requests come from the VM dockerd's userland proxy (laptop-vm-files.ts' EXPOSE_PORT script): a file
// spool/PID.req holding "HOST_IP PORT"; with `answer`, the reply spool/PID.ans is "ok" or the error, which
// fails the container's start as Desktop does. A forward lasts while a proxy that asked for it lives.
//   usage: node --import tsx vm-host-agent.ts PIDFILE SPOOL GUEST_SOCKET answer|no-answer
import { readdirSync, readFileSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { isAlive } from './processes.ts';

const [pidFile, spool, guestSocket, mode] = process.argv.slice(2) as [string, string, string, string];
const forwards = new Map<number, { server: Server; owners: Set<number> }>();
const handling = new Set<string>();

function carry(host: Socket, port: number): void {
  const vm = connect(guestSocket);
  const drop = () => {
    host.destroy();
    vm.destroy();
  };
  host.on('error', drop);
  vm.on('error', drop);
  vm.once('connect', () => {
    vm.write(`${port}\n`);
    host.pipe(vm);
    vm.pipe(host);
  });
}

function listen(port: number): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => carry(socket, port));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function expose(owner: number, hostIp: string, port: number): Promise<string> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `invalid port "${port}"`;
  const existing = forwards.get(port);
  if (existing) {
    existing.owners.add(owner);
    return 'ok';
  }
  try {
    forwards.set(port, { server: await listen(port), owners: new Set([owner]) });
    console.log(`forwarding 127.0.0.1:${port} on the host to the VM's ${hostIp}:${port} (proxy ${owner})`);
    return 'ok';
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'bind: address already in use' : (error as Error).message;
    return `Ports are not available: exposing port TCP ${hostIp}:${port} -> 127.0.0.1:${port}: listen tcp 127.0.0.1:${port}: ${reason}`;
  }
}

/** Forwards whose every requesting proxy has exited (its container stopped) are closed. */
function release(): void {
  for (const [port, forward] of forwards) {
    for (const owner of forward.owners) if (!isAlive(owner)) forward.owners.delete(owner);
    if (forward.owners.size === 0) {
      forward.server.close();
      forwards.delete(port);
      console.log(`closed 127.0.0.1:${port}`);
    }
  }
}

async function handle(name: string): Promise<void> {
  const owner = Number(name.slice(0, -'.req'.length));
  let text = '';
  try {
    text = readFileSync(join(spool, name), 'utf8');
    rmSync(join(spool, name), { force: true });
  } catch {
    return;
  }
  const [hostIp = '', port = ''] = text.trim().split(' ');
  release();
  const answer = await expose(owner, hostIp, Number(port));
  if (answer !== 'ok') console.error(answer);
  if (mode === 'answer') {
    writeFileSync(join(spool, `${owner}.ans.tmp`), answer);
    renameSync(join(spool, `${owner}.ans.tmp`), join(spool, `${owner}.ans`));
  }
}

function scan(): void {
  for (const name of readdirSync(spool)) {
    if (!/^\d+\.req$/.test(name) || handling.has(name)) continue;
    handling.add(name);
    void handle(name).finally(() => handling.delete(name));
  }
}

watch(spool, scan);
setInterval(() => {
  scan();
  release();
}, 200);
scan();
writeFileSync(pidFile, `${process.pid}\n`);
console.log(`host agent: spool ${spool}, into the VM through ${guestSocket} (${mode})`);
