export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
}

const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?$/;

/** Parses `user@host[:port]`, `host`, or `user@[v6addr]:port`; returns a problem text on failure. */
export function parseSshTarget(text: string): SshTarget | string {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  if (user !== undefined && !USER.test(user)) return `user "${user}" is not a valid login name`;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(rest);
  const match = bracketed ?? plain;
  if (!match) return `"${text}" is not user@host[:port]`;
  const [, host, portText] = match;
  if (bracketed ? !IPV6.test(host) : !HOSTNAME.test(host)) return `host "${host}" is not a hostname or IP address`;
  const target: SshTarget = { host, ...(user ? { user } : {}) };
  if (portText !== undefined) {
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `port "${portText}" is not between 1 and 65535`;
    target.port = port;
  }
  return target;
}

export function formatSshTarget(target: SshTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.user ? `${target.user}@` : ''}${host}${target.port ? `:${target.port}` : ''}`;
}
