/**
 * The ports of the X-ray dataset use cases (beside ports.ts, which the churn and feedback use cases
 * share, so that the two features can change without touching one file).
 */

export type XrayLabel = 'NORMAL' | 'PNEUMONIA';
export type XraySubtype = 'normal' | 'bacterial' | 'viral';
export type ImageMediaType = 'image/png' | 'image/jpeg';

/** One file or folder of an uploaded archive, in archive order. */
export interface ArchiveEntry {
  /** The name as the archive stores it (zip names with backslashes already use "/"). Unchecked. */
  name: string;
  type: 'file' | 'directory' | 'link' | 'other';
  /**
   * The whole content, or null when it is longer than maxBytes (the rest is skipped unread). Call it
   * at most once, before asking for the next entry; an entry not read is skipped.
   */
  read(maxBytes: number): Promise<Buffer | null>;
}

/** The archive as a stream of entries; adapters read tar and zip. */
export type ArchiveEntries = AsyncIterable<ArchiveEntry>;

/** Reads an image header: sharp in production. */
export interface ImageProbe {
  /** Format and size from the header, or null when the bytes are not a decodable PNG or JPEG. */
  probe(bytes: Buffer): Promise<{ format: 'png' | 'jpeg'; width: number; height: number } | null>;
}

/** Where image bytes go: the content-addressed blob store (@vigil/common BlobStore satisfies it). */
export interface ImageBlobs {
  put(bytes: Uint8Array): Promise<{ sha256: string; created: boolean }>;
}

/** One image of an X-ray dataset: its manifest row and what the archive held under its path. */
export interface XrayImage {
  /** Relative to the manifest's folder, "/"-separated, e.g. "NORMAL/IM-0115-0001.jpeg". */
  path: string;
  label: XrayLabel;
  subtype: XraySubtype;
  patientId: string;
  /** SHA-256 (hex) of the image bytes: its name in the blob store. */
  sha256: string;
  mediaType: ImageMediaType;
  width: number;
  height: number;
}

export interface XrayDataset {
  id: string;
  /** xrayDatasetDigest of the images: equal content, equal dataset. */
  sha256: string;
  imageCount: number;
  labels: Record<XrayLabel, number>;
  subtypes: Record<XraySubtype, number>;
  clientName: string;
  createdAt: Date;
}

export interface XrayDatasetStore {
  /**
   * Saves the dataset, its images and the DatasetIngested event in one transaction. When a dataset
   * with the same sha256 exists (or commits concurrently), saves nothing and returns that one with
   * created = false.
   */
  save(dataset: XrayDataset, images: readonly XrayImage[]): Promise<{ dataset: XrayDataset; created: boolean }>;
  find(id: string): Promise<XrayDataset | null>;
}
