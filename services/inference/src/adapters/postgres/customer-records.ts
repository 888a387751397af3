import type { Pool } from '@vigil/common';
import type { CustomerRecords } from '../../domain/ports';

/** Customers' current records, as ingestion keeps them (read-only grant on ingestion.churn_customers). */
export function createCustomerRecords(pool: Pool): CustomerRecords {
  return {
    async get(customerId) {
      const { rows } = await pool.query('SELECT record FROM ingestion.churn_customers WHERE customer_id = $1', [customerId]);
      return rows[0]?.record ?? null;
    },
  };
}
