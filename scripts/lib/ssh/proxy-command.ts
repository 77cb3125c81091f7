// ProxyCommand: its stdin/stdout carry the SSH session. On Linux and macOS it runs as OpenSSH runs it, by `sh -c`;
// Windows has no sh, and its OpenSSH starts the command line directly, as done here.
import { Duplex } from 'node:stream';
import { traceCommand } from '../cli/output.ts';
import { startProcess } from '../runner/child-process.ts';
import { quotePosix } from '../shell/posix-quote.ts';

/** The byte stream an SSH session to a robot runs over, and what else must close with it. */
export interface Transport {
  sock: Duplex;
  close(): void;
}

export interface ProxyLaunch {
  argv: string[];
  /** Windows: the second element is the rest of the command line, passed on exactly as written. */
  verbatim: boolean;
}

/** %h %p %r %% replaced by the robot's address, port and user, each quoted for whoever parses the line. */
export function proxyLaunch(template: string, host: string, port: number, user: string, platform = process.platform): ProxyLaunch {
  const quote = platform === 'win32' ? quoteWindowsArg : quotePosix;
  const line = template.replace(/%(%|h|p|r)/g, (_, code: string) =>
    code === '%' ? '%' : quote(code === 'h' ? host : code === 'p' ? String(port) : user),
  );
  if (platform !== 'win32') return { argv: ['sh', '-c', `exec ${line}`], verbatim: false };
  const [, quoted, bare, rest = ''] = /^\s*(?:"([^"]*)"|(\S+))\s*(.*)$/s.exec(line) ?? [];
  const program = quoted ?? bare;
  if (!program) throw new Error('ProxyCommand in ~/.ssh/config is empty');
  return { argv: rest ? [program, rest] : [program], verbatim: true };
}

/** One argument as Windows programs split their command line (CommandLineToArgvW): quoted only when needed. */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let quoted = '"';
  let backslashes = 0;
  for (const char of arg) {
    if (char === '\\') {
      backslashes += 1;
      continue;
    }
    quoted += '\\'.repeat(char === '"' ? backslashes * 2 + 1 : backslashes) + char;
    backslashes = 0;
  }
  return `${quoted}${'\\'.repeat(backslashes * 2)}"`;
}

export function openProxyCommand(template: string, host: string, port: number, user: string): Transport {
  const { argv, verbatim } = proxyLaunch(template, host, port, user);
  traceCommand('laptop', argv);
  const child = startProcess(argv, { stdin: 'pipe', verbatim });
  child.stderr.pipe(process.stderr, { end: false });
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  child.on('error', (error) => sock.destroy(error));
  child.on('exit', () => sock.destroy());
  return { sock, close: () => child.kill('SIGTERM') };
}
