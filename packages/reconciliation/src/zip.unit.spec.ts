import { describe, expect, it } from 'vitest';
import { ReportError } from './errors.js';
import { encodeGbk } from './fixtures/gbk.js';
import { writeZip } from './fixtures/zip-writer.js';
import { isZip, readZip } from './zip.js';

const content = new TextEncoder().encode('a,b\n1,2\n'.repeat(50));

describe('readZip', () => {
  it('reads stored and deflated entries with UTF-8 and GBK names', () => {
    const zip = writeZip([
      { name: 'stored.csv', bytes: content, method: 'stored' },
      { name: '业务明细.csv', bytes: content, method: 'deflated', nameEncoding: 'gbk' },
    ]);
    expect(isZip(zip)).toBe(true);
    const entries = readZip(zip);
    expect(entries.map((entry) => entry.name)).toEqual(['stored.csv', '业务明细.csv']);
    for (const entry of entries) expect(entry.bytes).toEqual(content);
  });

  it('refuses bytes that are not a zip', () => {
    expect(isZip(encodeGbk('#支付宝'))).toBe(false);
    expect(() => readZip(new TextEncoder().encode('not a zip at all, just text'))).toThrow(ReportError);
  });

  it('refuses an entry whose content was altered', () => {
    const zip = writeZip([{ name: 'a.csv', bytes: content, method: 'stored' }]);
    const tampered = zip.slice();
    const at = 30 + 'a.csv'.length;
    tampered[at] = tampered[at]! ^ 0xff;
    expect(() => readZip(tampered)).toThrow(/CRC/);
  });

  it('refuses an encrypted entry', () => {
    const zip = writeZip([{ name: 'a.csv', bytes: content, method: 'stored' }]);
    const encrypted = zip.slice();
    const view = new DataView(encrypted.buffer);
    const central = encrypted.length - 22 - (46 + 'a.csv'.length);
    view.setUint16(central + 8, view.getUint16(central + 8, true) | 1, true);
    expect(() => readZip(encrypted)).toThrow(/encrypted/);
  });
});
