// Stands in for `zod` in the Workers bundle (wrangler.toml [alias]). hono-openapi's schema
// converter imports zod only for zod schemas, and the API has none (valibot throughout);
// esbuild would still bundle all 725 KiB of it. Importing this fails as a missing zod would,
// which the converter already reports as a missing dependency.
throw new Error('zod is not part of the Worker bundle: the API validates with valibot');
export {};
