import { defineConfig } from 'drizzle-kit';

/** drizzle-kit generates SQL migrations from `electron/store/schema.ts`; the app applies them at start-up. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './electron/store/schema.ts',
  out: './electron/store/migrations',
});
