export type Verdict = 'ok' | 'warn' | 'fail';

export interface CheckRow {
  scope: string;
  check: string;
  verdict: Verdict;
  detail: string;
  /** What to do; required for every failing row. */
  fix?: string;
}

const MARK: Record<Verdict, string> = { ok: '✔', warn: '!', fail: '✖' };

export function formatTable(rows: readonly CheckRow[]): string {
  const scope = Math.max(...rows.map((r) => r.scope.length));
  const check = Math.max(...rows.map((r) => r.check.length));
  return rows
    .map((r) => {
      const line = `${MARK[r.verdict]} ${r.scope.padEnd(scope)}  ${r.check.padEnd(check)}  ${r.detail}`;
      return r.fix && r.verdict !== 'ok' ? `${line}\n  ${' '.repeat(scope + check + 2)}fix: ${r.fix}` : line;
    })
    .join('\n');
}
