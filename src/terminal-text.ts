// Guest UART text → terminal text. Pure, for test/extension-config.test.ts.

/**
 * A terminal needs "\r\n" where a guest writes "\n" (a real serial terminal has the same
 * problem; QEMU's -nographic turns on onlcr). `lastCR` carries a "\r" that ended the previous chunk
 * so "\r" + "\n" split across chunks is not doubled.
 */
export function toTerminal(text: string, lastCR: boolean): { out: string; lastCR: boolean } {
  let out = '';
  let cr = lastCR;
  for (const ch of text) {
    if (ch === '\n' && !cr) out += '\r';
    out += ch;
    cr = ch === '\r';
  }
  return { out, lastCR: cr };
}
