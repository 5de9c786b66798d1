// .debug_abbrev: the per-unit tables that say which attributes (and in which forms) each DIE has.
import { FORM } from './constants';
import { Reader, hex } from './reader';

export interface AbbrevAttr {
  name: number;
  form: number;
  /** The value of a DW_FORM_implicit_const attribute, stored here instead of in the DIE. */
  implicitConst: number;
}

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  attrs: AbbrevAttr[];
}

export function parseAbbrevTable(section: Reader, offset: number): Map<number, Abbrev> {
  if (offset >= section.length) section.fail(`abbreviation table offset ${hex(offset)} is past the end of the section`, 0);
  const r: Reader = section.slice(offset, section.length);
  const table = new Map<number, Abbrev>();
  for (;;) {
    const at = r.pos;
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const children = r.u8();
    if (children > 1) r.fail(`abbreviation ${code}: children flag ${children}, expected 0 or 1`, r.pos - 1);
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      const implicitConst = form === FORM.implicit_const ? r.sleb() : 0;
      attrs.push({ name, form, implicitConst });
    }
    // Duplicate codes would make DIE decoding depend on which one wins; real producers never
    // emit them, so they mark corruption.
    if (table.has(code)) r.fail(`duplicate abbreviation code ${code}`, at);
    table.set(code, { code, tag, hasChildren: children === 1, attrs });
  }
  return table;
}
