// --dry-run's versions of the steps that need a live SSH link; every other step runs as it is, on
// the recording runner. robot-tasks.ts picks these when the context records.
import { chooseLocalPort } from '../../net/local-port.ts';
import { type RecordedCommand, RecordingRunner } from '../../runner/recording-runner.ts';
import type { RobotRun } from '../context.ts';
import { robotResponder } from '../dry-run.ts';

/** The robot's commands are recorded, answered as a robot with the configured platform would. */
export function dryConnectStep(run: RobotRun, recorded: RecordedCommand[]): void {
  run.connected(new RecordingRunner(run.robot.name, recorded, robotResponder(run.robot)));
}

/** The laptop port the tunnel would take; the tunnel counts no bytes and takes no connections. */
export async function dryTunnelStep(run: RobotRun): Promise<string> {
  const port = await chooseLocalPort(run.robot.registryPort);
  run.tunnel = {
    port,
    bytesToRobot: () => 0,
    use: (work) => work(),
    refused: () => 0,
    isOpen: () => false,
    close: async () => undefined,
  };
  return `would forward 127.0.0.1:${port} → ${run.robot.name}:127.0.0.1:${run.registryPort}`;
}
