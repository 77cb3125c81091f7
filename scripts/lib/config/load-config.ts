import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { composeSpecProblem } from './compose-spec.ts';
import { type EnvEntry, readEnvLines } from './env-lines.ts';
import {
  checked,
  checkValue,
  contextDir,
  countValue,
  deltaSetting,
  keyPath,
  portValue,
  secondsValue,
  workspaceList,
} from './env-values.ts';
import { configError, UsageError } from './errors.ts';
import { DEFAULT_LINK, type LinkPolicy } from './link-policy.ts';
import { DEFAULTS, GLOBAL_KEYS, type ProjectConfig, ROBOT_KEYS, type RobotConfig, type RobotKey } from './project-config.ts';
import { imageNameProblem, platformProblem, robotNameProblem } from './references.ts';
import { parseSshTarget } from './ssh-target.ts';

/** --env-file, then ROBOTS_ENV, then the nearest robots.env from the cwd upwards (as git finds .git). */
export function resolveEnvFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const chosen = flag ?? env.ROBOTS_ENV;
  if (chosen !== undefined) return resolve(cwd, chosen);
  const searched: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, 'robots.env');
    if (existsSync(candidate)) return candidate;
    searched.push(dir);
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(
    `no robots.env in ${searched[0]} or any directory above it (looked in ${searched.join(', ')}). ` +
      'Run from your project, create robots.env there (see README, "Configuration"), pass --env-file FILE or set ROBOTS_ENV.',
  );
}

export function loadProjectConfig(file: string): ProjectConfig {
  if (!existsSync(file)) {
    throw new UsageError(`${file} not found. Create it (see robots.env in the robot-deploy repo) or pass --env-file FILE.`);
  }
  return parseProjectConfig(readFileSync(file, 'utf8'), file);
}

export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const entries = readEnvLines(text, file);
  const dir = dirname(resolve(file));
  const robotPrefixes = entries.filter((e) => e.key.endsWith('_HOST')).map((e) => e.key.slice(0, -'_HOST'.length));
  const globals = new Map<string, EnvEntry>();
  const perRobot = new Map<string, Map<RobotKey, EnvEntry>>(robotPrefixes.map((p) => [p, new Map()]));
  for (const entry of entries) {
    const owner = robotPrefixes
      .filter((prefix) => entry.key.startsWith(`${prefix}_`) && isRobotKey(entry.key.slice(prefix.length + 1)))
      .sort((a, b) => b.length - a.length)[0];
    if (owner !== undefined) perRobot.get(owner)?.set(entry.key.slice(owner.length + 1) as RobotKey, entry);
    else if ((GLOBAL_KEYS as readonly string[]).includes(entry.key)) globals.set(entry.key, entry);
    else throw configError(file, entry.line, unknownKeyMessage(entry.key));
  }
  const image = globals.get('IMAGE');
  if (!image) throw configError(file, undefined, 'IMAGE is missing; add a line like IMAGE=eurobot2023');
  checkValue(file, image, imageNameProblem);
  const platform = checked(file, globals.get('PLATFORM'), platformProblem) ?? DEFAULTS.platform;
  const workspaces = workspaceList(file, globals.get('WORKSPACES')) ?? [];
  const registryPort = portValue(file, globals.get('REGISTRY_PORT')) ?? DEFAULTS.registryPort;
  const sshKey = keyPath(globals.get('SSH_KEY'), dir);
  const declared = new Map<string, EnvEntry>();
  const robots = [...perRobot].map(([prefix, keys]): RobotConfig => {
    const host = keys.get('HOST') as EnvEntry;
    const name = prefix.toLowerCase();
    const twin = declared.get(name);
    // Names are case-insensitive on the command line and key their host-key pins: one name, one robot.
    if (twin)
      throw configError(
        file,
        host.line,
        `${host.key} declares robot "${name}" again (${twin.key} on line ${twin.line}); robot names ignore case`,
      );
    declared.set(name, host);
    const nameProblem = robotNameProblem(name);
    if (nameProblem) throw configError(file, host.line, `robot name "${name}" (from ${host.key}) ${nameProblem}`);
    if (name === 'all') throw configError(file, host.line, '"all" is reserved: it means every robot on the command line');
    const target = parseSshTarget(host.value);
    if (typeof target === 'string') throw configError(file, host.line, `${host.key}: ${target}`);
    const after = keys.get('AFTER')?.value;
    const compose = keys.get('COMPOSE');
    const composeProblem = compose && composeSpecProblem(compose.value);
    if (compose && composeProblem) throw configError(file, compose.line, `${compose.key}=${compose.value} ${composeProblem}`);
    const docker = keys.get('DOCKER');
    if (docker && !docker.value.startsWith('/'))
      throw configError(
        file,
        docker.line,
        `${docker.key}=${docker.value}: give the docker CLI's absolute path on the robot, e.g. /snap/bin/docker`,
      );
    return {
      name,
      envPrefix: prefix,
      target,
      platform: checked(file, keys.get('PLATFORM'), platformProblem) ?? platform,
      workspaces: workspaceList(file, keys.get('WORKSPACES')) ?? workspaces,
      sshKey: keyPath(keys.get('SSH_KEY'), dir) ?? sshKey,
      registryPort: portValue(file, keys.get('REGISTRY_PORT')) ?? registryPort,
      ...(after ? { after } : {}),
      ...(compose ? { compose: compose.value } : {}),
      ...(docker ? { dockerPath: docker.value } : {}),
      delta: deltaSetting(file, keys.get('DELTA')) ?? deltaSetting(file, globals.get('DELTA')) ?? 'auto',
    };
  });
  if (robots.length === 0) throw configError(file, undefined, 'no robots declared; add a line like ROBOT1_HOST=nuc@192.0.2.64');
  const context = contextDir(file, dir, globals.get('CONTEXT'));
  const reconnectSeconds = secondsValue(file, globals.get('RECONNECT_SECONDS')) ?? DEFAULTS.reconnectSeconds;
  const link: LinkPolicy = {
    aliveIntervalSeconds: secondsValue(file, globals.get('ALIVE_INTERVAL_SECONDS'), 1) ?? DEFAULT_LINK.aliveIntervalSeconds,
    aliveCountMax: countValue(file, globals.get('ALIVE_COUNT_MAX')) ?? DEFAULT_LINK.aliveCountMax,
    robotTimeoutSeconds: secondsValue(file, globals.get('ROBOT_TIMEOUT_SECONDS'), 1) ?? DEFAULT_LINK.robotTimeoutSeconds,
  };
  return {
    file,
    dir,
    image: image.value,
    context,
    workspaces,
    platform,
    registryPort,
    sshKey,
    robots,
    knownHostsFile: join(dir, 'known_hosts'),
    reconnectSeconds,
    link,
  };
}

function isRobotKey(suffix: string): suffix is RobotKey {
  return (ROBOT_KEYS as readonly string[]).includes(suffix);
}

function unknownKeyMessage(key: string): string {
  return `unknown key ${key}. Global keys: ${GLOBAL_KEYS.join(', ')}; per robot: <NAME>_${ROBOT_KEYS.join(', <NAME>_')} (a robot exists once <NAME>_HOST is set)`;
}
