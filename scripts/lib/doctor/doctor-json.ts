import type { CheckRow, Verdict } from './table.ts';

/** Bumped only when a field is removed or changes meaning; new fields may appear within a version. */
export const DOCTOR_JSON_VERSION = 1;

export interface DoctorJson {
  schema: 'robot-deploy.doctor';
  version: typeof DOCTOR_JSON_VERSION;
  ok: boolean;
  failed: number;
  checks: { scope: string; check: string; verdict: Verdict; detail: string; fix: string | null }[];
}

/** doctor.ts --json: one entry per table row, in the table's order; scope is "laptop" or a robot name. */
export function doctorJson(rows: readonly CheckRow[]): DoctorJson {
  const failed = rows.filter((r) => r.verdict === 'fail').length;
  return {
    schema: 'robot-deploy.doctor',
    version: DOCTOR_JSON_VERSION,
    ok: failed === 0,
    failed,
    checks: rows.map((r) => ({
      scope: r.scope,
      check: r.check,
      verdict: r.verdict,
      detail: r.detail,
      fix: r.fix ?? null,
    })),
  };
}
