// The laptop VM's guest agent, run inside the VM's network namespace (as Desktop's and lima's agents run
// inside their VMs): the VM's DNS server, and the VM end of published-port forwarding — a unix socket
// whose every connection names a port on the VM's own 127.0.0.1 and is then piped to it.
//   usage: node --import tsx vm-guest-agent.ts PIDFILE GUEST_ADDRESS SOCKET NAME=IPV4...
import { createSocket } from 'node:dgram';
import { rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { answerQuery } from './vm-dns.ts';

const MAX_HEADER = 16;

function startDns(address: string, hosts: ReadonlyMap<string, string>): Promise<void> {
  const server = createSocket('udp4');
  server.on('message', (query, peer) => {
    const answer = answerQuery(query, hosts);
    if (answer) server.send(answer, peer.port, peer.address);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.bind(53, address, () => resolve());
  });
}

/** Reads "PORT\n", then joins the connection to the VM's 127.0.0.1:PORT. */
function forwardIntoVm(host: Socket): void {
  let header = Buffer.alloc(0);
  host.on('error', () => host.destroy());
  const onData = (chunk: Buffer) => {
    header = Buffer.concat([header, chunk]);
    const newline = header.indexOf(10);
    if (newline < 0) {
      if (header.length > MAX_HEADER) host.destroy();
      return;
    }
    host.off('data', onData);
    host.pause();
    const port = Number(header.toString('latin1', 0, newline));
    const vm = connect({ host: '127.0.0.1', port, noDelay: true });
    vm.on('error', () => {
      vm.destroy();
      host.destroy();
    });
    vm.once('connect', () => {
      vm.write(header.subarray(newline + 1));
      host.pipe(vm);
      vm.pipe(host);
      host.resume();
    });
  };
  host.on('data', onData);
}

function startForwarder(socketPath: string): Promise<void> {
  rmSync(socketPath, { force: true });
  const server = createServer(forwardIntoVm);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
}

const [pidFile, address, socketPath, ...names] = process.argv.slice(2);
const hosts = new Map(names.map((pair) => pair.split('=') as [string, string]));
Promise.all([startDns(address!, hosts), startForwarder(socketPath!)])
  .then(() => {
    writeFileSync(pidFile!, `${process.pid}\n`);
    console.log(`guest agent: DNS on ${address}:53 for ${[...hosts.keys()].join(', ')}; forwarding ${socketPath} into the VM`);
  })
  .catch((error: Error) => {
    console.error(`guest agent failed: ${error.message}`);
    process.exit(1);
  });
