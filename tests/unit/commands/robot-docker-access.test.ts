import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { NO_DOCKER_CLI, withDockerAccess } from '../../../scripts/lib/commands/robot-docker-access.ts';
import { FakeDocker } from '../../support/fake-docker.ts';
import { robotShellTest } from '../../support/skip.ts';

robotShellTest('robot scripts get the prelude; bare docker commands are wrapped; other commands pass through', () => {
  const access = { envPrefix: 'JETSON' };
  const script = withDockerAccess(['sh', '-c', 'docker version', 'probe', 'a b'], access);
  assert.deepEqual([script[0], script[1], ...script.slice(3)], ['sh', '-c', 'probe', 'a b'], 'positional parameters keep their places');
  assert.match(script[2], /docker\(\) \{[^\n]*\n*[\s\S]*\ndocker version$/);
  const bare = withDockerAccess(['docker', 'image', 'load'], access);
  assert.deepEqual(bare.slice(3), ['docker', 'image', 'load']);
  assert.match(bare[2], /\ndocker "\$@"$/);
  assert.deepEqual(withDockerAccess(['uname', '-m'], access), ['uname', '-m']);
});

robotShellTest('the configured docker path is quoted into the prelude, never run as shell text', () => {
  const evil = "/opt/x'; touch /tmp/rd-pwned; '";
  const argv = withDockerAccess(['sh', '-c', 'true'], { dockerPath: evil, envPrefix: 'R1' });
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  assert.equal(result.status, NO_DOCKER_CLI, result.stderr);
  assert.match(
    result.stderr,
    /no docker CLI here at \/opt\/x'; touch \/tmp\/rd-pwned; ' .*set R1_DOCKER=\/path\/to\/docker in robots\.env/,
  );
});

robotShellTest('a docker CLI found on PATH with a usable socket runs directly', () => {
  const docker = new FakeDocker().set('ids/img_a', `sha256:${'a'.repeat(64)}`);
  const result = docker.run(withDockerAccess(['docker', 'image', 'inspect', '--format', '{{.Id}}', 'img:a'], { envPrefix: 'R1' }), {
    DOCKER_HOST: 'unix:///nonexistent.sock',
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), `sha256:${'a'.repeat(64)}`);
  assert.ok(!docker.calls().some((call) => call.includes('sudo')));
});
