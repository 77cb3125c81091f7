// The two images the simulator needs without Docker Hub: registry:2 (from the distro's
// docker-registry binary) and a busybox base for demo workspaces. Rootfs tars are cached.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { shortId } from '../../lib/cli/display-format.ts';
import { ARM64_BUSYBOX } from './engine-flavours.ts';
import { capture, run, toolEnv } from './exec.ts';
import { ensureDir, stateFiles } from './state.ts';

export const REGISTRY_IMAGE = 'registry:2';
export const BUSYBOX_IMAGE = 'robot-deploy-sim/busybox:latest';
export const ARM64_BUSYBOX_IMAGE = 'robot-deploy-sim/busybox-arm64:latest';
const REGISTRY_BIN = '/usr/bin/docker-registry';
const BUSYBOX_BIN = '/usr/bin/busybox';

const REGISTRY_CONFIG = `version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
`;

const REGISTRY_CHANGES = [
  'ENTRYPOINT ["/bin/registry"]',
  'CMD ["serve","/etc/docker/registry/config.yml"]',
  'EXPOSE 5000',
  'VOLUME ["/var/lib/registry"]',
];

type FillRootfs = (root: string) => Promise<void>;

/** Absolute paths of the shared libraries (and loader) a dynamic binary needs; none if static. */
export function parseLdd(output: string): string[] {
  return [...output.matchAll(/(\/\S+)\s+\(0x[0-9a-f]+\)/g)].map((m) => m[1] as string);
}

async function fillRegistry(root: string): Promise<void> {
  const ldd = await run('ldd', [REGISTRY_BIN], { allowFail: true });
  for (const lib of parseLdd(ldd.stdout)) {
    ensureDir(join(root, dirname(lib)));
    copyFileSync(lib, join(root, lib));
  }
  ensureDir(join(root, 'bin'));
  copyFileSync(REGISTRY_BIN, join(root, 'bin', 'registry'));
  chmodSync(join(root, 'bin', 'registry'), 0o755);
  ensureDir(join(root, 'etc', 'docker', 'registry'));
  writeFileSync(join(root, 'etc', 'docker', 'registry', 'config.yml'), REGISTRY_CONFIG);
  ensureDir(join(root, 'var', 'lib', 'registry'));
}

const fillBusybox =
  (binary: string) =>
  async (root: string): Promise<void> => {
    ensureDir(join(root, 'bin'));
    copyFileSync(binary, join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    // A foreign busybox answers through qemu's binfmt handler.
    const applets = (await capture(binary, ['--list'])).split('\n').filter((a) => a && a !== 'busybox');
    for (const applet of applets) symlinkSync('busybox', join(root, 'bin', applet));
    mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
    chmodSync(join(root, 'tmp'), 0o1777);
    ensureDir(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\n');
  };

/** Builds images/<name>-rootfs.tar once; later calls reuse the cached tar. */
async function rootfsTar(stateDir: string, name: string, fill: FillRootfs): Promise<string> {
  const images = stateFiles(stateDir).images;
  const tar = join(images, `${name}-rootfs.tar`);
  if (existsSync(tar)) return tar;
  const work = join(images, `.${name}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  ensureDir(work);
  try {
    await fill(work);
    // Fixed owner and mtime keep the layer digest identical across rebuilds of the cache.
    const flags = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0'];
    await run('tar', [...flags, '-C', work, '-cf', `${tar}.tmp${process.pid}`, '.']);
    renameSync(`${tar}.tmp${process.pid}`, tar);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tar;
}

export async function imageId(env: NodeJS.ProcessEnv, image: string): Promise<string | undefined> {
  const { stdout, code } = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
    env,
    allowFail: true,
  });
  return code === 0 ? stdout.trim() : undefined;
}

async function ensureImported(
  env: NodeJS.ProcessEnv,
  image: string,
  tar: () => Promise<string>,
  changes: string[],
  flags: string[] = [],
): Promise<string> {
  const existing = await imageId(env, image);
  if (existing) return existing;
  const file = await tar();
  await run('docker', ['import', ...flags, ...changes.flatMap((c) => ['-c', c]), file, image], {
    env,
    timeoutMs: 180_000,
  });
  const id = await imageId(env, image);
  if (!id) throw new Error(`docker import of ${image} from ${file} left no image`);
  return id;
}

/** Imports registry:2 and the busybox base into an engine that lacks them; returns registry:2's image ID. */
export async function importBaseImages(stateDir: string, env = toolEnv()): Promise<string> {
  ensureDir(stateFiles(stateDir).images);
  const [registryId] = await Promise.all([
    ensureImported(env, REGISTRY_IMAGE, () => rootfsTar(stateDir, 'registry', fillRegistry), REGISTRY_CHANGES),
    ensureImported(env, BUSYBOX_IMAGE, () => rootfsTar(stateDir, 'busybox', fillBusybox(BUSYBOX_BIN)), ['CMD ["/bin/sh"]']),
  ]);
  return registryId;
}

/**
 * Puts registry:2 and the busybox base into the laptop engine (only if missing there) and
 * returns a `docker save` tar of registry:2 for robots, so every engine has the same image ID.
 */
export async function ensureLaptopImages(stateDir: string, env = toolEnv()): Promise<{ registryTar: string }> {
  const registryId = await importBaseImages(stateDir, env);
  const images = stateFiles(stateDir).images;
  const name = `registry-2-${shortId(registryId)}.tar`;
  const registryTar = join(images, name);
  if (!existsSync(registryTar)) {
    await run('docker', ['save', '-o', `${registryTar}.tmp${process.pid}`, REGISTRY_IMAGE], {
      env,
      timeoutMs: 120_000,
    });
    renameSync(`${registryTar}.tmp${process.pid}`, registryTar);
    for (const old of readdirSync(images)) {
      if (old.startsWith('registry-2-') && old.endsWith('.tar') && old !== name) rmSync(join(images, old), { force: true });
    }
  }
  return { registryTar };
}

export async function loadImage(env: NodeJS.ProcessEnv, tar: string): Promise<void> {
  await run('docker', ['load', '-q', '-i', tar], { env, timeoutMs: 180_000 });
}

/** An arm64 base image from Debian's arm64 busybox (no Docker Hub), in the engine `env` points at. */
export async function importArm64Base(stateDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  return ensureImported(
    env,
    ARM64_BUSYBOX_IMAGE,
    () => rootfsTar(stateDir, 'busybox-arm64', fillBusybox(ARM64_BUSYBOX)),
    ['CMD ["/bin/sh"]'],
    ['--platform', 'linux/arm64'],
  );
}
