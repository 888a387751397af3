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
    return { dataSet: parseOrRefuse(() => dicomParser.parseDicom(bytes, { TransferSyntaxUID: uid })), transferSyntax: lookupTransferSyntax(uid), hasFileMeta: false };
  }
  const meta = parseOrRefuse(() => dicomParser.readPart10Header(bytes));
  const uid = meta.string('x00020010');
  if (!uid) {
    // PS3.10 7.1 makes (0002,0010) Type 1: without it the dataset's byte order and VR encoding are guesses.
    throw new VigilError('VIGIL_VALIDATION', 'The DICOM file meta lacks the Transfer Syntax UID (0002,0010)', {
      details: { reason: 'missing-transfer-syntax' },
    });
  }
  const transferSyntax = lookupTransferSyntax(uid);
  const dataSet = parseOrRefuse(() => dicomParser.parseDicom(bytes, { inflater: boundedInflater(limits) }));
  return { dataSet, transferSyntax, hasFileMeta: true };
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
