// RAM images (core/snapshot/ram-image.ts) over their page pool (core/snapshot/page-pool.ts):
// random writes, captures, restores and releases against plain copies of RAM, with the
// store's byte count checked exactly and freed pages reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ram, PAGE_SIZE } from '../core/mem/ram';
import { RamImageStore, type RamImage } from '../core/snapshot/ram-image';
import { prng } from './helpers/prng';

const PAGES = 600; // more than two chunks of 256 pages, the last one partial
const CHUNK_COST = 256 * 8;

function write(ram: Ram, rnd: () => number): void {
  const page = rnd() % PAGES;
  const off = page * PAGE_SIZE + (rnd() % PAGE_SIZE);
  const len = Math.min(1 + (rnd() % 64), PAGES * PAGE_SIZE - off);
  // Zero sometimes, so that pages go back to all-zero (stored as nothing).
  const zero = rnd() % 4 === 0;
  for (let i = 0; i < len; i++) ram.u8[off + i] = zero ? 0 : rnd() & 0xff;
  ram.touchRange(off, len);
}

/** Bytes the store must charge: every distinct non-zero page held by a live image, plus chunk tables. */
function expectedBytes(live: Uint8Array[]): number {
  const pages = new Set<string>();
  for (const copy of live) {
    for (let p = 0; p < PAGES; p++) {
      const page = copy.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
      if (page.some((b) => b !== 0)) pages.add(`${p}:${Buffer.from(page).toString('base64')}`);
    }
  }
  return pages.size * PAGE_SIZE;
}

test('random captures, restores and releases give back RAM exactly; the byte count follows', () => {
  const rnd = prng(20261201);
  const ram = new Ram(0x80000000, PAGES * PAGE_SIZE);
  const store = new RamImageStore(ram);
  const held: { img: RamImage; copy: Uint8Array }[] = [];
  for (let step = 0; step < 400; step++) {
    const r = rnd() % 10;
    if (r < 5) {
      for (let n = rnd() % 20; n >= 0; n--) write(ram, rnd);
    } else if (r < 8 || held.length === 0) {
      held.push({ img: store.capture(), copy: ram.u8.slice() });
    } else if (r < 9) {
      const h = held[rnd() % held.length];
      store.restore(h.img);
      assert.ok(Buffer.from(ram.u8).equals(Buffer.from(h.copy)), `restore at step ${step}`);
      assert.ok(ram.dirty.every((d) => d === 0), 'a restore leaves RAM clean');
    } else {
      const [h] = held.splice(rnd() % held.length, 1);
      store.release(h.img);
    }
  }
  // Every image still held restores exactly, in any order.
  for (const h of [...held].reverse()) {
    store.restore(h.img);
    assert.ok(Buffer.from(ram.u8).equals(Buffer.from(h.copy)));
  }
  // Each distinct non-zero page content is charged at least once (copies taken at different
  // times are not merged, so this is a lower bound; the next test checks the exact count).
  const pageBytes = expectedBytes([...held.map((h) => h.copy), ram.u8.slice()]);
  assert.ok(store.bytes >= pageBytes, `${store.bytes} bytes charged, at least ${pageBytes} of pages`);
  for (const h of held) store.release(h.img);
  // Only the store's base (the image RAM now equals) is left.
  const nonZero = Array.from({ length: PAGES }, (_, p) => ram.u8.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE).some((b) => b !== 0)).filter(Boolean).length;
  assert.equal(store.bytes, nonZero * PAGE_SIZE + Math.ceil(PAGES / 256) * CHUNK_COST);
});

test('released images give their pages back: capturing and releasing in a loop does not grow the pool', () => {
  const rnd = prng(7);
  const ram = new Ram(0x80000000, PAGES * PAGE_SIZE);
  const store = new RamImageStore(ram);
  let prev: RamImage | undefined;
  let reservedAfterWarmUp = 0;
  for (let i = 0; i < 300; i++) {
    for (let n = 0; n < 30; n++) write(ram, rnd);
    const img = store.capture();
    if (prev !== undefined) store.release(prev);
    prev = img;
    if (i === 20) reservedAfterWarmUp = store.reservedBytes;
  }
  assert.ok(reservedAfterWarmUp > 0);
  // Two images live at most (the newest, and the one the store keeps as its base).
  assert.ok(store.reservedBytes <= 2 * reservedAfterWarmUp, `pool grew from ${reservedAfterWarmUp} to ${store.reservedBytes} bytes`);
  // After releasing the last image, only the base's pages are charged.
  store.release(prev!);
  const nonZero = Array.from({ length: PAGES }, (_, p) => ram.u8.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE).some((b) => b !== 0)).filter(Boolean).length;
  assert.equal(store.bytes - Math.ceil(PAGES / 256) * CHUNK_COST, nonZero * PAGE_SIZE);
});

test('pages() and fromPages() carry an image through a snapshot file unchanged', () => {
  const rnd = prng(99);
  const ram = new Ram(0x80000000, PAGES * PAGE_SIZE);
  const store = new RamImageStore(ram);
  for (let n = 0; n < 200; n++) write(ram, rnd);
  const want = ram.u8.slice();
  const pages = store.pages(store.capture()).map(([p, d]) => [p, d.slice()] as [number, Uint8Array]);
  assert.equal(RamImageStore.sizeOf(store.capture()), pages.length * PAGE_SIZE);
  const other = new RamImageStore(new Ram(0x80000000, PAGES * PAGE_SIZE));
  const img = other.fromPages(pages);
  const ram2 = new Ram(0x80000000, PAGES * PAGE_SIZE);
  const store2 = new RamImageStore(ram2);
  store2.restore(store2.fromPages(pages));
  assert.ok(Buffer.from(ram2.u8).equals(Buffer.from(want)));
  assert.equal(RamImageStore.sizeOf(img), pages.length * PAGE_SIZE);
});
