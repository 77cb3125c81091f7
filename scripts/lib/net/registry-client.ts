// The Registry HTTP API v2 calls robot-deploy makes itself, through the tunnel's local port. One client
// per push keeps its connections open, so a dozen calls cost one SSH channel each, not one per call.
import { Agent, type IncomingMessage, request } from 'node:http';
import type { Readable } from 'node:stream';
import { MANIFEST_ACCEPT, OCI_MANIFEST } from './manifest.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const ANSWER_WITHIN_MS = 60_000;

export class RegistryClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  /** `port` is asked for on every call: a reconnected tunnel may listen on another one. */
  constructor(
    private readonly port: () => number,
    readonly repo: string,
  ) {}

  /** The manifest (or index) behind a digest or tag, or undefined when the registry does not have it. */
  async manifest(reference: string): Promise<string | undefined> {
    return (await this.manifestWithType(reference))?.text;
  }

  /** The manifest's exact text and its media type, as a copy must PUT them again. */
  async manifestWithType(reference: string): Promise<{ text: string; mediaType: string } | undefined> {
    const answer = await this.call('GET', `/v2/${this.repo}/manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new Error(`GET manifest ${reference} answered HTTP ${answer.status}`);
    const type = answer.headers['content-type'];
    return { text: answer.body.toString('utf8'), mediaType: typeof type === 'string' ? type.split(';')[0].trim() : OCI_MANIFEST };
  }

  /** A blob's bytes as a stream, for a copy to another registry. */
  openBlob(digest: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port(), path: `/v2/${this.repo}/blobs/${digest}`, agent: this.agent }, (res) => {
        if (res.statusCode === 200) return resolve(res);
        res.resume();
        reject(new Error(`GET blob ${digest} answered HTTP ${res.statusCode}`));
      });
      req.setTimeout(ANSWER_WITHIN_MS, () => req.destroy(new Error(`GET blob ${digest}: no answer within 60 s`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** A small blob's bytes (an image config), or undefined when the registry does not have it. */
  async blob(digest: string): Promise<Buffer | undefined> {
    const answer = await this.call('GET', `/v2/${this.repo}/blobs/${digest}`);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new Error(`GET blob ${digest} answered HTTP ${answer.status}`);
    return answer.body;
  }

  /** The blob's size, or undefined when the registry does not have it. */
  async blobSize(digest: string): Promise<number | undefined> {
    const answer = await this.call('HEAD', `/v2/${this.repo}/blobs/${digest}`);
    return answer.status === 200 ? Number(answer.headers['content-length'] ?? 0) : undefined;
  }

  /** The repository's tags; none when it does not exist yet. */
  async tags(): Promise<string[]> {
    const answer = await this.call('GET', `/v2/${this.repo}/tags/list`);
    if (answer.status === 404) return [];
    if (answer.status !== 200) throw new Error(`GET tags of ${this.repo} answered HTTP ${answer.status}`);
    const tags = (JSON.parse(answer.body.toString('utf8')) as { tags?: unknown }).tags;
    return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
  }

  /** A monolithic upload of bytes already in memory. */
  async upload(digest: string, bytes: Buffer): Promise<void> {
    await this.finish(await this.start(), digest, bytes);
  }

  /**
   * A streamed upload: one PATCH with the whole stream, then the digest, which `digest()` knows once the
   * stream has ended. `signal` ends whichever request is under way; the body is the caller's to close.
   */
  async uploadStream(body: Readable, digest: () => string, signal?: AbortSignal): Promise<void> {
    const location = await this.start(signal);
    const patched = await this.call('PATCH', location, { 'Content-Type': 'application/octet-stream' }, body, signal);
    const next = patched.headers.location;
    if (patched.status !== 202 || typeof next !== 'string')
      throw new Error(`sending a blob answered HTTP ${patched.status}: ${patched.body.toString('utf8').slice(0, 200)}`);
    await this.finish(this.path(next), digest(), undefined, signal);
  }

  /** PUT by digest or tag: the registry checks that every blob the manifest names is there. */
  async putManifest(reference: string, manifest: string, mediaType = OCI_MANIFEST): Promise<void> {
    const answer = await this.call(
      'PUT',
      `/v2/${this.repo}/manifests/${reference}`,
      { 'Content-Type': mediaType, 'Content-Length': String(Buffer.byteLength(manifest)) },
      manifest,
    );
    if (answer.status !== 201)
      throw new Error(`the robot's registry refused the manifest (HTTP ${answer.status}): ${answer.body.toString('utf8').slice(0, 300)}`);
  }

  /** Closes the kept connections (and with them their SSH channels). */
  close(): void {
    this.agent.destroy();
  }

  private async start(signal?: AbortSignal): Promise<string> {
    const started = await this.call('POST', `/v2/${this.repo}/blobs/uploads/`, { 'Content-Length': '0' }, undefined, signal);
    const location = started.headers.location;
    if (started.status !== 202 || typeof location !== 'string') throw new Error(`starting a blob upload answered HTTP ${started.status}`);
    return this.path(location);
  }

  private async finish(location: string, digest: string, bytes?: Buffer, signal?: AbortSignal): Promise<void> {
    const url = new URL(location, 'http://registry');
    url.searchParams.set('digest', digest);
    const put = await this.call(
      'PUT',
      `${url.pathname}${url.search}`,
      { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes?.length ?? 0) },
      bytes,
      signal,
    );
    if (put.status !== 201)
      throw new Error(`uploading blob ${digest} answered HTTP ${put.status}: ${put.body.toString('utf8').slice(0, 200)}`);
  }

  /** The registry names upload URLs absolutely, with the host it was reached as: only the path is ours to follow. */
  private path(location: string): string {
    const url = new URL(location, 'http://registry');
    return `${url.pathname}${url.search}`;
  }

  private call(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Buffer | string | Readable,
    signal?: AbortSignal,
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const req = request({ host: '127.0.0.1', port: this.port(), method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      // A stalled body (a link gone quiet) is the caller's stall guard's to notice; a request without one must still end.
      req.setTimeout(ANSWER_WITHIN_MS, () => req.destroy(new Error(`${method} ${path}: no answer from the robot's registry within 60 s`)));
      req.on('error', reject);
      const abort = () => req.destroy(signal?.reason as Error);
      signal?.addEventListener('abort', abort, { once: true });
      req.on('close', () => signal?.removeEventListener('abort', abort));
      if (body && typeof body !== 'string' && !Buffer.isBuffer(body)) {
        body.on('error', (error) => req.destroy(error));
        body.pipe(req);
      } else req.end(body);
    });
  }
}
