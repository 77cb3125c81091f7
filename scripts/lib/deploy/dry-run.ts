import type { Responder } from '../runner/recording-runner.ts';

export const DRY_RUN_DIGEST = `sha256:${'0'.repeat(64)}`;

/** Plausible answers so a dry run walks the whole pipeline; digests and IDs show as sha256:000…. */
export const dryRunResponder: Responder = (argv) => {
  const joined = argv.join(' ');
  if (joined.startsWith('docker image inspect')) return { stdout: `${DRY_RUN_DIGEST}\n` };
  if (joined.startsWith('docker image push')) return { stdout: `digest: ${DRY_RUN_DIGEST} size: 0\n` };
  if (argv[0] === 'sh' && argv[3] === 'ensure-registry') return { stdout: `status=running\nbind=127.0.0.1:${argv[5]}\n` };
  if (argv[0] === 'sh' && argv[3] === 'pull-and-tag') return { stdout: `deployed ${DRY_RUN_DIGEST}\nprevious none\n` };
  return undefined;
};
