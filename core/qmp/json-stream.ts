// Splits a byte stream into JSON texts, as QEMU's QMP parser does: objects may span packets or
// share one, with or without newlines between them. Only objects and arrays are QMP messages;
// any other non-blank text is returned as is so the server can answer it with an error.
const BACKSLASH = 92, QUOTE = 34, OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93;

export class JsonStream {
  private buf = '';

  /** Feeds text; returns every complete top-level JSON text found so far. */
  push(text: string): string[] {
    this.buf += text;
    const out: string[] = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let start = -1;
    let consumed = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (depth === 0) {
        if (c === OPEN_BRACE || c === OPEN_BRACKET) { start = i; depth = 1; continue; }
        if (c <= 32) { consumed = i + 1; continue; }
        // Stray text outside any object: hand back the rest of the line as one bad message.
        const end = this.buf.indexOf('\n', i);
        if (end < 0) break;
        out.push(this.buf.slice(i, end));
        i = end;
        consumed = end + 1;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) { out.push(this.buf.slice(start, i + 1)); consumed = i + 1; start = -1; }
      }
    }
    this.buf = this.buf.slice(consumed);
    if (this.buf.length > 1 << 20) { this.buf = ''; out.push('<message too long>'); }
    return out;
  }
}
