import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConsoleSettings } from './env.js';

const base = {
  DATABASE_URL: 'postgres://vigie@db.internal:5432/vigie',
  VIGIE_EVIDENCE_BUCKET: 'acme-evidence',
};

describe('console settings', () => {
  it('has sane defaults', () => {
    const settings = readConsoleSettings(base);
    assert.ok(!('error' in settings));
    assert.equal(settings.port, 8080);
    assert.equal(settings.metricsPort, 9464);
    assert.deepEqual(settings.auth, []);
    assert.deepEqual(settings.evidence, { kind: 'bucket', bucket: 'acme-evidence' });
    assert.equal(settings.webhookAllow, undefined, 'webhooks reach no internal address by default');
  });

  it('reads what webhooks may reach inside the network', () => {
    const settings = readConsoleSettings({
      ...base,
      VIGIE_WEBHOOK_ALLOW: '10.20.0.0/16, fd00::/8, hooks.ops.svc.cluster.local',
    });
    assert.ok(!('error' in settings));
    assert.deepEqual(
      settings.webhookAllow?.ranges.map((r) => r.prefix),
      [16, 8],
    );
    assert.deepEqual(settings.webhookAllow.hosts, ['hooks.ops.svc.cluster.local']);
    const blank = readConsoleSettings({ ...base, VIGIE_WEBHOOK_ALLOW: '  ' });
    assert.ok(!('error' in blank));
    assert.equal(blank.webhookAllow, undefined);
  });

  it('reads IAP, OIDC and SMTP settings', () => {
    const settings = readConsoleSettings({
      ...base,
      VIGIE_AUTH: 'iap, oidc',
      VIGIE_IAP_AUDIENCE: '/projects/1/global/backendServices/2',
      VIGIE_OIDC_ISSUER: 'https://accounts.example',
      VIGIE_OIDC_AUDIENCE: 'vigie-console',
      VIGIE_OIDC_JWKS_URL: 'https://accounts.example/jwks',
      VIGIE_SMTP_HOST: 'smtp.example',
      VIGIE_SMTP_FROM: 'Vigie <alerts@example.com>',
    });
    assert.ok(!('error' in settings));
    assert.deepEqual(
      settings.auth.map((a) => a.kind),
      ['iap', 'oidc'],
    );
    assert.equal(settings.smtp?.port, 587);
    assert.equal(settings.smtp.requireTls, true, 'STARTTLS is required when TLS is not immediate');
  });

  it('names the setting that is wrong', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ VIGIE_EVIDENCE_BUCKET: 'x' }, /DATABASE_URL is required/],
      [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres: or postgresql: URL/],
      [{ ...base, VIGIE_EVIDENCE_BUCKET: '' }, /VIGIE_EVIDENCE_BUCKET \(or VIGIE_EVIDENCE_DIR\)/],
      [{ ...base, VIGIE_AUTH: 'iap' }, /VIGIE_IAP_AUDIENCE is required/],
      [{ ...base, VIGIE_AUTH: 'ldap' }, /VIGIE_AUTH has "ldap"/],
      [{ ...base, PORT: '99999' }, /PORT="99999" must be a port number/],
      [{ ...base, VIGIE_SMTP_HOST: 'smtp.example' }, /VIGIE_SMTP_FROM is required/],
      [{ ...base, VIGIE_BOOTSTRAP_ADMIN: 'nobody' }, /must be an email/],
      [
        { ...base, VIGIE_WEBHOOK_ALLOW: '10.0.0.0/8,10.0.0.0/40' },
        /VIGIE_WEBHOOK_ALLOW has "10\.0\.0\.0\/40"/,
      ],
    ];
    for (const [env, message] of cases) {
      const settings = readConsoleSettings(env);
      assert.ok('error' in settings, JSON.stringify(env));
      assert.match(settings.error, message);
    }
  });
});
