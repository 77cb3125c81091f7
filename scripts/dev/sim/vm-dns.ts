// The laptop VM's DNS, as a pure function from a query to its answer: the few host names the VM
// knows resolve to the host's address; every other name is NXDOMAIN, as on a laptop offline.
// Docker writes each container's /etc/hosts itself, so containers can only learn host.docker.internal
// from DNS (on the default bridge they query this server; on user-defined networks docker's embedded
// server forwards to it), as Docker Desktop's and lima's resolvers answer it.

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;
const TTL_SECONDS = 60;

export interface DnsQuestion {
  id: number;
  /** Lower case, without the trailing dot. */
  name: string;
  type: number;
  /** Where the question ends in the message (the answer copies it). */
  end: number;
}

/** The first question of a query, or undefined for anything malformed (which is then ignored). */
export function parseQuestion(message: Buffer): DnsQuestion | undefined {
  if (message.length < 12 || message.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = message[offset];
    if (length === undefined || length > 63) return undefined;
    offset += 1;
    if (length === 0) break;
    if (offset + length > message.length) return undefined;
    labels.push(message.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > message.length) return undefined;
  return { id: message.readUInt16BE(0), name: labels.join('.').toLowerCase(), type: message.readUInt16BE(offset), end: offset + 4 };
}

/** The response to `query`, given the names this resolver knows (name → IPv4), or undefined to stay silent. */
export function answerQuery(query: Buffer, hosts: ReadonlyMap<string, string>): Buffer | undefined {
  const question = parseQuestion(query);
  if (!question || query.readUInt16BE(2) & 0x8000) return undefined;
  const opcode = (query.readUInt16BE(2) >> 11) & 0xf;
  const address = hosts.get(question.name);
  const rcode = opcode !== 0 ? RCODE_NOTIMP : address === undefined ? RCODE_NXDOMAIN : 0;
  // A known name asked for another type (AAAA): no error, no records, so the client keeps its A answer.
  const answers = rcode === 0 && question.type === TYPE_A && address ? [aRecord(address)] : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(question.id, 0);
  const recursionDesired = query.readUInt16BE(2) & 0x0100;
  header.writeUInt16BE(0x8000 | (opcode << 11) | 0x0400 | recursionDesired | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, question.end), ...answers]);
}

function aRecord(address: string): Buffer {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255))
    throw new Error(`not an IPv4 address: ${address}`);
  const record = Buffer.alloc(16);
  record.writeUInt16BE(0xc00c, 0); // the question's name, by pointer
  record.writeUInt16BE(TYPE_A, 2);
  record.writeUInt16BE(CLASS_IN, 4);
  record.writeUInt32BE(TTL_SECONDS, 6);
  record.writeUInt16BE(4, 10);
  Buffer.from(octets).copy(record, 12);
  return record;
}

/** A query as a stub resolver sends it (for tests and the readiness probe). */
export function encodeQuery(id: number, name: string, type = TYPE_A): Buffer {
  const labels = name.split('.').filter(Boolean);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const body = labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(CLASS_IN, 3);
  return Buffer.concat([header, ...body, tail]);
}
