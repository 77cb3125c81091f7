// <NAME>_COMPOSE is checked when robots.env is read, before any robot is contacted.

/** What <NAME>_COMPOSE may be: an absolute file path on the robot, or a compose project name. */
export function composeSpecProblem(spec: string): string | undefined {
  if (spec.startsWith('/')) return /[\n\r,]/.test(spec) ? 'a compose file path may not contain a newline or a comma' : undefined;
  return /^[a-z0-9][a-z0-9_-]*$/.test(spec)
    ? undefined
    : 'is neither an absolute path of a compose file on the robot nor a compose project name (lower-case letters, digits, - and _)';
}
