import { crc32, inflateRawSync } from 'node:zlib';
import { ReportError } from './errors.js';

export interface ZipEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8_NAME = 0x800;
const ZIP64_MARKER = 0xffffffff;

function fail(message: string): never {
  throw new ReportError('LDG_REPORT_ARCHIVE', message);
}

export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === LOCAL_FILE_HEADER
  );
}

/** Names without the UTF-8 flag are in the archiver's code page: GBK for Alipay's Chinese names. */
function decodeName(bytes: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return new TextDecoder('utf-8').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}

/**
 * Reads the entries of a zip archive through its central directory (the authoritative list; local
 * headers may lack sizes when the archiver streamed). Stored and deflated entries only, no zip64,
 * no encryption: what Alipay's bill downloads are. Every entry's CRC-32 and size are checked.
 */
export function readZip(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (offset: number): number => view.getUint16(offset, true);
  const u32 = (offset: number): number => view.getUint32(offset, true);
  const inBounds = (offset: number, length: number): boolean =>
    offset >= 0 && offset + length <= bytes.length;

  // The end record is 22 bytes plus a comment of at most 65,535 bytes, so search backwards from there.
  let end = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 22 - 0xffff); offset -= 1) {
    if (u32(offset) === END_OF_CENTRAL_DIRECTORY) {
      end = offset;
      break;
    }
  }
  if (end === -1) fail('Not a zip archive (no end of central directory)');
  const count = u16(end + 10);
  const directorySize = u32(end + 12);
  let offset = u32(end + 16);
  if (directorySize === ZIP64_MARKER || offset === ZIP64_MARKER) fail('zip64 archives are not supported');
  if (!inBounds(offset, directorySize)) fail('The central directory lies outside the archive');

  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (!inBounds(offset, 46) || u32(offset) !== CENTRAL_DIRECTORY_ENTRY) fail('Corrupt central directory');
    const flags = u16(offset + 8);
    const method = u16(offset + 10);
    const checksum = u32(offset + 16);
    const compressedSize = u32(offset + 20);
    const size = u32(offset + 24);
    const nameLength = u16(offset + 28);
    const extraLength = u16(offset + 30);
    const commentLength = u16(offset + 32);
    const localOffset = u32(offset + 42);
    if (!inBounds(offset + 46, nameLength)) fail('Corrupt central directory');
    const name = decodeName(
      bytes.subarray(offset + 46, offset + 46 + nameLength),
      (flags & FLAG_UTF8_NAME) !== 0,
    );
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (flags & FLAG_ENCRYPTED) fail(`'${name}' is encrypted`);
    if (compressedSize === ZIP64_MARKER || size === ZIP64_MARKER) fail('zip64 archives are not supported');
    if (!inBounds(localOffset, 30) || u32(localOffset) !== LOCAL_FILE_HEADER) fail(`Corrupt entry '${name}'`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    if (!inBounds(dataStart, compressedSize)) fail(`Entry '${name}' is truncated`);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    let content: Uint8Array;
    if (method === STORED) content = data;
    else if (method === DEFLATED) {
      try {
        // The declared size bounds the output, so a forged entry cannot inflate without limit.
        content = inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
      } catch {
        fail(`Entry '${name}' does not inflate`);
      }
    } else fail(`Entry '${name}' uses compression method ${method}; only stored and deflated are read`);
    if (content.length !== size || crc32(content) !== checksum)
      fail(`Entry '${name}' fails its size or CRC check`);
    entries.push({ name, bytes: new Uint8Array(content.buffer, content.byteOffset, content.byteLength) });
  }
  return entries;
}
