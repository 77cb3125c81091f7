// The workspace of a second, independent harness whose watch-mode figures disagreed with the bench's,
// rebuilt here so both setups can be measured in one run: a build context holding a 150 MB
// incompressible file and a 450 kB text file, a RUN step, a small app file that changes before every
// run, and the Dockerfile in the workspace directory under the context root.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUSYBOX_IMAGE } from '../sim/harness.ts';

export const HARNESS_DATA_BYTES = 150e6;
const TEXT_BYTES = 450e3;

export async function makeHarnessWorkspace(
  dir: string,
  ws: string,
): Promise<{ dockerfile: string; setTop(content: string | Uint8Array): Promise<void> }> {
  await mkdir(join(dir, 'data'), { recursive: true });
  await mkdir(join(dir, 'app'), { recursive: true });
  await mkdir(join(dir, ws), { recursive: true });
  await writeFile(join(dir, 'data', 'big.bin'), randomBytes(HARNESS_DATA_BYTES));
  const line = 'robot-deploy harness text: a line of a config file or a launch description\n';
  await writeFile(join(dir, 'data', 'notes.txt'), line.repeat(Math.ceil(TEXT_BYTES / line.length)));
  const appFile = join(dir, 'app', 'app.txt');
  await writeFile(appFile, 'app 1\n');
  const dockerfile = join(dir, ws, 'Dockerfile');
  await writeFile(
    dockerfile,
    [
      `FROM ${BUSYBOX_IMAGE}`,
      'COPY data/big.bin /data/big.bin',
      'COPY data/notes.txt /data/notes.txt',
      'RUN wc -c /data/notes.txt > /data/notes.size',
      'COPY app/ /app/',
      'CMD ["cat", "/app/app.txt"]',
      '',
    ].join('\n'),
  );
  return { dockerfile, setTop: (content) => writeFile(appFile, content) };
}
