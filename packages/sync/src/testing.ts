/**
 * `@camdl/sync/testing`: direct access to the ledger, for tests and benchmarks that set up or inspect its rows.
 * Not part of the sync's API (the commands open the ledger themselves): no promise of stability.
 */
export { Ledger } from './ledger.js';
