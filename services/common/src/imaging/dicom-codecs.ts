import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';
import { VigilError } from '../errors/vigil-error';
import { readJ2kSize, readJpegFrameHeader } from './codestream-headers';
import { readNativeFrame, type FrameSamples } from './dicom-frame';
import type { PixelModule } from './dicom-pixel-module';
import { decodeRleFrame } from './dicom-rle';
import { unsupportedTransferSyntax, type FrameCodec, type TransferSyntax } from './dicom-transfer-syntax';
import { loadCharls, loadLibjpegTurbo, loadOpenJpeg, type LoadedCodec } from './wasm-codecs';

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete(): void;
}

/**
 * Decodes one encapsulated frame with the codec its transfer syntax names. Before any decoder runs,
 * the codestream's own header must agree with the DICOM Rows/Columns (already checked against the
 * pixel budget): a codestream that declares another size is corrupt, or a bomb behind a small header.
 */
export async function decodeEncapsulatedFrame(frame: Uint8Array, pm: PixelModule, syntax: TransferSyntax & { codec: FrameCodec }): Promise<FrameSamples> {
  switch (syntax.codec) {
    case 'rle':
      return decodeRleFrame(frame, pm);
    case 'uncompressed':
      return readNativeFrame(frame, pm, { bigEndian: false });
    case 'jpeg-lossless': {
      checkJpegHeader(frame, pm, 'JPEG Lossless');
      const decoder = new JpegLosslessDecoder();
      const samples = attempt('JPEG Lossless', () => decoder.decode(frame.buffer as ArrayBuffer, frame.byteOffset, frame.byteLength));
      checkDecoded('JPEG Lossless', decoder.xDim, decoder.yDim, samples.length, decoder.numComp, pm);
      return interleaved(samples, pm, decoder.precision, pm.signed, pm.photometric.startsWith('YBR') ? 'ybr' : 'rgb');
    }
    case 'jpeg': {
      const header = checkJpegHeader(frame, pm, 'JPEG');
      if (header.precision > 8) {
        throw unsupportedTransferSyntax(syntax, `${header.precision}-bit JPEG needs a 12-bit JPEG decoder, and only an 8-bit one (libjpeg-turbo) is installed`);
      }
      // libjpeg-turbo converts YCbCr to RGB itself, whatever Photometric Interpretation says.
      return runWasm('JPEG', await loadLibjpegTurbo(), (m) => new m.JPEGDecoder(), frame, pm, () => ({ colour: 'rgb' }));
    }
    case 'jpeg-ls': {
      checkJpegHeader(frame, pm, 'JPEG-LS');
      return runWasm('JPEG-LS', await loadCharls(), (m) => new m.JpegLSDecoder(), frame, pm, (decoder) => ({
        colour: pm.photometric.startsWith('YBR') ? 'ybr' : 'rgb',
        // CharLS 2 decodes into the layout of the encoded interleave mode: planes for ILV none (T.87 C.2.3).
        planar: decoder.getInterleaveMode() === 0,
      }));
    }
    case 'jpeg2000': {
      const size = readJ2kSize(frame);
      if (!size) corrupt('JPEG 2000', 'no SOC/SIZ header found');
      checkSize('JPEG 2000', size.width, size.height, size.components, pm);
      // OpenJPEG undoes the ICT/RCT colour transform (YBR_ICT/YBR_RCT), so those come back as RGB.
      const colour = pm.photometric === 'YBR_FULL' || pm.photometric === 'YBR_FULL_422' ? 'ybr' : 'rgb';
      return runWasm('JPEG 2000', await loadOpenJpeg(), (m) => new m.J2KDecoder(), frame.subarray(size.offset), pm, () => ({ colour }));
    }
  }
}

function checkJpegHeader(frame: Uint8Array, pm: PixelModule, what: string) {
  const header = readJpegFrameHeader(frame);
  if (!header) corrupt(what, 'no SOI/SOF header found');
  checkSize(what, header.width, header.height, header.components, pm);
  return header;
}

function checkSize(what: string, width: number, height: number, components: number, pm: PixelModule): void {
  if (width !== pm.columns || height !== pm.rows || components !== pm.samplesPerPixel) {
    corrupt(what, `the codestream declares ${width}×${height}×${components} but the DICOM header says ${pm.columns}×${pm.rows}×${pm.samplesPerPixel}`);
  }
}

function checkDecoded(what: string, width: number, height: number, samples: number, components: number, pm: PixelModule): void {
  checkSize(what, width, height, components, pm);
  if (samples < width * height * components) corrupt(what, `the decoder returned ${samples} samples for ${width}×${height}×${components}`);
}

function runWasm<M, D extends WasmDecoder>(
  what: string,
  codec: LoadedCodec<M>,
  create: (module: M) => D,
  frame: Uint8Array,
  pm: PixelModule,
  layout: (decoder: D) => { colour: FrameSamples['colour']; planar?: boolean },
): FrameSamples {
  codec.takeMessages();
  const decoder = create(codec.module);
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    attempt(what, () => decoder.decode(), codec);
    const info = decoder.getFrameInfo();
    // OpenJPEG reports failure by printing and leaving an empty image rather than by throwing.
    if (!info.width || !info.height) corrupt(what, codecErrors(codec) || 'the decoder produced no image');
    const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
    const decoded = decoder.getDecodedBuffer().slice(); // copied out of the WASM heap before delete()
    checkDecoded(what, info.width, info.height, decoded.length / bytesPerSample, info.componentCount, pm);
    const samples = bytesPerSample === 2 ? new Uint16Array(decoded.buffer, 0, decoded.length / 2) : new Uint8Array(decoded.buffer);
    // JPEG 2000 signals signedness in its own header (PS3.5 8.2.4), which wins over Pixel Representation.
    const { colour, planar } = layout(decoder);
    return { ...interleaved(samples, pm, info.bitsPerSample, info.isSigned ?? pm.signed, colour), planar: planar ?? false };
  } finally {
    decoder.delete();
  }
}

function interleaved(samples: Uint8Array | Uint16Array, pm: PixelModule, precision: number, signed: boolean, colour: FrameSamples['colour']): FrameSamples {
  // Decoders return right-aligned samples of the codestream's precision, whatever High Bit said.
  const bitsStored = Math.min(precision, samples instanceof Uint16Array ? 16 : 8);
  return { samples, components: pm.samplesPerPixel, planar: false, colour, bitsStored, highBit: bitsStored - 1, signed };
}

function attempt<T>(what: string, run: () => T, codec?: LoadedCodec<unknown>): T {
  try {
    return run();
  } catch (err) {
    const said = codec && codecErrors(codec);
    const reason = err instanceof Error ? err.message : typeof err === 'string' ? err : 'the decoder failed';
    corrupt(what, said || reason, err);
  }
}

function codecErrors(codec: LoadedCodec<unknown>): string {
  return codec.takeMessages().filter((line) => /error/i.test(line)).join('; ');
}

function corrupt(what: string, problem: string, cause?: unknown): never {
  throw new VigilError('VIGIL_VALIDATION', `The ${what} pixel data is corrupt: ${problem}`, { details: { reason: 'corrupt-codestream' }, cause });
}
