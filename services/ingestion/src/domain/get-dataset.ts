import { VigilError } from '@vigil/common';
import type { Dataset, DatasetStore } from './ports';

export async function getDataset(id: string, deps: { store: DatasetStore }): Promise<Dataset> {
  const dataset = await deps.store.find(id);
  if (!dataset) throw new VigilError('VIGIL_NOT_FOUND', `No dataset ${id}`);
  return dataset;
}
