/** `npm run migrate`: creates the database if missing and migrates every service schema. */
import { migrateAll } from '@vigil/common';

const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/vigil';

migrateAll({ databaseUrl, log: (m) => console.log(m) }).catch((err: Error) => {
  console.error(`migrate: ${err.message}`);
  process.exit(1);
});
