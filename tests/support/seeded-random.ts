// Random test inputs from a seed, so every run and every OS sees the same bytes and a failure can be repeated.
// The default seed is fixed; RD_TEST_SEED=<any text> tries other inputs. A failing file prints its seed.
import { type Cipher, createCipheriv, createHash } from 'node:crypto';

export const TEST_SEED = process.env.RD_TEST_SEED ?? 'robot-deploy';

let reported = false;

/** Bytes of a keystream (AES-256-CTR keyed by the seed and `label`): one generator per use, independent of the order tests run in. */
export class SeededRandom {
  private readonly stream: Cipher;

  constructor(label: string) {
    const key = createHash('sha256').update(`${TEST_SEED}\0${label}`).digest();
    this.stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    if (!reported) {
      reported = true;
      // node:test sets the exit code of a test file with a failing test; the seed then tells how to repeat it.
      process.on('exit', (code) => {
        if (code !== 0) console.error(`# random test inputs came from RD_TEST_SEED=${JSON.stringify(TEST_SEED)}; set it to repeat them`);
      });
    }
  }

  bytes(length: number): Buffer {
    return this.stream.update(Buffer.alloc(length));
  }
}
