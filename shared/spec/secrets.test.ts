import { describe, expect, it } from 'vitest';
import { MASK, isSecretEnvKey, maskCommand, maskEnvValue, maskSpec, sealSpec } from './secrets';
import { defaultRuntime, type ResourceSpec } from './resource-spec';

function spec(overrides: Partial<ResourceSpec> = {}): ResourceSpec {
  return {
    image: { ref: 'gantry-lab/webapp:1', id: 'sha256:aa', digest: null },
    entrypoint: null,
    command: ['redis-server', '--requirepass', 'hunter2', '--appendonly', 'yes'],
    workingDir: '',
    user: '',
    env: { APP_MODE: 'uat', DATABASE_URL: 'postgres://app:s3cret@db:5432/app', POSTGRES_PASSWORD: 'pg-pass' },
    mounts: [],
    ports: [],
    labels: { 'app.api-token': 'tok', 'app.owner': 'team-a' },
    healthcheck: { test: ['CMD-SHELL', 'redis-cli -a hunter2 ping'], intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 },
    restartPolicy: { name: 'no', maximumRetryCount: 0 },
    limits: { memoryBytes: 0, nanoCpus: 0, pidsLimit: null },
    networks: [],
    runtime: defaultRuntime,
    ...overrides,
  };
}

describe('isSecretEnvKey', () => {
  it.each(['POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'DB_PASS', 'dbPassword', 'GITHUB_TOKEN', 'APP_KEY', 'API_KEY', 'AWS_SECRET_ACCESS_KEY', 'SECRET_KEY_BASE', 'REDIS_AUTH', 'PRIVATE_KEY_FILE', 'smtp.passwd'])(
    'recognises %s as a secret',
    (key) => expect(isSecretEnvKey(key)).toBe(true),
  );
  it.each(['PATH', 'PWD', 'HOME', 'APP_MODE', 'KEY_PREFIX', 'AUTH_ENABLED', 'PASSTHROUGH', 'TOKENIZER_MODEL', 'DATABASE_URL', 'MYSQL_DSN'])('does not mask %s', (key) =>
    expect(isSecretEnvKey(key)).toBe(false),
  );
});

describe('maskEnvValue', () => {
  it('masks the whole value of a secret key', () => expect(maskEnvValue('POSTGRES_PASSWORD', 'pg-pass')).toBe(MASK));
  it('masks only the password inside a URL', () =>
    expect(maskEnvValue('DATABASE_URL', 'postgres://app:s3cret@db:5432/app')).toBe(`postgres://app:${MASK}@db:5432/app`));
  it('masks a password pair inside an ordinary value', () => expect(maskEnvValue('JAVA_OPTS', '-Xmx1g -Ddb.password=abc')).not.toContain('abc'));
  it('masks only the password inside a Go DSN and a libpq string, so rewiring stays visible', () => {
    expect(maskEnvValue('MYSQL_DSN', 'app:g0pw@tcp(mysql-dev:3306)/shop')).toBe(`app:${MASK}@tcp(mysql-dev:3306)/shop`);
    expect(maskEnvValue('PG_CONN', 'host=pg-dev port=5432 dbname=app password=lpq')).toBe(`host=pg-dev port=5432 dbname=app password=${MASK}`);
  });
  it('leaves ordinary values alone', () => expect(maskEnvValue('APP_MODE', 'production')).toBe('production'));
  it('keeps an empty secret visibly empty', () => expect(maskEnvValue('REDIS_PASSWORD', '')).toBe(''));
});

describe('maskCommand', () => {
  it('masks the value after a secret flag and in --flag=value form', () => {
    expect(maskCommand(['redis-server', '--requirepass', 'hunter2', '--appendonly', 'yes'])).toEqual(['redis-server', '--requirepass', MASK, '--appendonly', 'yes']);
    expect(maskCommand(['app', '--auth-token=abc', '--port=80'])).toEqual(['app', `--auth-token=${MASK}`, '--port=80']);
  });
  it('masks inside a shell command string, keeping its spacing', () => {
    expect(maskCommand(['CMD-SHELL', 'redis-cli  -a hunter2 ping'])).toEqual(['CMD-SHELL', `redis-cli  -a ${MASK} ping`]);
    expect(maskCommand(['sh', '-c', 'mysqladmin -uroot -phunter2 ping && echo ok'])).toEqual(['sh', '-c', `mysqladmin -uroot -p${MASK} ping && echo ok`]);
  });
  it('leaves ordinary commands alone', () =>
    expect(maskCommand(['postgres', '-c', 'max_connections=200', '-p', '5432'])).toEqual(['postgres', '-c', 'max_connections=200', '-p', '5432']));
});

describe('maskSpec', () => {
  it('leaves no secret value anywhere in the spec', () => {
    const text = JSON.stringify(maskSpec(spec()));
    for (const secret of ['hunter2', 's3cret', 'pg-pass', '"tok"']) expect(text).not.toContain(secret);
    expect(text).toContain('team-a');
    expect(text).toContain('postgres://app:');
  });
});

describe('sealSpec', () => {
  const fingerprint = (secret: string) => `fp${secret.length}${secret.charCodeAt(0)}`;
  it('keeps no secret and adds a fingerprint that follows the secret', () => {
    const sealed = sealSpec(spec(), fingerprint);
    expect(JSON.stringify(sealed)).not.toMatch(/hunter2|s3cret|pg-pass/);
    expect(sealed.env.POSTGRES_PASSWORD).toBe(`${MASK} ‹hmac:${fingerprint('pg-pass')}›`);
    expect(sealed.env.DATABASE_URL).toBe(`postgres://app:${MASK}@db:5432/app ‹hmac:${fingerprint('postgres://app:s3cret@db:5432/app')}›`);
    const changed = sealSpec(spec({ env: { ...spec().env, POSTGRES_PASSWORD: 'other-pass' } }), fingerprint);
    expect(changed.env.POSTGRES_PASSWORD).not.toBe(sealed.env.POSTGRES_PASSWORD);
  });
  it('masks what it sealed when shown again', () => {
    expect(maskSpec(sealSpec(spec(), fingerprint)).env.POSTGRES_PASSWORD).toBe(MASK);
  });
});
