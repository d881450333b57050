import { ReportError } from '../errors.js';

/** `auto`: UTF-8 (with or without BOM) when the bytes are valid UTF-8, GBK otherwise. */
export type ReportEncoding = 'auto' | 'utf-8' | 'gbk';

export interface DecodedText {
  readonly text: string;
  readonly encoding: 'utf-8' | 'gbk';
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return UTF8_BOM.every((byte, index) => bytes[index] === byte);
}

function decodeStrict(bytes: Uint8Array, encoding: 'utf-8' | 'gbk'): string {
  try {
    // ignoreBOM keeps a BOM in the text so that it can be removed explicitly below for both paths.
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ReportError('LDG_REPORT_ENCODING', `The report is not valid ${encoding} text`);
  }
}

/**
 * Decodes a report's bytes. Valid UTF-8 is never GBK in practice for these reports (GBK Chinese
 * text is almost never a valid UTF-8 sequence), so the fallback order is safe.
 */
export function decodeReport(bytes: Uint8Array, encoding: ReportEncoding = 'auto'): DecodedText {
  if (encoding === 'gbk') return { text: decodeStrict(bytes, 'gbk'), encoding };
  if (encoding === 'utf-8' || hasUtf8Bom(bytes)) {
    return { text: decodeStrict(bytes, 'utf-8').replace(/^\uFEFF/, ''), encoding: 'utf-8' };
  }
  try {
    return { text: decodeStrict(bytes, 'utf-8'), encoding: 'utf-8' };
  } catch {
    return { text: decodeStrict(bytes, 'gbk'), encoding: 'gbk' };
  }
}
