/**
 * The inventory area's services: its store, the last discovery of each server and the sealer
 * that fingerprints secrets. Built once by the app; `handlers.ts` registers its channels on them.
 */
import type { JobRegistry } from '../jobs/registry';
import type { SecretStore } from '../keychain/secret-store';
import type { GantryDatabase } from '../store/open-database';
import type { HostProvider } from './discovery';
import { DiscoverySnapshots } from './discovery-snapshots';
import { InventoryStore } from './inventory-store';
import { loadSpecSealer, type SpecSealer } from './spec-hash';

/** What the inventory area needs from the engine. */
export interface InventoryDeps {
  db: GantryDatabase;
  jobs: JobRegistry;
  /** Holds the key that fingerprints secrets in stored specs. */
  secrets: SecretStore;
  /** The pooled connection of a server (the servers area). */
  hosts: HostProvider;
}

/** The inventory area: its store and the last discovery of each server. */
export interface InventoryArea {
  store: InventoryStore;
  snapshots: DiscoverySnapshots;
  /** The sealer of this installation (its key is read from the keychain on first use). */
  sealer(): SpecSealer;
}

/** Builds the inventory area's services (no channels). */
export function createInventoryArea(deps: Pick<InventoryDeps, 'db' | 'secrets'>): InventoryArea {
  let sealer: SpecSealer | null = null;
  return { store: new InventoryStore(deps.db), snapshots: new DiscoverySnapshots(deps.db), sealer: () => (sealer ??= loadSpecSealer(deps.secrets)) };
}
