// Will the robot run an image of its configured platform? Natively when its engine has that
// architecture; through qemu when the robot's kernel has a binfmt handler for it (an amd64 computer
// made to run arm64 images, as Docker Desktop does); otherwise robots.env names the wrong platform.

/** Docker's architecture names → the names of qemu's binfmt_misc handlers. */
const QEMU_NAMES: Record<string, string> = {
  arm64: 'aarch64',
  arm: 'arm',
  amd64: 'x86_64',
  riscv64: 'riscv64',
  ppc64le: 'ppc64le',
  s390x: 's390x',
};

export type PlatformVerdict = 'native' | 'emulated' | 'mismatch';

export function platformVerdict(robotPlatform: string, engine: { platform: string; emulates: readonly string[] }): PlatformVerdict {
  const [os, arch = ''] = robotPlatform.split('/');
  if (engine.platform === `${os}/${arch}`) return 'native';
  const handler = QEMU_NAMES[arch];
  return engine.platform.startsWith(`${os}/`) && handler && engine.emulates.includes(handler) ? 'emulated' : 'mismatch';
}
