/**
 * Types for the untyped DICOM packages the imaging library uses: dcmjs ships no declarations, the
 * Cornerstone WASM codecs ship none, and jpeg-lossless-decoder-js names a lossless.d.ts it does not
 * publish. Only the members this library calls are declared; each shape was checked against the
 * installed versions (dcmjs 0.51, codec-openjpeg 1.3, codec-charls 1.2, codec-libjpeg-turbo-8bit 1.2,
 * jpeg-lossless-decoder-js 2.1). Other services that need more should extend these, not redeclare.
 */

declare module 'dcmjs' {
  /** One element of dcmjs' "raw" dataset, keyed by 'GGGGEEEE' (upper-case hex). SQ values are datasets. */
  export interface DcmjsElement {
    vr: string;
    Value?: unknown[];
    _rawValue?: unknown;
  }
  export type DcmjsDataset = Record<string, DcmjsElement>;
  export interface DcmjsDicomDict {
    meta: DcmjsDataset;
    dict: DcmjsDataset;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  export const data: {
    DicomDict: new (meta: DcmjsDataset) => DcmjsDicomDict;
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; noCopy?: boolean; forceStoreRaw?: boolean }): DcmjsDicomDict;
    };
    DicomMetaDictionary: {
      naturalizeDataset(dataset: DcmjsDataset): Record<string, unknown>;
      denaturalizeDataset(dataset: Record<string, unknown>): DcmjsDataset;
    };
  };
  type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** loglevel's root logger; its children (e.g. 'validation.dcmjs') keep their own level. */
  export const log: { setLevel(level: LogLevel): void; getLogger(name: string): { setLevel(level: LogLevel): void } };
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  interface FrameInfo { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean }
  interface J2KDecoder {
    getEncodedBuffer(length: number): Uint8Array;
    getDecodedBuffer(): Uint8Array;
    decode(): void;
    getFrameInfo(): FrameInfo;
    delete(): void;
  }
  const factory: (options?: { print?: (text: string) => void; printErr?: (text: string) => void }) => Promise<{ J2KDecoder: new () => J2KDecoder }>;
  export = factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  interface FrameInfo { width: number; height: number; bitsPerSample: number; componentCount: number }
  interface JpegLSDecoder {
    getEncodedBuffer(length: number): Uint8Array;
    getDecodedBuffer(): Uint8Array;
    decode(): void;
    getFrameInfo(): FrameInfo;
    /** 0: planar (one component after another), 1: line, 2: sample interleaved. */
    getInterleaveMode(): number;
    delete(): void;
  }
  const factory: (options?: { print?: (text: string) => void; printErr?: (text: string) => void }) => Promise<{ JpegLSDecoder: new () => JpegLSDecoder }>;
  export = factory;
}

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  interface FrameInfo { width: number; height: number; bitsPerSample: number; componentCount: number }
  interface JPEGDecoder {
    getEncodedBuffer(length: number): Uint8Array;
    getDecodedBuffer(): Uint8Array;
    decode(): void;
    getFrameInfo(): FrameInfo;
    delete(): void;
  }
  const factory: (options?: { print?: (text: string) => void; printErr?: (text: string) => void }) => Promise<{ JPEGDecoder: new () => JPEGDecoder }>;
  export = factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    /** Decodes one JPEG Lossless (Process 14) codestream; 8-bit samples come back as Uint8Array, wider as Uint16Array. */
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
    xDim: number;
    yDim: number;
    numComp: number;
    precision: number;
  }
}
