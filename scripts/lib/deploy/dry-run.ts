// --dry-run: the recording runner answers every command plausibly, so the real steps walk the whole
// pipeline unchanged. Only the steps that need a live SSH link (connect, tunnel, hold tunnel) have
// dry variants, chosen in one place (robot-tasks.ts).
import { writeFileSync } from 'node:fs';
import { probe, pullAndTag } from '../commands/robot-docker.ts';
import { ensureRegistry } from '../commands/robot-registry.ts';
import type { RobotConfig } from '../config/project-config.ts';
import type { Responder } from '../runner/recording-runner.ts';

export const DRY_RUN_DIGEST = `sha256:${'0'.repeat(64)}`;

/** Robot scripts run as `sh -c SCRIPT NAME ARGS…`: the script text tells which builder made the command. */
const runsScriptOf = (argv: readonly string[], built: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === built[2];

/** The file docker would write after `flag` (--iidfile, --metadata-file), written with the dry-run digest. */
function writeAfter(argv: readonly string[], flag: string, content: string): void {
  const at = argv.indexOf(flag);
  if (at >= 0 && argv[at + 1]) writeFileSync(argv[at + 1], content);
}

/** The laptop: builds "write" their image ID files, pushes print a digest; IDs show as sha256:000…. */
export const laptopResponder: Responder = (argv) => {
  const joined = argv.join(' ');
  if (argv[0] === 'docker' && argv[1] === 'build') writeAfter(argv, '--iidfile', DRY_RUN_DIGEST);
  if (argv[0] === 'docker' && argv[1] === 'buildx') {
    writeAfter(
      argv,
      '--metadata-file',
      JSON.stringify({ 'containerimage.digest': DRY_RUN_DIGEST, 'containerimage.config.digest': DRY_RUN_DIGEST }),
    );
  }
  if (joined.startsWith('docker image inspect')) return { stdout: `${DRY_RUN_DIGEST}\n` };
  if (joined.startsWith('docker image push')) return { stdout: `digest: ${DRY_RUN_DIGEST} size: 0\n` };
  return undefined;
};

/** A robot whose engine has the configured platform, holds none of the images and runs its registry. */
export function robotResponder(robot: RobotConfig): Responder {
  const [os, arch] = robot.platform.split('/');
  return (argv) => {
    if (runsScriptOf(argv, probe([]))) return { stdout: `engine ${os}/${arch} dry-run\n` };
    if (runsScriptOf(argv, ensureRegistry(robot.registryPort))) return { stdout: `status=running\nbind=127.0.0.1:${robot.registryPort}\n` };
    if (runsScriptOf(argv, pullAndTag('', '', '', []))) return { stdout: `deployed ${DRY_RUN_DIGEST}\nprevious none\n` };
    return undefined;
  };
}
