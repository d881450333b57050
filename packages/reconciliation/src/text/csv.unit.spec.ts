import { describe, expect, it } from 'vitest';
import { ReportError } from '../errors.js';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('splits plain records on LF, CRLF and CR alike', () => {
    const records = parseCsv('a,b\r\nc,d\ne,f\rg,h');
    expect(records.map((record) => record.fields)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 4]);
  });

  it('reads quoted fields with delimiters, escaped quotes and line breaks, and keeps line numbers', () => {
    const records = parseCsv('id,text\r\n1,"a, ""quoted""\r\nsecond line"\r\n2,plain\r\n');
    expect(records).toEqual([
      { fields: ['id', 'text'], line: 1 },
      { fields: ['1', 'a, "quoted"\r\nsecond line'], line: 2 },
      { fields: ['2', 'plain'], line: 4 },
    ]);
  });

  it('drops a leading BOM and keeps empty fields', () => {
    expect(parseCsv('\uFEFFa,,c\n,\n').map((record) => record.fields)).toEqual([
      ['a', '', 'c'],
      ['', ''],
    ]);
  });

  it('keeps a quote in the middle of a field literally', () => {
    expect(parseCsv('5" screen,x')[0]?.fields).toEqual(['5" screen', 'x']);
  });

  it('takes another delimiter', () => {
    expect(parseCsv('a;"b;c"', { delimiter: ';' })[0]?.fields).toEqual(['a', 'b;c']);
  });

  it('refuses an unterminated quote with the line it opened on', () => {
    const attempt = () => parseCsv('a\n"never closed\nb');
    expect(attempt).toThrow(ReportError);
    expect(attempt).toThrow(/line 2/);
  });
});
