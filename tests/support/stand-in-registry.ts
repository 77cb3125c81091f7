// A tiny Registry HTTP API v2 on 127.0.0.1 for one repository, in this process: blobs (HEAD, GET), uploads
// (POST, PATCH, PUT with ?digest=, checked against the bytes received), manifests (GET, PUT; a PUT is refused
// when a blob or child manifest it names is missing, as registry:2 refuses it). It keeps every request.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredManifest {
  text: string;
  mediaType: string;
}

export interface StandInRegistry {
  port: number;
  /** By tag or digest, exactly as PUT (or as a test stored it). */
  manifests: Map<string, StoredManifest>;
  blobs: Map<string, Buffer>;
  /** "METHOD path" of every request, in order. */
  requests: string[];
  /** Digests of the uploads the registry completed (PUT …?digest=), in order. */
  uploaded: string[];
  /** Each manifest PUT the registry accepted: its reference and the Content-Type it came with. */
  manifestPuts: { reference: string; mediaType: string }[];
  /** Answers a request itself when it returns true (a fault); called before the registry's own handling. */
  intercept?: (req: IncomingMessage, res: import('node:http').ServerResponse) => boolean;
  close(): Promise<void>;
}

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The digests a manifest (its config and layers) or an index (its child manifests) names. */
function referenced(text: string): string[] {
  const json = JSON.parse(text) as { config?: { digest: string }; layers?: { digest: string }[]; manifests?: { digest: string }[] };
  return [
    ...(json.config ? [json.config.digest] : []),
    ...(json.layers ?? []).map((l) => l.digest),
    ...(json.manifests ?? []).map((m) => m.digest),
  ];
}

export async function startRegistry(repo: string): Promise<StandInRegistry> {
  const sessions = new Map<string, Buffer[]>();
  let nextSession = 0;
  const registry: StandInRegistry = {
    port: 0,
    manifests: new Map(),
    blobs: new Map(),
    requests: [],
    uploaded: [],
    manifestPuts: [],
    close: async () => undefined,
  };
  const error = (res: import('node:http').ServerResponse, status: number, code: string) =>
    void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code }] }));

  const server: Server = createServer(async (req, res) => {
    registry.requests.push(`${req.method} ${req.url}`);
    if (registry.intercept?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = `/v2/${repo}/`;
    if (!url.pathname.startsWith(prefix)) return error(res, 404, 'NAME_UNKNOWN');
    const rest = url.pathname.slice(prefix.length);
    const body = await readBody(req);

    if (rest === 'blobs/uploads/' && req.method === 'POST') {
      const id = `session-${nextSession++}`;
      sessions.set(id, []);
      // Absolute, as registry:2 names it: the client is to follow only its path.
      res.writeHead(202, { Location: `http://127.0.0.1:${registry.port}${prefix}blobs/uploads/${id}?_state=s0`, 'Content-Length': 0 });
      return void res.end();
    }
    if (rest.startsWith('blobs/uploads/')) {
      const id = rest.slice('blobs/uploads/'.length);
      const parts = sessions.get(id);
      if (!parts) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN');
      if (req.method === 'PATCH') {
        parts.push(body);
        res.writeHead(202, { Location: `${prefix}blobs/uploads/${id}?_state=s1`, 'Content-Length': 0 });
        return void res.end();
      }
      if (req.method === 'PUT') {
        parts.push(body);
        const bytes = Buffer.concat(parts);
        const digest = url.searchParams.get('digest') ?? '';
        if (sha256(bytes) !== digest) return error(res, 400, 'DIGEST_INVALID');
        sessions.delete(id);
        registry.blobs.set(digest, bytes);
        registry.uploaded.push(digest);
        res.writeHead(201, { Location: `${prefix}blobs/${digest}`, 'Content-Length': 0 });
        return void res.end();
      }
    }
    if (rest.startsWith('blobs/') && (req.method === 'GET' || req.method === 'HEAD')) {
      const bytes = registry.blobs.get(rest.slice('blobs/'.length));
      if (!bytes) return error(res, 404, 'BLOB_UNKNOWN');
      res.writeHead(200, { 'Content-Length': bytes.length, 'Content-Type': 'application/octet-stream' });
      return void res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    if (rest.startsWith('manifests/')) {
      const reference = rest.slice('manifests/'.length);
      if (req.method === 'GET' || req.method === 'HEAD') {
        const stored = registry.manifests.get(reference);
        if (!stored) return error(res, 404, 'MANIFEST_UNKNOWN');
        res.writeHead(200, { 'Content-Type': stored.mediaType, 'Content-Length': Buffer.byteLength(stored.text) });
        return void res.end(req.method === 'HEAD' ? undefined : stored.text);
      }
      if (req.method === 'PUT') {
        const text = body.toString('utf8');
        const digest = sha256(body);
        if (reference.startsWith('sha256:') && reference !== digest) return error(res, 400, 'DIGEST_INVALID');
        if (referenced(text).some((d) => !registry.blobs.has(d) && !registry.manifests.has(d)))
          return error(res, 400, 'MANIFEST_BLOB_UNKNOWN');
        const stored = { text, mediaType: req.headers['content-type'] ?? '' };
        registry.manifestPuts.push({ reference, mediaType: stored.mediaType });
        registry.manifests.set(reference, stored);
        registry.manifests.set(digest, stored);
        res.writeHead(201, { 'Docker-Content-Digest': digest, 'Content-Length': 0 });
        return void res.end();
      }
    }
    error(res, 405, 'UNSUPPORTED');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry.port = (server.address() as AddressInfo).port;
  registry.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return registry;
}
