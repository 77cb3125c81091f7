import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
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

/**
 * Watches the build context with chokidar (Node 20's recursive fs.watch misses events on Linux),
 * and reports changes once nothing has changed for `debounceMs`: an editor's save is several events.
 */
export function watchContext(
  context: string,
  onBatch: (batch: ChangeBatch) => void,
  ownFiles: readonly string[] = [],
  debounceMs = 50,
): ContextWatcher {
  const filter = new ContextFilter(context, ownFiles);
  const watcher: FSWatcher = watch(context, {
    ignoreInitial: true,
    ignored: (path, stats) => filter.excludes(path, stats?.isFile()),
  });
  let pending: ChangeBatch | undefined;
  let timer: NodeJS.Timeout | undefined;
  watcher.on('all', (_event, path) => {
    if (relative(context, path) === '.dockerignore') filter.reload();
    pending ??= { firstAt: performance.now(), paths: [] };
    if (!pending.paths.includes(path)) pending.paths.push(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = pending;
      pending = undefined;
      if (batch) onBatch(batch);
    }, debounceMs);
  });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
