import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { candidatePorts } from '../../../scripts/lib/net/local-port.ts';
import { renderBuildkitConfig } from '../../../scripts/lib/setup/buildkit-config.ts';
import { REPO } from '../../support/cli.ts';

test('buildkitd.default.toml is what setup.ts writes for REGISTRY_PORT=5000', () => {
  assert.equal(readFileSync(join(REPO, 'buildkitd.default.toml'), 'utf8'), renderBuildkitConfig([5000]));
});

test('every port the tunnel may use is plain HTTP for both the Linux and the Docker Desktop builder', () => {
  const toml = renderBuildkitConfig([5000, 6000]);
  for (const platform of ['linux', 'darwin'] as const) {
    for (const port of [...candidatePorts(5000, platform), ...candidatePorts(6000, platform)]) {
      for (const host of ['127\\.0\\.0\\.1', 'host\\.docker\\.internal']) {
        assert.match(toml, new RegExp(`\\[registry\\."${host}:${port}"\\]\\n  http = true`));
      }
    }
  }
});
