import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { joinPosix } from '../../scripts/lib/shell/posix-quote.ts';
import { tempDir } from './cli.ts';
import { makeLockDir, withLockDir } from './lock-dir.ts';

// A stand-in `docker` for unit tests of the robot-side scripts' branching only; every claim
// that a deploy works is made by the end-to-end tests against real engines.
const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$FAKE/calls"
key() { printf '%s' "$1" | tr '/:@' '___'; }
# A started registry listens on its port for a few seconds, as the real one would.
listen() { node -e "require('net').createServer().listen($1, '127.0.0.1'); setTimeout(() => process.exit(), 3000)" >/dev/null 2>&1 9>&- & }
case "$1 $2" in
  "container inspect") shift 2; fmt=; [ "$1" = --format ] && fmt=$2 && shift 2
    # appears-after N: a teammate's container that only becomes visible on the Nth look.
    if [ -f "$FAKE/appears-after" ]; then n=$(($(cat "$FAKE/appears-after") - 1)); echo $n > "$FAKE/appears-after"
      [ $n -le 0 ] && rm "$FAKE/appears-after" && echo created > "$FAKE/state"; fi
    [ -f "$FAKE/state" ] || { echo "no such container" >&2; exit 1; }
    case "$fmt" in *NetworkMode*) cat "$FAKE/net" 2>/dev/null || echo bridge ;; *) cat "$FAKE/state" ;; esac; exit 0 ;;
  "image inspect") shift 2; fmt=; [ "$1" = --format ] && fmt=$2 && shift 2
    id=; case "$1" in sha256:*) id=$1 ;; *) [ -f "$FAKE/ids/$(key "$1")" ] && id=$(cat "$FAKE/ids/$(key "$1")") ;; esac
    case "$fmt" in *"len .RepoTags"*) [ "$1" = "$FAKE_TAGGED" ] && echo 1 || echo 0; exit 0 ;; esac
    # Several refs: a line for each one found, exit 1 if any is missing (as docker does).
    case "$fmt" in "{{.Id}} {{.Os}}"*) rc=0; for ref do id=; case "$ref" in sha256:*) id=$ref ;; *) [ -f "$FAKE/ids/$(key "$ref")" ] && id=$(cat "$FAKE/ids/$(key "$ref")") ;; esac
      [ -n "$id" ] || { rc=1; continue; }; fp=$id; [ -f "$FAKE/fingerprints/$id" ] && fp=$(cat "$FAKE/fingerprints/$id"); echo "$id $fp"; done; exit $rc ;; esac
    case "$1" in sha256:*) echo "$1"; exit 0 ;; esac
    if [ "$1" = registry:2 ]; then [ -f "$FAKE/has-registry-image" ] && exit 0; exit 1; fi
    [ -f "$FAKE/ids/$(key "$1")" ] && cat "$FAKE/ids/$(key "$1")" && exit 0; exit 1 ;;
  "run -d") [ -f "$FAKE/run-error" ] && cat "$FAKE/run-error" >&2 && exit 125
    [ -f "$FAKE/run-delay" ] && sleep "$(cat "$FAKE/run-delay")"; echo running > "$FAKE/state"
    addr=$(echo "$*" | sed -n 's/.*REGISTRY_HTTP_ADDR=\\([^ ]*\\).*/\\1/p'); echo "host REGISTRY_HTTP_ADDR=$addr" > "$FAKE/net"; listen "\${addr##*:}"; echo abc123; exit 0 ;;
  "start "*) [ -f "$FAKE/start-error" ] && cat "$FAKE/start-error" >&2 && exit 1
    [ -f "$FAKE/state" ] || { echo "Error response from daemon: No such container: $2" >&2; exit 1; }; echo running > "$FAKE/state"
    addr=$(sed -n 's/.*REGISTRY_HTTP_ADDR=\\([^ ]*\\).*/\\1/p' "$FAKE/net" 2>/dev/null); [ -n "$addr" ] && listen "\${addr##*:}"; exit 0 ;;
  "rm "*) rm -f "$FAKE/state" "$FAKE/net"; exit 0 ;;
  "image rm") exit 0 ;;
  "container port") echo "\${FAKE_BIND:-127.0.0.1:5000}"; exit 0 ;;
  "image pull") [ -f "$FAKE/pull-error" ] && exit 1
    [ -f "$FAKE/pulled-id" ] && cp "$FAKE/pulled-id" "$FAKE/ids/$(key "$4")"; exit 0 ;;
  "image tag") id=$3; [ -f "$FAKE/ids/$(key "$3")" ] && id=$(cat "$FAKE/ids/$(key "$3")"); echo "$id" > "$FAKE/ids/$(key "$4")"; exit 0 ;;
  "version --format") echo "engine linux/amd64"; exit 0 ;;
esac
echo "fake docker: unhandled $*" >&2; exit 99
`;

export class FakeDocker {
  readonly dir = tempDir('rd-fake-docker-');

  /** The robot's lock directory for the scripts it runs, never this machine's /var/lib/robot-deploy. */
  readonly lockDir = makeLockDir();

  constructor() {
    mkdirSync(join(this.dir, 'bin'));
    mkdirSync(join(this.dir, 'ids'));
    mkdirSync(join(this.dir, 'fingerprints'));
    writeFileSync(join(this.dir, 'bin', 'docker'), FAKE_DOCKER);
    chmodSync(join(this.dir, 'bin', 'docker'), 0o755);
  }

  set(name: string, content: string): this {
    writeFileSync(join(this.dir, name), `${content}\n`);
    return this;
  }

  id(ref: string): string | undefined {
    const file = join(this.dir, 'ids', ref.replace(/[/:@]/g, '_'));
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  }

  calls(): string[] {
    const file = join(this.dir, 'calls');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  }

  /** Runs an argv from a command builder the way the robot's shell would: as one joined line. */
  run(argv: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const result = spawnSync('sh', ['-c', joinPosix(withLockDir(argv, this.lockDir))], {
      encoding: 'utf8',
      env: { ...process.env, ...extraEnv, FAKE: this.dir, PATH: `${join(this.dir, 'bin')}:${process.env.PATH}` },
    });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }
}
