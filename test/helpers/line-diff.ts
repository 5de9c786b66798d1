// A small line diff (LCS) that returns the hunks where two texts differ, for tests that compare
// our output with a reference and allow a documented list of differences.
export interface Hunk { removed: string[]; added: string[] }

export function diffLines(a: string[], b: string[]): Hunk[] {
  const n = a.length, m = b.length;
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) {
    lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const hunks: Hunk[] = [];
  let cur: Hunk | undefined;
  let i = 0, j = 0;
  const flush = (): void => { if (cur) { hunks.push(cur); cur = undefined; } };
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { flush(); i++; j++; continue; }
    cur ??= { removed: [], added: [] };
    // On ties remove first, as GNU diff does: a changed run then reads as one hunk.
    if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) cur.removed.push(a[i++]);
    else cur.added.push(b[j++]);
  }
  flush();
  return hunks;
}
