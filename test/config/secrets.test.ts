import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { registerConfigSecrets } from '../../src/config/secrets.js';
import { Redactor } from '../../src/util/redact.js';

const yaml = (database: string) =>
  [
    'project: { dir: /srv/app }',
    `database: ${database}`,
    'registries: { ghcr.io: { username: bot, passwordEnv: REG_PW } }',
    'github: { repo: acme/app, tokenEnv: GH_TOKEN }',
    'offsite: { s3: { bucket: backups, accessKeyIdEnv: S3_ID, secretAccessKeyEnv: S3_KEY }, encrypt: { allowUnencrypted: true } }',
  ].join('\n');

describe('registerConfigSecrets', () => {
  it('registers the database URL password and every secret the config names in the environment', () => {
    const redactor = new Redactor();
    const env = {
      REG_PW: 'registry-pw-1',
      GH_TOKEN: 'ghp_token_2',
      S3_ID: 'AKIA-key-id-3',
      S3_KEY: 's3-secret-4',
      SWITCHYARD_ADMIN_TOKEN: 'admin-token-0123456789',
      OTHER: 'not-a-secret-5',
    };
    registerConfigSecrets(redactor, parseConfig(yaml('{ url: "postgres://u:Url-Pw-6@db/app" }')), env);
    const text = `${Object.values(env).join(' ')} Url-Pw-6`;
    expect(redactor.redact(text)).toBe('*** *** *** *** *** not-a-secret-5 ***');
  });

  it("registers a database URL's ?password= and every webhook URL as a credential", () => {
    const redactor = new Redactor();
    const hook = 'https://hooks.slack.com/services/T0001/B0001/SlackTokenSlackToken1234';
    const config = parseConfig(
      `${yaml('{ url: "postgres://u@db/app?password=Query-Pw-8" }')}\nnotify: { webhooks: [{ url: "${hook}", format: slack }] }`,
    );
    registerConfigSecrets(redactor, config, {});
    expect(redactor.redact(`Query-Pw-8 ${hook} SlackTokenSlackToken1234`)).toBe(
      '*** https://hooks.slack.com/services/*** ***',
    );
  });

  it('registers the service-mode password from its variable, and only in the redactor it is given', () => {
    const mine = new Redactor();
    const config = parseConfig(yaml('{ service: db, name: app, passwordEnv: DB_PW }'));
    registerConfigSecrets(mine, config, { DB_PW: 'service-pw-7' });
    expect(mine.redact('service-pw-7')).toBe('***');
    expect(new Redactor().redact('service-pw-7')).toBe('service-pw-7');
  });
});
