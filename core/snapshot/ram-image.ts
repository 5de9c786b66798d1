// RAM images that share unchanged pages. A RamImage is a two-level tree over RAM's 4 KiB
// pages (chunks of 256 pages); capturing RAM copies only the pages written since the image RAM
// was last synchronised with, and reuses every other page and every unchanged chunk of the
// previous image. Restoring compares page references with the image RAM currently matches, so
// it copies only pages that differ. Reference counts make the store's byte count exact, so a
// memory budget can be enforced. Page contents live in a PagePool (slabs, pages by number).
import { PAGE_SHIFT, PAGE_SIZE, type Ram } from '../mem/ram';
import { PagePool, ZERO_PAGE } from './page-pool';

const CHUNK_PAGES = 256;
/** Bytes charged for a chunk's table of page references. */
const CHUNK_COST = CHUNK_PAGES * 8;

/** A 4 KiB page of content: its id in the store's PagePool; ZERO_PAGE is all zero and costs nothing. */
type Page = number;

interface Chunk { pages: Int32Array; refs: number }

export interface RamImage {
  readonly chunks: readonly Chunk[];
  /** Set once the image is released: using it afterwards is a bug. */
  released: boolean;
}

export class RamImageStore {
  /** Live bytes held by all images (page contents plus chunk tables). */
  bytes = 0;
  private readonly pool = new PagePool();
  /** The image RAM equals, except for the pages in ram.dirty. The store holds its own reference
   *  to the base's chunks, so a snapshot released by its owner can still serve as the base. */
  private base: RamImage | undefined;

  constructor(private readonly ram: Ram) {}

  /** Bytes of page memory allocated, in use or free for reuse (see PagePool). */
  get reservedBytes(): number {
    return this.pool.reservedBytes;
  }

  private get chunkCount(): number {
    return Math.ceil((this.ram.size >>> PAGE_SHIFT) / CHUNK_PAGES);
  }

  /** Captures RAM; the result shares every page not written since the last capture or restore. */
  capture(): RamImage {
    const ram = this.ram;
    const pageCount = ram.size >>> PAGE_SHIFT;
    const prev = this.base;
    const chunks: Chunk[] = [];
    for (let c = 0; c < this.chunkCount; c++) {
      const first = c * CHUNK_PAGES;
      const last = Math.min(first + CHUNK_PAGES, pageCount);
      const old = prev?.chunks[c];
      let changed = old === undefined;
      if (!changed) for (let p = first; p < last; p++) if (ram.dirty[p]) { changed = true; break; }
      if (!changed) {
        old!.refs++;
        chunks.push(old!);
        continue;
      }
      const pages = new Int32Array(last - first);
      for (let p = first; p < last; p++) {
        // Not written since the last capture or restore: the page of that image; before the
        // first one, since RAM was created: zero. (Not reading those pages matters: the first
        // snapshot of a launch would otherwise read all of RAM, 128 MiB of memory the OS has
        // not mapped yet, 0.4 s of page faults on a virtual machine.)
        const page = ram.dirty[p] ? this.copyPage(p) : old !== undefined ? old.pages[p - first] : ZERO_PAGE;
        this.refPage(page);
        pages[p - first] = page;
      }
      this.bytes += CHUNK_COST;
      chunks.push({ pages, refs: 1 });
    }
    const img: RamImage = { chunks, released: false };
    this.setBase(img);
    ram.clearDirty();
    return img;
  }

