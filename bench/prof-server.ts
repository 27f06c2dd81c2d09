import { bootstrap } from '../src/bootstrap.ts';
import { serve } from '../src/server.ts';
const deps = await bootstrap(process.env);
const s = serve(deps);
console.log('up');
process.on('SIGINT', () => { process.exit(0); });
