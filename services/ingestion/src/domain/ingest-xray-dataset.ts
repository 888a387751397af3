import { VigilError } from '@vigil/common';
import type { Clock, IdGenerator } from './ports';
import { validateXrayManifest } from './validate-xray-manifest';
import { scanArchive, type ArchiveScan } from './xray-archive-scan';
import { xrayDatasetDigest } from './xray-digest';
import { parseManifest, type Manifest } from './xray-manifest';
import { MANIFEST_NAME } from './xray-paths';
import type { ArchiveEntries, ImageBlobs, ImageProbe, XrayDataset, XrayDatasetStore, XrayImage, XrayLabel, XraySubtype } from './xray-ports';

export interface IngestXrayDeps {
  store: XrayDatasetStore;
  blobs: ImageBlobs;
  images: ImageProbe;
  clock: Clock;
  ids: IdGenerator;
  /** XRAY_MAX_IMAGE_PIXELS. */
  maxImagePixels: number;
}

export interface IngestXrayResult {
  dataset: XrayDataset;
  /** false when the same content was uploaded before: that dataset is returned, no row is written. */
  created: boolean;
}

/**
 * Accepts an archive of labelled chest X-rays (manifest.csv + PNG/JPEG images) as a training
 * dataset. The images go to the blob store as they are read; the manifest rows are validated
 * against them, and only when every row is valid are the dataset and its rows committed, with the
 * DatasetIngested event, in one transaction: an upload is imported whole or not at all.
 */
export async function ingestXrayDataset(entries: ArchiveEntries, clientName: string, deps: IngestXrayDeps): Promise<IngestXrayResult> {
  const scan = await scanArchive(entries, deps);
  const images = validateXrayManifest(findManifest(scan), scan.files);
  const dataset: XrayDataset = {
    id: deps.ids.newId(),
    sha256: xrayDatasetDigest(images),
    imageCount: images.length,
    ...countLabels(images),
    clientName,
    createdAt: deps.clock.now(),
  };
  return deps.store.save(dataset, images);
}

/** The one manifest.csv, at the root or in a top folder (an archive made of a folder, as `tar -c xray-train`). */
function findManifest(scan: ArchiveScan): Manifest {
  if (scan.manifests.length === 0) {
    throw new VigilError(
      'VIGIL_UNPROCESSABLE',
      `The archive has no ${MANIFEST_NAME} at its root or in a top folder; nothing was imported`,
    );
  }
  if (scan.manifests.length > 1) {
    const paths = scan.manifests.map((m) => m.path);
    throw new VigilError('VIGIL_UNPROCESSABLE', `The archive has ${paths.length} manifests (${paths.slice(0, 5).join(', ')}); send one; nothing was imported`, {
      details: { manifests: paths.slice(0, 25) },
    });
  }
  const [{ path, text }] = scan.manifests;
  return parseManifest(text, path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
}

function countLabels(images: readonly XrayImage[]): Pick<XrayDataset, 'labels' | 'subtypes'> {
  const labels: Record<XrayLabel, number> = { NORMAL: 0, PNEUMONIA: 0 };
  const subtypes: Record<XraySubtype, number> = { normal: 0, bacterial: 0, viral: 0 };
  for (const image of images) {
    labels[image.label]++;
    subtypes[image.subtype]++;
  }
  return { labels, subtypes };
}
