// esbuild's binary loader turns `import x from 'file.elf'` into the file's bytes (bundled example).
declare module '*.elf' {
  const bytes: Uint8Array;
  export default bytes;
}
