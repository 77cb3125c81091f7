/**
 * Work run before each robot step; empty in every product run. The end-to-end tests preload a module
 * (tests/e2e/support/hold-before-step.ts) that adds one parking a step, so a signal can land in it.
 */
export type StepHook = (step: string, signal: AbortSignal, show: (text: string) => void) => Promise<void>;

export const beforeRobotStep: StepHook[] = [];
