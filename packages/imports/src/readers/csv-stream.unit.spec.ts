import { describe, expect, it } from 'vitest';
import { readCsvRecords } from './csv-stream.js';

async function records(chunks: Uint8Array[], encoding: 'auto' | 'utf-8' | 'gbk' = 'auto') {
  const all = [];
  for await (const record of readCsvRecords(
    (async function* () {
      yield* chunks;
    })(),
    { delimiter: ',', encoding },
  )) {
    all.push(record);
  }
  return all;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('streaming CSV', () => {
  it('keeps records and line numbers when a quoted cell spanning lines straddles a slice boundary', async () => {
    const filler = `${'x'.repeat(300 * 1024)}\n`;
    const text = `a,b\n"first\nsecond",2\n${filler}"tail\r\nmore",3\r\nend,4`;
    // Cut the bytes inside the quoted cell after the filler, and inside a multi-byte character elsewhere.
    const bytes = utf8(`${text}\n€,5\n`);
    const cut = bytes.indexOf(utf8('tail')[0]!, utf8(`a,b\n"first\nsecond",2\n${filler}`).length) + 3;
    const parsed = await records([
      bytes.subarray(0, cut),
      bytes.subarray(cut, bytes.length - 3),
      bytes.subarray(bytes.length - 3),
    ]);

    expect(parsed.map((r) => [r.line, r.fields[0]!.slice(0, 12), r.fields[1]])).toEqual([
      [1, 'a', 'b'],
      [2, 'first\nsecond', '2'],
      [4, 'xxxxxxxxxxxx', undefined],
      [5, 'tail\r\nmore', '3'],
      [7, 'end', '4'],
      [8, '€', '5'],
    ]);
  });

  it('reads GBK files, detected from their bytes', async () => {
    // "退款,1" in GBK.
    const gbk = new Uint8Array([0xcd, 0xcb, 0xbf, 0xee, 0x2c, 0x31, 0x0a]);
    expect((await records([gbk])).map((r) => r.fields)).toEqual([['退款', '1']]);
  });

  it('refuses an unterminated quote with its line', async () => {
    await expect(records([utf8('a,b\n1,"open\n2,3\n')])).rejects.toMatchObject({
      code: 'LDG_IMPORT_FILE_UNREADABLE',
      message: expect.stringContaining('line 2'),
    });
  });
});