  /** Makes RAM equal to `img`, copying only the pages that differ. */
  restore(img: RamImage): void {
    if (img.released) throw new Error('restoring a released RAM image');
    const ram = this.ram;
    const pageCount = ram.size >>> PAGE_SHIFT;
    const base = this.base;
    for (let c = 0; c < img.chunks.length; c++) {
      const chunk = img.chunks[c];
      const cur = base?.chunks[c];
      const first = c * CHUNK_PAGES;
      const last = Math.min(first + CHUNK_PAGES, pageCount);
      const sameChunk = cur === chunk;
      for (let p = first; p < last; p++) {
        const want = chunk.pages[p - first];
        if (sameChunk && !ram.dirty[p]) continue;
        if (!ram.dirty[p] && cur !== undefined && cur.pages[p - first] === want) continue;
        const off = p << PAGE_SHIFT;
        if (want === ZERO_PAGE) ram.u8.fill(0, off, off + PAGE_SIZE);
        else ram.u8.set(this.pool.view(want), off);
        ram.touch(off, PAGE_SIZE); // drops decoded instructions of the page
      }
    }
    this.setBase(img);
    ram.clearDirty();
  }

  private setBase(img: RamImage): void {
    for (const c of img.chunks) c.refs++;
    if (this.base !== undefined) this.unrefChunks(this.base);
    this.base = img;
  }

  /** Frees what only `img` holds. */
  release(img: RamImage): void {
    if (img.released) return;
    img.released = true;
    this.unrefChunks(img);
  }

  private unrefChunks(img: RamImage): void {
    for (const chunk of img.chunks) {
      if (--chunk.refs > 0) continue;
      this.bytes -= CHUNK_COST;
      for (const page of chunk.pages) this.unrefPage(page);
    }
  }

  /** Bytes an image would take on its own (every non-zero page), for vm-state-size. */
  static sizeOf(img: RamImage): number {
    let n = 0;
    for (const c of img.chunks) for (const p of c.pages) if (p !== ZERO_PAGE) n += PAGE_SIZE;
    return n;
  }

  /** The image's non-zero pages as (page number, contents), for writing a snapshot file at once (the contents are views of the pool, valid until the next capture or release). */
  pages(img: RamImage): [number, Uint8Array][] {
    const out: [number, Uint8Array][] = [];
    img.chunks.forEach((c, ci) => c.pages.forEach((p, i) => { if (p !== ZERO_PAGE) out.push([ci * CHUNK_PAGES + i, this.pool.view(p)]); }));
    return out;
  }

  /** Builds an image from (page number, contents) pairs, e.g. read from a snapshot file. */
  fromPages(pages: [number, Uint8Array][]): RamImage {
    const pageCount = this.ram.size >>> PAGE_SHIFT;
    const byIndex = new Map(pages);
    const chunks: Chunk[] = [];
    for (let c = 0; c < this.chunkCount; c++) {
      const first = c * CHUNK_PAGES;
      const last = Math.min(first + CHUNK_PAGES, pageCount);
      const ps = new Int32Array(last - first);
      for (let p = first; p < last; p++) {
        const data = byIndex.get(p);
        if (data !== undefined && data.length !== PAGE_SIZE) throw new Error(`snapshot page ${p}: ${data.length} bytes, not ${PAGE_SIZE}`);
        const page = data === undefined || isZero(data) ? ZERO_PAGE : this.pool.add(data);
        this.refPage(page);
        ps[p - first] = page;
      }
      this.bytes += CHUNK_COST;
      chunks.push({ pages: ps, refs: 1 });
    }
    return { chunks, released: false };
  }

  private copyPage(p: number): Page {
    const off = p << PAGE_SHIFT;
    const src = this.ram.u8.subarray(off, off + PAGE_SIZE);
    return isZero(src) ? ZERO_PAGE : this.pool.add(src);
  }

  private refPage(page: Page): void {
    if (this.pool.ref(page)) this.bytes += PAGE_SIZE;
  }

  private unrefPage(page: Page): void {
    if (this.pool.unref(page)) this.bytes -= PAGE_SIZE;
  }
}

/** All zero: a page of RAM (aligned: a word at a time) or of a snapshot file (maybe not). */
function isZero(b: Uint8Array): boolean {
  if ((b.byteOffset & 3) !== 0) return b.every((x) => x === 0);
  const w = new Int32Array(b.buffer, b.byteOffset, b.length >>> 2);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}
