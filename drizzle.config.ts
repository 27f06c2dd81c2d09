import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  // Every schema file: a domain's tables are found without an edit to db/schema/index.ts.
  schema: './db/schema/*.ts',
  out: './db/migrations',
});
