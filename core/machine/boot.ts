// Boot as QEMU's `-M virt -bios none -kernel prog.elf`: the ELF's PT_LOAD segments go into RAM,
// and the hart starts at 0x1000 in the MROM, whose reset vector (the same six instructions QEMU
// writes) sets a0 = mhartid, a1 = the device-tree address, a2 = the fw_dynamic_info address,
// and jumps to the program's entry point in M-mode. Running QEMU's own reset code keeps the
// icount of every guest instruction identical to QEMU's.
export const MROM_BASE = 0x1000;
export const MROM_SIZE = 0xf000;
export const RESET_PC = MROM_BASE;

/**
 * Where QEMU places the device tree: 2 MiB-aligned below the end of RAM (capped at 3 GiB).
 * rvreplay does not generate a device tree yet, so a1 points at zeroed memory (no FDT magic);
 * guests that look for one see that it is absent.
 */
export function fdtAddress(ramBase: number, ramSize: number): number {
  const end = Math.min(ramBase + ramSize, 0xc0000000);
  const addr = Math.floor((end - 0x10000) / 0x200000) * 0x200000; // QEMU's DTB is < 64 KiB
  return addr >= ramBase ? addr : 0;
}

/** The MROM image: the reset vector, then QEMU's fw_dynamic_info (for OpenSBI-style firmware). */
export function resetVector(entry: number, fdtAddr: number): Uint8Array {
  const words = [
    0x00000297, //   auipc t0, 0          (t0 = 0x1000)
    0x02828613, //   addi  a2, t0, 40     (a2 = &fw_dynamic_info)
    0xf1402573, //   csrr  a0, mhartid
    0x0202a583, //   lw    a1, 32(t0)     (a1 = device-tree address)
    0x0182a283, //   lw    t0, 24(t0)     (t0 = entry point)
    0x00028067, //   jr    t0
    entry >>> 0, 0, // start address (64-bit slot)
    fdtAddr >>> 0, 0, // device-tree address (64-bit slot)
    // fw_dynamic_info: magic "OSBI", version 2, next_addr, next_mode (S), options, boot_hart
    0x4942534f, 2, entry >>> 0, 1, 0, 0,
  ];
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}
