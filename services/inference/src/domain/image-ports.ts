/** What the image use cases need from the outside world; adapters implement these. */

/** An image decoded to 8-bit grayscale, with the hash of the bytes received. */
export interface DecodedImage {
  format: 'png' | 'jpeg' | 'dicom';
  width: number;
  height: number;
  gray: Uint8Array;
  sha256: string;
}

export interface ImageCodec {
  /** Type from the bytes; size, pixel-count and corruption checks; VigilError 4xx on bad input. */
  decode(bytes: Uint8Array): Promise<DecodedImage>;
  /** The preprocessing a model version was trained with, applied to a decoded image. */
  preprocess(image: DecodedImage, spec: unknown): Promise<Float32Array>;
  /** The bytes to store: a DICOM de-identified (PS3.15 basic profile), anything else unchanged. */
  forStorage(image: DecodedImage, bytes: Uint8Array): Uint8Array;
}

/** Content-addressed store shared by the services' replicas. */
export interface ImageStore {
  put(bytes: Uint8Array): Promise<{ sha256: string }>;
  get(sha256: string): Promise<Uint8Array | null>;
}
