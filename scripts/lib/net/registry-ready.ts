import { request } from 'node:http';

/** One GET /v2/: true when a registry answers (200, or 401 when it wants auth). */
function probeOnce(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/v2/', method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 401);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Replaces the post's 15 × `sleep 1; curl` loop: polls from 20 ms up, so a registry that is
 * already up is seen in one round trip and a freshly started one within ~100 ms of listening.
 */
export async function waitForRegistry(port: number, timeoutMs = 15000, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    signal?.throwIfAborted();
    if (await probeOnce(port, Math.max(1, Math.min(3000, deadline - Date.now())))) return;
    if (Date.now() + delay > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
  throw new Error(
    `the robot's registry did not answer GET /v2/ through the tunnel on 127.0.0.1:${port} within ${Math.round(timeoutMs / 1000)} s`,
  );
}
