import { createInterface } from 'node:readline';

export const canPrompt = (): boolean => Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;

/** Asks on the terminal; with `hidden`, typed characters are not echoed (passwords). */
export function ask(question: string, hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    const internal = rl as unknown as { _writeToOutput: (text: string) => void; output: NodeJS.WritableStream };
    internal._writeToOutput = (text: string) => {
      if (text.includes(question)) internal.output.write(text);
    };
  }
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/** OpenSSH's first-contact question, for setup.ts on a terminal. */
export async function confirmHostKey(robot: string, address: string, fingerprint: string, type: string): Promise<boolean> {
  process.stderr.write(`The authenticity of host '${robot} (${address})' can't be established.\n`);
  process.stderr.write(`${type.replace(/^ssh-/, '').toUpperCase()} key fingerprint is ${fingerprint}.\n`);
  for (;;) {
    const answer = (await ask('Are you sure you want to continue connecting (yes/no)? ')).trim().toLowerCase();
    if (answer === 'yes' || answer === 'no') return answer === 'yes';
  }
}
