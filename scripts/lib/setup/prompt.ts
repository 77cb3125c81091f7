import { createInterface } from 'node:readline';

export const canPrompt = (): boolean => Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;

/**
 * Ctrl-C at a prompt is the same Ctrl-C as anywhere else: runMain's handler tears down and exits 130.
 * (A terminal in raw mode turns Ctrl-C into a keystroke, so it is handed to the SIGINT handlers at once.)
 */
const interrupt = (): void => void process.emit('SIGINT', 'SIGINT');

/** Asks on the terminal and echoes what is typed. */
export function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  rl.on('SIGINT', () => {
    rl.close();
    interrupt();
  });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
  });
}

/**
 * Asks for a password without echoing anything: not the text, not a mask, and not on the line
 * redraws that Backspace, the arrow keys or Ctrl-L cause (the readline trick this replaces did).
 */
export async function askHidden(question: string): Promise<string> {
  const { default: password } = await import('@inquirer/password');
  try {
    return await password({ message: question.replace(/:\s*$/, '') }, { input: process.stdin, output: process.stderr });
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') interrupt();
    return new Promise<string>(() => undefined);
  }
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
