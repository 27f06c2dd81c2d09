import { Hono } from 'hono';

// The ceiling for HTTP benchmarks: Hono's JSON hello-world on the same runtime, nothing else.
const app = new Hono();
app.get('/', (c) => c.json({ hello: 'world' }));
const server = Bun.serve({ port: Number(process.env.PORT), hostname: '127.0.0.1', fetch: app.fetch });
console.log(`hello-world listening on ${server.port}`);
