// The few Registry HTTP API v2 calls the delta needs, through the tunnel's local port.
import { request } from 'node:http';
import { MANIFEST_ACCEPT, OCI_MANIFEST } from './manifest.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function call(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer from the robot's registry within 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The manifest (or index) behind a digest, or undefined when the registry no longer has it. */
export async function getManifest(port: number, repo: string, reference: string): Promise<string | undefined> {
  const answer = await call(port, 'GET', `/v2/${repo}/manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(`GET manifest ${reference} answered HTTP ${answer.status}`);
  return answer.body.toString('utf8');
}

/** A small blob's bytes (an image config), or undefined when the registry does not have it. */
export async function getBlob(port: number, repo: string, digest: string): Promise<Buffer | undefined> {
  const answer = await call(port, 'GET', `/v2/${repo}/blobs/${digest}`);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(`GET blob ${digest} answered HTTP ${answer.status}`);
  return answer.body;
}

export async function hasBlob(port: number, repo: string, digest: string): Promise<boolean> {
  const answer = await call(port, 'HEAD', `/v2/${repo}/blobs/${digest}`);
  return answer.status === 200;
}

/** A monolithic upload: POST for an upload URL, then one PUT with the bytes and their digest. */
export async function uploadBlob(port: number, repo: string, digest: string, bytes: Buffer): Promise<void> {
  const started = await call(port, 'POST', `/v2/${repo}/blobs/uploads/`, { 'Content-Length': '0' });
  const location = started.headers.location;
  if (started.status !== 202 || typeof location !== 'string') throw new Error(`starting a blob upload answered HTTP ${started.status}`);
  const url = new URL(location, `http://127.0.0.1:${port}`);
  url.searchParams.set('digest', digest);
  const put = await call(
    port,
    'PUT',
    `${url.pathname}${url.search}`,
    { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
    bytes,
  );
  if (put.status !== 201)
    throw new Error(`uploading blob ${digest} answered HTTP ${put.status}: ${put.body.toString('utf8').slice(0, 200)}`);
}

/** PUT by digest or tag: the registry checks every blob the manifest names is there. */
export async function putManifest(port: number, repo: string, reference: string, manifest: string): Promise<void> {
  const answer = await call(
    port,
    'PUT',
    `/v2/${repo}/manifests/${reference}`,
    { 'Content-Type': OCI_MANIFEST, 'Content-Length': String(Buffer.byteLength(manifest)) },
    manifest,
  );
  if (answer.status !== 201)
    throw new Error(`the robot's registry refused the manifest (HTTP ${answer.status}): ${answer.body.toString('utf8').slice(0, 300)}`);
}
