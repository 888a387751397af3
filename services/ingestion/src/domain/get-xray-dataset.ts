import { VigilError } from '@vigil/common';
import type { XrayDataset, XrayDatasetStore } from './xray-ports';

export async function getXrayDataset(id: string, deps: { store: XrayDatasetStore }): Promise<XrayDataset> {
  const dataset = await deps.store.find(id);
  if (!dataset) throw new VigilError('VIGIL_NOT_FOUND', `No X-ray dataset ${id}`);
  return dataset;
}
