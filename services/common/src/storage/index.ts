/** Storage shared by services: content-addressed blobs on a filesystem both can reach. */
export * from './blob-store';
