// The post's step 0 as one command on any OS: your SSH key, its registration on each robot, host
// keys pinned beside robots.env, and a look at the buildx builder deploys will use.
import { parseCommandLine } from './lib/cli/args.ts';
import { complain, say } from './lib/cli/output.ts';
import { loadRobots } from './lib/config/select.ts';
import { EXIT, runMain } from './lib/entry/main.ts';
import { LocalRunner } from './lib/runner/local-runner.ts';
import { checkBuilder } from './lib/setup/builder-step.ts';
import { registerKey, type StepReport } from './lib/setup/register-key.ts';
import { findUserKey, generateUserKey } from './lib/setup/user-key.ts';
import { KnownHosts } from './lib/ssh/host-keys.ts';

const HELP = `
Usage: npx tsx scripts/setup.ts [robot... | all] [--env-file FILE] [--accept-new-host-key]
       npx tsx scripts/setup.ts --forget-host <robot> | all
       npm run setup -- [robot...]

1. Finds your SSH key (SSH_KEY, ~/.ssh/id_ed25519, id_ecdsa, id_rsa, or ssh-agent); makes an ed25519 key if there is none.
2. For each robot (default: all in robots.env): pins its host key in known_hosts beside robots.env
   (asking you to confirm the fingerprint on a terminal), and if your key is not accepted yet, logs in once
   with the password (asked on a terminal, or RD_SSH_PASSWORD) and appends the key to ~/.ssh/authorized_keys.
3. Checks the buildx builder deploys will use: the engine's own (docker driver) builds into docker images,
   which the delta and robot-deploy's own upload read; setup creates none (the post's docker-container
   builder needs Docker Hub's moby/buildkit image and keeps images out of docker images).
--forget-host removes a robot's pinned host keys (after the robot was reinstalled); \`all\` every robot's.
--accept-new-host-key: without a terminal to confirm a robot's first host key, the password is not sent
to it; this flag sends it anyway (a network you trust) and pins the key once the login succeeded.`;

await runMain(async ({ signal }) => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    { 'forget-host': { type: 'string' }, 'accept-new-host-key': { type: 'boolean' } },
    HELP,
  );
  const { config, robots } = loadRobots(
    values['env-file'],
    values['forget-host'] ? [values['forget-host']] : positionals.length ? positionals : ['all'],
  );
  const knownHosts = new KnownHosts(config.knownHostsFile);
  if (values['forget-host']) {
    for (const robot of robots) {
      const removed = knownHosts.forget(robot.name);
      say(
        removed
          ? `forgot ${removed} pinned host key(s) of ${robot.name} in ${knownHosts.file}; the next connection pins the new one`
          : `no host key of ${robot.name} was pinned in ${knownHosts.file}`,
      );
    }
    return EXIT.ok;
  }
  const rows: [string, StepReport][] = [];
  let key = await findUserKey(config.sshKey);
  if (key)
    rows.push([
      'your SSH key',
      {
        state: 'already done',
        detail: key.source === 'file' ? key.path : `held by ssh-agent: ${key.publicKey.slice(0, 40)}…`,
      },
    ]);
  else if (config.sshKey)
    rows.push([
      'your SSH key',
      {
        state: 'failed',
        detail: `SSH_KEY=${config.sshKey} (or its .pub) does not exist; fix robots.env or remove SSH_KEY to use ~/.ssh`,
      },
    ]);
  else {
    key = generateUserKey();
    rows.push(['your SSH key', { state: 'done', detail: `generated ${key.source === 'file' ? key.path : ''} (ed25519, no passphrase)` }]);
  }
  for (const robot of robots) {
    if (!key) break;
    signal.throwIfAborted();
    const report = await registerKey(robot, key, knownHosts, values['accept-new-host-key'] === true).catch(
      (error: Error): StepReport => ({ state: 'failed', detail: error.message }),
    );
    rows.push([`key on ${robot.name}`, report]);
  }
  rows.push(['buildx builder', await checkBuilder(new LocalRunner(signal))]);
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, report] of rows)
    (report.state === 'failed' ? complain : say)(`${name.padEnd(width)}  ${report.state.padEnd(12)}  ${report.detail}`);
  return rows.some(([, report]) => report.state === 'failed') ? EXIT.failed : EXIT.ok;
});
