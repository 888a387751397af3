import { inflateRawSync } from 'node:zlib';
import * as dicomParser from 'dicom-parser';
import { VigilError, isVigilError } from '../errors/vigil-error';
import { bareDicomTransferSyntax, hasPart10Prefix } from './detect-type';
import type { ImageLimits } from './image-limits';
import { lookupTransferSyntax, type TransferSyntax } from './dicom-transfer-syntax';

export interface ParsedDicom {
  dataSet: dicomParser.DataSet;
  transferSyntax: TransferSyntax;
  /** False for a bare dataset without preamble and file meta; its syntax was inferred from the bytes. */
  hasFileMeta: boolean;
}

/**
 * Parses a DICOM Part 10 file (or a bare little-endian dataset) with dicom-parser, which keeps
 * element offsets into the received bytes instead of copying values. The file meta is read first so
 * that an unknown transfer syntax is refused by name (415) before its dataset is misread as
 * something else.
 */
export function parseDicomBytes(bytes: Uint8Array, limits: ImageLimits): ParsedDicom {
  if (!hasPart10Prefix(bytes)) {
    const uid = bareDicomTransferSyntax(bytes);
    if (!uid) throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', 'The bytes are not a DICOM Part 10 file');
    const bare = parseOrRefuse(() => dicomParser.parseDicom(bytes, { TransferSyntaxUID: uid }));
    assertWithinBytes(bare);
    return { dataSet: bare, transferSyntax: lookupTransferSyntax(uid), hasFileMeta: false };
  }
  const meta = parseOrRefuse(() => dicomParser.readPart10Header(bytes));
  // Values are read lazily, so a lying length throws (a string) here, not in readPart10Header.
  const uid = parseOrRefuse(() => meta.string('x00020010'));
  if (!uid) {
    // PS3.10 7.1 makes (0002,0010) Type 1: without it the dataset's byte order and VR encoding are guesses.
    throw new VigilError('VIGIL_VALIDATION', 'The DICOM file meta lacks the Transfer Syntax UID (0002,0010)', {
      details: { reason: 'missing-transfer-syntax' },
    });
  }
  const transferSyntax = lookupTransferSyntax(uid);
  const dataSet = parseOrRefuse(() => dicomParser.parseDicom(bytes, { inflater: boundedInflater(limits) }));
  assertWithinBytes(dataSet);
  return { dataSet, transferSyntax, hasFileMeta: true };
}

/**
 * dicom-parser checks explicit-VR datasets for overrun but not implicit ones: there a (7FE0,0010)
 * length of 0x7FFFFFF0 in a 1 MB file was accepted, and de-identification then wrote (and hashed)
 * a 2 GB object for two minutes on the event loop. Every element, in sequences too, must end
 * inside the bytes received.
 */
function assertWithinBytes(dataSet: dicomParser.DataSet, size = dataSet.byteArray.length): void {
  for (const element of Object.values(dataSet.elements)) {
    if (!element.hadUndefinedLength && element.dataOffset + element.length > size) {
      const tag = `(${element.tag.slice(1, 5)},${element.tag.slice(5)})`.toUpperCase();
      throw new VigilError('VIGIL_VALIDATION', `The DICOM file is truncated or lies about a length: element ${tag} claims ${element.length} bytes, ${Math.max(0, size - element.dataOffset)} remain`, {
        details: { reason: 'truncated', tag },
      });
    }
    for (const item of element.items ?? []) if (item.dataSet) assertWithinBytes(item.dataSet, size);
  }
}

/**
 * Deflated Explicit VR Little Endian is zlib after the file meta; a few kilobytes of it can inflate
 * to gigabytes, so inflation stops at what the largest acceptable image could need.
 */
function boundedInflater(limits: ImageLimits) {
  // 6 bytes a pixel covers 3 samples of 16 bits; maxBytes covers the rest of the dataset.
  const maxOutputLength = limits.maxBytes + limits.maxPixels * 6;
  return (byteArray: Uint8Array, position: number): Uint8Array => {
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(byteArray.subarray(position), { maxOutputLength });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new VigilError('VIGIL_PAYLOAD_TOO_LARGE', `The deflated DICOM dataset inflates past ${maxOutputLength} bytes`, { cause: err });
      }
      throw new VigilError('VIGIL_VALIDATION', `The deflated DICOM dataset is corrupt: ${(err as Error).message}`, { cause: err });
    }
    const whole = new Uint8Array(position + inflated.length);
    whole.set(byteArray.subarray(0, position));
    whole.set(inflated, position);
    return whole;
  };
}

function parseOrRefuse<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (isVigilError(err)) throw err;
    // dicom-parser throws strings, Errors, or { exception, dataSet } with what it parsed so far.
    const message = typeof err === 'string' ? err : err instanceof Error ? err.message : String((err as { exception?: unknown }).exception ?? err);
    const truncated = /buffer overrun|beyond the end|past end|premature/i.test(message);
    throw new VigilError(
      'VIGIL_VALIDATION',
      truncated ? 'The DICOM file is truncated: an element runs past the end of the data' : `The DICOM file is malformed: ${message}`,
      { details: { reason: truncated ? 'truncated' : 'malformed', parser: message }, cause: err },
    );
  }
}
