import { VigilError } from '../errors/vigil-error';

/** Which installed decoder handles an encapsulated transfer syntax; absent when none can. */
export type FrameCodec = 'rle' | 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'uncompressed';

export interface TransferSyntax {
  uid: string;
  name: string;
  /** Native pixel data is one byte stream; encapsulated pixel data is fragments of codestreams (PS3.5 A.4). */
  encapsulated: boolean;
  bigEndian?: boolean;
  deflated?: boolean;
  codec?: FrameCodec;
}

const ts = (uid: string, name: string, rest: Omit<TransferSyntax, 'uid' | 'name'>): TransferSyntax => ({ uid, name, ...rest });
const P = '1.2.840.10008.1.2';

/**
 * PS3.6 Table A-1 transfer syntaxes. Those without a codec are known by name only, so that a
 * refusal names what the sender used: 12-bit JPEG Extended, JPEG 2000 Part 2, HTJ2K, JPEG XL and
 * the video syntaxes have no decoder among the installed packages (see FrameCodec).
 */
export const TRANSFER_SYNTAXES: ReadonlyMap<string, TransferSyntax> = new Map(
  [
    ts(`${P}`, 'Implicit VR Little Endian', { encapsulated: false }),
    ts(`${P}.1`, 'Explicit VR Little Endian', { encapsulated: false }),
    ts(`${P}.1.98`, 'Encapsulated Uncompressed Explicit VR Little Endian', { encapsulated: true, codec: 'uncompressed' }),
    ts(`${P}.1.99`, 'Deflated Explicit VR Little Endian', { encapsulated: false, deflated: true }),
    ts(`${P}.2`, 'Explicit VR Big Endian (retired)', { encapsulated: false, bigEndian: true }),
    ts(`${P}.4.50`, 'JPEG Baseline (Process 1)', { encapsulated: true, codec: 'jpeg' }),
    // Process 2 & 4 allow 12-bit samples, which the 8-bit libjpeg-turbo build refuses (checked per frame).
    ts(`${P}.4.51`, 'JPEG Extended (Process 2 & 4)', { encapsulated: true, codec: 'jpeg' }),
    ts(`${P}.4.57`, 'JPEG Lossless, Non-Hierarchical (Process 14)', { encapsulated: true, codec: 'jpeg-lossless' }),
    ts(`${P}.4.70`, 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1)', {
      encapsulated: true,
      codec: 'jpeg-lossless',
    }),
    ts(`${P}.4.80`, 'JPEG-LS Lossless Image Compression', { encapsulated: true, codec: 'jpeg-ls' }),
    ts(`${P}.4.81`, 'JPEG-LS Lossy (Near-Lossless) Image Compression', { encapsulated: true, codec: 'jpeg-ls' }),
    ts(`${P}.4.90`, 'JPEG 2000 Image Compression (Lossless Only)', { encapsulated: true, codec: 'jpeg2000' }),
    ts(`${P}.4.91`, 'JPEG 2000 Image Compression', { encapsulated: true, codec: 'jpeg2000' }),
    ts(`${P}.4.92`, 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)', { encapsulated: true }),
    ts(`${P}.4.93`, 'JPEG 2000 Part 2 Multi-component Image Compression', { encapsulated: true }),
    ts(`${P}.4.94`, 'JPIP Referenced', { encapsulated: true }),
    ts(`${P}.4.95`, 'JPIP Referenced Deflate', { encapsulated: true }),
    ts(`${P}.4.100`, 'MPEG2 Main Profile / Main Level', { encapsulated: true }),
    ts(`${P}.4.101`, 'MPEG2 Main Profile / High Level', { encapsulated: true }),
    ts(`${P}.4.102`, 'MPEG-4 AVC/H.264 High Profile / Level 4.1', { encapsulated: true }),
    ts(`${P}.4.103`, 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', { encapsulated: true }),
    ts(`${P}.4.104`, 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', { encapsulated: true }),
    ts(`${P}.4.105`, 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', { encapsulated: true }),
    ts(`${P}.4.106`, 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', { encapsulated: true }),
    ts(`${P}.4.107`, 'HEVC/H.265 Main Profile / Level 5.1', { encapsulated: true }),
    ts(`${P}.4.108`, 'HEVC/H.265 Main 10 Profile / Level 5.1', { encapsulated: true }),
    ts(`${P}.4.110`, 'JPEG XL Lossless', { encapsulated: true }),
    ts(`${P}.4.111`, 'JPEG XL JPEG Recompression', { encapsulated: true }),
    ts(`${P}.4.112`, 'JPEG XL', { encapsulated: true }),
    ts(`${P}.4.201`, 'High-Throughput JPEG 2000 Image Compression (Lossless Only)', { encapsulated: true }),
    ts(`${P}.4.202`, 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)', { encapsulated: true }),
    ts(`${P}.4.203`, 'High-Throughput JPEG 2000 Image Compression', { encapsulated: true }),
    ts(`${P}.5`, 'RLE Lossless', { encapsulated: true, codec: 'rle' }),
  ].map((syntax) => [syntax.uid, syntax]),
);

/** The transfer syntax for a UID, or a 415 naming it: an unknown syntax cannot even be parsed safely. */
export function lookupTransferSyntax(uid: string): TransferSyntax {
  const syntax = TRANSFER_SYNTAXES.get(uid);
  if (!syntax) throw unsupportedTransferSyntax({ uid, name: 'unknown transfer syntax' });
  return syntax;
}

export function unsupportedTransferSyntax(syntax: Pick<TransferSyntax, 'uid' | 'name'>, reason?: string): VigilError {
  return new VigilError(
    'VIGIL_UNSUPPORTED_MEDIA_TYPE',
    `DICOM transfer syntax ${syntax.uid} (${syntax.name}) is not supported${reason ? `: ${reason}` : ''}`,
    { details: { transferSyntaxUid: syntax.uid, transferSyntaxName: syntax.name } },
  );
}
