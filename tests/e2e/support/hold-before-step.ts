// Preloaded into a deploy by startScript(…, { holdBefore: step }): parks every robot before `step`
// until the run is interrupted, so a test can deliver Ctrl-C or SIGTERM in any step.
import { beforeRobotStep } from '../../../scripts/lib/deploy/step-hooks.ts';

const held = process.env.RD_E2E_HOLD_BEFORE;

beforeRobotStep.push(async (step, signal, show) => {
  if (step !== held) return;
  show(`held before "${step}" (test hook)`);
  await new Promise<void>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
});
