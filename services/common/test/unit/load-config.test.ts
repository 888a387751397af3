import { loadConfig, serviceConfigSchema } from '@vigil/common';

const schema = serviceConfigSchema(8081);
const messageOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(schema, env);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('loadConfig', () => {
  test('fills defaults when nothing is set', () => {
    expect(loadConfig(schema, {})).toMatchObject({
      PORT: 8081,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vigil',
      KAFKA_BROKERS: '127.0.0.1:19092',
    });
  });

  test('converts numbers from strings', () => {
    expect(loadConfig(schema, { PORT: '9000', SHUTDOWN_TIMEOUT_MS: '5000' })).toMatchObject({ PORT: 9000, SHUTDOWN_TIMEOUT_MS: 5000 });
  });

  test.each([
    ['DATABASE_URL', 'postgres//no-colon'],
    ['DATABASE_URL', 'mysql://root@localhost/db'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['KAFKA_BROKERS', 'localhost'],
    ['LOG_LEVEL', 'loud'],
    ['VIGIL_ADMIN_KEY', 'short'],
  ])('a wrong %s (%s) is rejected with a message naming it', (name, value) => {
    expect(messageOf({ [name]: value })).toContain(name);
  });
});
