/**
 * What the operator sees before a test-data copy: the engine, both containers, the estimated
 * size, and the destructive confirmation naming the database and server.
 */
import { z } from 'zod';
import { databaseType } from '../spec/resource-spec';

/** The answer of `data:estimate`. */
export const copyEstimate = z.object({
  resourceId: z.string(),
  resourceName: z.string(),
  databaseType,
  engineLabel: z.string(),
  sourceContainer: z.string(),
  targetContainer: z.string(),
  targetServer: z.string(),
  estimateBytes: z.number().nonnegative(),
  /** e.g. "ALL data in uat's db on lab-uat will be replaced". */
  confirmation: z.string(),
});
/** What copying one database's data replaces, and about how much it sends. */
export type CopyEstimate = z.infer<typeof copyEstimate>;
