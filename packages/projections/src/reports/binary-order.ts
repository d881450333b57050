/**
 * SQLite's BINARY order of TEXT (its UTF-8 bytes), which is code point order: what
 * `ORDER BY <text column>` gives. JavaScript's `<` compares UTF-16 units instead, which differs
 * for characters above U+FFFF against U+E000–U+FFFF.
 */
export function byBinary(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}
