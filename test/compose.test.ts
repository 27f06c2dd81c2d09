import { describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configVariables } from '../src/config.ts';

const ROOT = join(import.meta.dirname, '..');
const COMPOSE = '/usr/bin/docker-compose';

interface ComposeFile {
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; ports?: string[] }>;
}
const compose = Bun.YAML.parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
/** The services that run the platform itself (built from the Dockerfile). */
const platformServices = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

describe('docker-compose.yml', () => {
  test("the platform's services set only variables src/config.ts reads", () => {
    expect(platformServices.map(([name]) => name).sort()).toEqual(['api', 'workers']);
    const known = new Set(configVariables);
    const unknown = platformServices.flatMap(([name, service]) => Object.keys(service.environment ?? {}).filter((key) => !known.has(key)).map((key) => `${name}: ${key}`));
    expect(unknown).toEqual([]);
  });

  test('email goes to Mailpit over SMTP, whose UI is published', () => {
    expect(compose.services.mailpit).toMatchObject({ image: expect.stringMatching(/^axllent\/mailpit(:|$)/), ports: ['8025:8025'] });
    for (const [, service] of platformServices) expect(service.environment).toMatchObject({ EMAIL_CHANNEL: 'smtp', SMTP_URL: 'smtp://mailpit:1025' });
  });

  test.skipIf(!existsSync(COMPOSE))(`docker-compose config -q accepts it${existsSync(COMPOSE) ? '' : ' (skipped: no docker-compose)'}`, () => {
    const run = spawnSync(COMPOSE, ['config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
