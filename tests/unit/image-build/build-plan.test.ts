import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LINK } from '../../../scripts/lib/config/link-policy.ts';
import type { ProjectConfig } from '../../../scripts/lib/config/project-config.ts';
import { buildKey } from '../../../scripts/lib/image-build/build-job.ts';
import { planBuildJobs, planBuilds } from '../../../scripts/lib/image-build/build-plan.ts';

const context = join(tmpdir(), 'project', 'src');
const config = {
  file: join(tmpdir(), 'project', 'robots.env'),
  dir: join(tmpdir(), 'project'),
  image: 'eurobot2023',
  context,
  workspaces: ['navigation'],
  platform: 'linux/amd64',
  registryPort: 5000,
  robots: [],
  knownHostsFile: join(tmpdir(), 'project', 'known_hosts'),
  reconnectSeconds: 60,
  link: DEFAULT_LINK,
} satisfies ProjectConfig;

const run = (platform: string, ...workspaces: string[]) => ({ robot: { platform }, workspaces });

test('robots of one platform share one build per workspace', () => {
  const jobs = planBuilds(config, [
    run('linux/amd64', 'navigation', 'vision'),
    run('linux/amd64', 'vision'),
    run('linux/amd64', 'navigation'),
  ]);
  assert.deepEqual(
    [...jobs.values()].map((job) => [job.platform, job.ws]),
    [
      ['linux/amd64', 'navigation'],
      ['linux/amd64', 'vision'],
    ],
  );
});

test('a build is found under its (platform, workspace) key, and builds CONTEXT/WS/Dockerfile in CONTEXT as IMAGE:WS for its platform', () => {
  const jobs = planBuilds(config, [run('linux/arm64', 'vision')]);
  const job = jobs.get(buildKey('linux/arm64', 'vision'));
  assert.ok(job);
  assert.deepEqual(job.spec, {
    platform: 'linux/arm64',
    tag: 'eurobot2023:vision',
    dockerfile: join(context, 'vision', 'Dockerfile'),
    context,
  });
});

test('one workspace for two platforms is two builds whose local tags name the platform, so neither overwrites the other', () => {
  const jobs = planBuilds(config, [run('linux/amd64', 'navigation', 'vision'), run('linux/arm/v7', 'navigation')]);
  assert.equal(jobs.size, 3);
  assert.equal(jobs.get(buildKey('linux/amd64', 'navigation'))?.spec.tag, 'eurobot2023:navigation-linux-amd64');
  assert.equal(jobs.get(buildKey('linux/arm/v7', 'navigation'))?.spec.tag, 'eurobot2023:navigation-linux-arm-v7');
  assert.equal(jobs.get(buildKey('linux/amd64', 'vision'))?.spec.tag, 'eurobot2023:vision', 'a workspace of one platform keeps IMAGE:WS');
  const tags = [...jobs.values()].map((job) => job.spec.tag);
  assert.equal(new Set(tags).size, tags.length);
});

test('each build has its own result, settled independently, for the robots waiting on it', async () => {
  const jobs = planBuildJobs(config, [
    { platform: 'linux/amd64', ws: 'navigation' },
    { platform: 'linux/amd64', ws: 'vision' },
  ]);
  const [navigation, vision] = [...jobs.values()];
  assert.notEqual(navigation.result, vision.result);
  navigation.result.resolve({ id: 'sha256:1', digests: [] });
  vision.result.reject(new Error('vision failed'));
  assert.equal((await navigation.result.promise).id, 'sha256:1');
  await assert.rejects(vision.result.promise, /vision failed/);
});

test('nothing to build plans no builds', () => {
  assert.equal(planBuilds(config, []).size, 0);
  assert.equal(planBuilds(config, [run('linux/amd64')]).size, 0);
});
