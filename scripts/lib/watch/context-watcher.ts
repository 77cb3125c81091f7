import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import dockerignore, { type Ignore } from '@balena/dockerignore';
import { type FSWatcher, watch } from 'chokidar';

// A CommonJS module whose types declare an ES default export.
const ignore = dockerignore as unknown as typeof dockerignore.default;

/** Files saved together, reported once they have been quiet for the debounce time. */
export interface ChangeBatch {
  /** When the first change of the batch was seen (performance.now()). */
  firstAt: number;
  paths: string[];
}

export interface ContextWatcher {
  ready: Promise<void>;
  close(): Promise<void>;
}

/** What docker would not send: `.git` and the context's `.dockerignore` (its `!` exceptions included). */
export class ContextFilter {
  private rules: Ignore = ignore();
  private hasExceptions = false;

  /** `ownFiles`: robot-deploy's own writes (known_hosts and its lock) are not edits to deploy. */
  constructor(
    private readonly context: string,
    private readonly ownFiles: readonly string[] = [],
  ) {
    this.reload();
  }

  reload(): void {
    const file = join(this.context, '.dockerignore');
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split(/\r?\n/) : [];
    this.rules = ignore().add(lines);
    this.hasExceptions = lines.some((line) => line.trim().startsWith('!'));
  }

  /** `isDirectory` unknown counts as a directory: one with an exception inside must still be walked. */
  excludes(path: string, isFile?: boolean): boolean {
    const rel = relative(this.context, path).split(sep).join('/');
    if (!rel || rel.startsWith('..')) return false;
    if (this.ownFiles.some((own) => path.startsWith(own))) return true;
    if (rel === '.git' || rel.startsWith('.git/')) return true;
    if (rel === '.dockerignore') return false;
    if (this.hasExceptions && !isFile) return false;
    return this.rules.ignores(rel);
  }
}

export interface WatchOptions {
  /** robot-deploy's own writes inside the context (known_hosts and its lock). */
  ownFiles?: readonly string[];
  debounceMs?: number;
  /** A part of the context that cannot be watched; the watch goes on without it. Said once per text. */
  onProblem?: (text: string) => void;
}

/**
 * Watches the build context with chokidar (Node 20's recursive fs.watch misses events on Linux),
 * and reports changes once nothing has changed for `debounceMs`: an editor's save is several events.
 * Symlinks are watched as links, not followed: docker build sends the link, not what it points at,
 * and a link to / or $HOME would otherwise be crawled.
 */
export function watchContext(context: string, onBatch: (batch: ChangeBatch) => void, options: WatchOptions = {}): ContextWatcher {
  const root = realpathSync(context);
  const filter = new ContextFilter(root, (options.ownFiles ?? []).map(realParent));
  const watcher: FSWatcher = watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    ignored: (path, stats) => filter.excludes(path, stats?.isFile()),
  });
  const said = new Set<string>();
  // Without a listener, one unreadable directory or the inotify limit would end the whole deploy --watch.
  watcher.on('error', (error: unknown) => {
    const text = watchProblem(root, error as NodeJS.ErrnoException);
    if (said.has(text)) return;
    said.add(text);
    options.onProblem?.(text);
  });
  let pending: ChangeBatch | undefined;
  let timer: NodeJS.Timeout | undefined;
  let scanned = false;
  watcher.on('all', (_event, path) => {
    // chokidar reports the symlinks it meets in its first scan as added, ignoreInitial or not.
    if (!scanned) return;
    if (relative(root, path) === '.dockerignore') filter.reload();
    pending ??= { firstAt: performance.now(), paths: [] };
    if (!pending.paths.includes(path)) pending.paths.push(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = pending;
      pending = undefined;
      if (batch) onBatch(batch);
    }, options.debounceMs ?? 50);
  });
  const ready = new Promise<void>((resolve) =>
    watcher.once('ready', () => {
      scanned = true;
      resolve();
    }),
  );
  return {
    ready,
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}

/** The file's directory with its symlinks resolved, as chokidar reports paths under the resolved context. */
function realParent(file: string): string {
  try {
    return join(realpathSync(dirname(file)), basename(file));
  } catch {
    return file;
  }
}

function watchProblem(context: string, error: NodeJS.ErrnoException): string {
  const where = (error as { path?: string }).path ?? context;
  if (error.code === 'ENOSPC')
    return `the inotify watch limit is reached (fs.inotify.max_user_watches): changes in part of ${context} go unseen. Raise it (sudo sysctl fs.inotify.max_user_watches=524288) or .dockerignore big directories`;
  if (error.code === 'EACCES' || error.code === 'EPERM') return `cannot watch ${where} (permission denied): changes there go unseen`;
  return `watching ${where}: ${error.message}`;
}
