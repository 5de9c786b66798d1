// The page copies of RAM images, packed into 1 MiB slabs and named by number. Tens of
// thousands of pages live at once on a long recording; as one Uint8Array each (an object plus
// an off-heap backing store apiece) they made V8's young-generation collections track every
// buffer and start extra ones under "external memory pressure": pauses of 10 ms and more that
// landed inside step backs. A slab is one buffer for 256 pages, a page is a number, and
// reference counts live in one Int32Array.
import { PAGE_SIZE } from '../mem/ram';

/** The all-zero page: costs nothing and is never stored. */
export const ZERO_PAGE = 0;

const SLAB_PAGES = 256;

export class PagePool {
  private readonly slabs: Uint8Array[] = [];
  /** Reference count per page id (index 0, the zero page, unused). */
  private refs = new Int32Array(SLAB_PAGES);
  /** Ids of pages no image refers to, ready for reuse. */
  private readonly free: number[] = [];
  /** Ids handed out so far (the next fresh id). */
  private next = 1;

  /** A new page holding a copy of `src` (PAGE_SIZE bytes), with no references yet. */
  add(src: Uint8Array): number {
    const id = this.free.length > 0 ? this.free.pop()! : this.fresh();
    const slab = this.slabs[Math.floor(id / SLAB_PAGES)];
    slab.set(src, (id % SLAB_PAGES) * PAGE_SIZE);
    return id;
  }

  private fresh(): number {
    const id = this.next++;
    if (id >= this.slabs.length * SLAB_PAGES) this.slabs.push(new Uint8Array(SLAB_PAGES * PAGE_SIZE));
    if (id >= this.refs.length) {
      const grown = new Int32Array(this.refs.length * 2);
      grown.set(this.refs);
      this.refs = grown;
    }
    return id;
  }

  /** The contents of page `id` (a view into its slab: read it, do not keep it). */
  view(id: number): Uint8Array {
    const off = (id % SLAB_PAGES) * PAGE_SIZE;
    return this.slabs[Math.floor(id / SLAB_PAGES)].subarray(off, off + PAGE_SIZE);
  }

  /** Adds a reference; true when it is the page's first. */
  ref(id: number): boolean {
    if (id === ZERO_PAGE) return false;
    return this.refs[id]++ === 0;
  }

  /** Drops a reference; true when it was the last (the page is then free for reuse). */
  unref(id: number): boolean {
    if (id === ZERO_PAGE) return false;
    if (--this.refs[id] !== 0) return false;
    this.free.push(id);
    return true;
  }

  /** Bytes of slab memory allocated (live pages, free pages and unused tail). */
  get reservedBytes(): number {
    return this.slabs.length * SLAB_PAGES * PAGE_SIZE;
  }
}
