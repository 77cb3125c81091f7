import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnoseCredentials } from '../../../scripts/lib/doctor/diagnose-credentials.ts';
import { wellFormedEd25519 } from '../../../scripts/lib/setup/user-key.ts';
import { tempDir } from '../../support/cli.ts';

function homeWith(keys: string[]): string {
  const home = tempDir('rd-doctor-home-');
  mkdirSync(join(home, '.ssh'));
  for (const name of keys) writeFileSync(join(home, '.ssh', name), wellFormedEd25519({}).private);
  return home;
}

test("doctor names the agent it skipped and the key files used instead (Windows' agent service stopped)", async () => {
  const home = homeWith(['id_ed25519']);
  const rows = await diagnoseCredentials({ env: {}, platform: 'win32', home });
  assert.deepEqual(
    rows.map((r) => [r.check, r.verdict]),
    [
      ['ssh-agent', 'ok'],
      ['ssh keys', 'ok'],
    ],
  );
  assert.match(rows[0].detail, /^skipped \(no (pipe|socket) .*openssh-ssh-agent.*\); the key files are tried, as OpenSSH does$/);
  assert.match(rows[0].fix ?? '', /Start-Service ssh-agent/);
  assert.equal(rows[1].detail, join(home, '.ssh', 'id_ed25519'));
});

test('no agent and no key: the keys row fails and says to run setup; SSH_KEY alone is checked when set', async () => {
  const home = homeWith([]);
  const none = await diagnoseCredentials({ env: {}, platform: 'linux', home });
  assert.deepEqual(
    none.map((r) => [r.check, r.verdict]),
    [
      ['ssh-agent', 'ok'],
      ['ssh keys', 'fail'],
    ],
  );
  assert.match(none[1].fix ?? '', /scripts\/setup\.ts/);
  const missing = join(home, 'team_key');
  const configured = await diagnoseCredentials({ sshKey: missing, env: {}, platform: 'linux', home });
  assert.deepEqual(
    configured.map((r) => [r.check, r.verdict, r.detail]),
    [['ssh key (SSH_KEY)', 'fail', `not ${missing} (file not found)`]],
  );
});
