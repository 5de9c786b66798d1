// Guest RAM: one contiguous buffer with typed views for the interpreter's aligned fast paths,
// split into 4 KiB pages whose state drives dirty tracking (for snapshots) and invalidation of
// decoded instructions (for self-modifying code).

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/**
 * Page states, one byte per page. A store's fast path only checks `state === PAGE_DIRTY`;
 * anything else goes through `touch()`, which marks the page dirty and, when the page holds
 * decoded instructions, drops the ones the store overwrote. So stores cost one byte compare in
 * the common case. A code page stays PAGE_CODE when written: code and data often share a page
 * (small programs put .bss right after .text), and only the overwritten instructions must go.
 * A page holding a write watchpoint never becomes PAGE_DIRTY either (see setWriteWatch).
 */
export const PAGE_CLEAN = 0;
export const PAGE_DIRTY = 1;
export const PAGE_CODE = 2;

export class Ram {
  readonly base: number;
  readonly size: number;
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  /** PAGE_CLEAN / PAGE_DIRTY / PAGE_CODE per page. */
  readonly pageState: Uint8Array;
  /**
   * 1 for every page written since the last `clearDirty()` (code pages included). Every write
   * into RAM from outside the hart's stores goes through touch()/touchRange(), so a page never
   * marked still holds what it held at the last clearDirty() (zero before the first): RAM
   * images rely on that (core/snapshot/ram-image.ts).
   */
  readonly dirty: Uint8Array;
  /** Called with the RAM offset and size of a store that hit a page holding decoded code. */
  onCodeWrite: (off: number, size: number) => void = () => {};
  /**
   * 1 for pages holding a write watchpoint (see Hart.setWatchpoints and setWriteWatch). Such a
   * page never becomes PAGE_DIRTY, so every store into it reaches touch(), which then calls
   * onWatchedWrite; translated code leaves the region before a store into it.
   */
  readonly watchWrite: Uint8Array;
  /** Called with the RAM offset and size of every write (any path through touch) into a watched page. */
  onWatchedWrite: (off: number, size: number) => void = () => {};

  constructor(base: number, size: number) {
    if (size <= 0 || size % PAGE_SIZE !== 0) throw new Error(`RAM size must be a positive multiple of 4 KiB, got ${size}`);
    this.base = base >>> 0;
    this.size = size;
    this.buffer = new ArrayBuffer(size);
    this.u8 = new Uint8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.pageState = new Uint8Array(size >>> PAGE_SHIFT);
    this.dirty = new Uint8Array(size >>> PAGE_SHIFT);
    this.watchWrite = new Uint8Array(size >>> PAGE_SHIFT);
  }

  /** Slow half of a store of `size` bytes at RAM offset `off` (one page): the page was not plain dirty. */
  touch(off: number, size: number): void {
    const page = off >>> PAGE_SHIFT;
    this.dirty[page] = 1;
    if (this.pageState[page] === PAGE_CODE) this.onCodeWrite(off, size);
    else if (this.watchWrite[page] === 0) this.pageState[page] = PAGE_DIRTY;
    if (this.watchWrite[page] !== 0) this.onWatchedWrite(off, size);
  }

  /**
   * Flags a page as holding a write watchpoint (or lifts that). A flagged page is kept out of
   * PAGE_DIRTY (`dirty` still records the write), so every store's page-state check sends it
   * through touch().
   */
  setWriteWatch(page: number, on: boolean): void {
    this.watchWrite[page] = on ? 1 : 0;
    if (on && this.pageState[page] === PAGE_DIRTY) this.pageState[page] = PAGE_CLEAN;
  }

  /** Marks [off, off+len) written (for stores that bypass the fast path). */
  touchRange(off: number, len: number): void {
    if (len <= 0) return;
    const last = (off + len - 1) >>> PAGE_SHIFT;
    for (let p = off >>> PAGE_SHIFT; p <= last; p++) {
      if (this.pageState[p] === PAGE_DIRTY) continue;
      const start = Math.max(off, p << PAGE_SHIFT);
      const end = Math.min(off + len, (p + 1) << PAGE_SHIFT);
      this.touch(start, end - start);
    }
  }

  markCode(page: number): void {
    this.pageState[page] = PAGE_CODE;
  }

  /** Forgets which pages were written (the snapshot layer calls this after saving them). */
  clearDirty(): void {
    this.dirty.fill(0);
    for (let p = 0; p < this.pageState.length; p++) if (this.pageState[p] === PAGE_DIRTY) this.pageState[p] = PAGE_CLEAN;
  }
}
