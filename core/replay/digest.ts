// A cheap digest of the hart's architectural state (FNV-1a over pc, privilege, mstatus and the
// registers). Every rrfile frame carries one, so a replay that goes astray is caught at the
// first event (or periodic digest) after it diverged, not by a silent hang.
export interface DigestSource { pc: number; priv: number; mstatus: number; x: Int32Array }

export function hartDigest(h: DigestSource): number {
  let d = 0x811c9dc5;
  d = Math.imul(d ^ (h.pc >>> 0), 0x01000193);
  d = Math.imul(d ^ h.priv, 0x01000193);
  d = Math.imul(d ^ h.mstatus, 0x01000193);
  const x = h.x;
  for (let i = 1; i < 32; i++) d = Math.imul(d ^ x[i], 0x01000193);
  return d >>> 0;
}
