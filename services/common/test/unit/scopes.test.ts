import { hasScopes } from '@vigil/common';

const client = (scopes: string[]) => ({ keyId: 'k', name: 'c', scopes });

describe('hasScopes', () => {
  test('a key holds exactly the scopes it was given', () => {
    expect(hasScopes(client(['churn:score']), ['churn:score'])).toBe(true);
    expect(hasScopes(client(['churn:score']), ['xray:submit'])).toBe(false);
    expect(hasScopes(client(['churn:score']), ['churn:score', 'audit:read'])).toBe(false);
  });

  test('the admin wildcard holds every scope, and a route without scopes needs only a valid key', () => {
    expect(hasScopes(client(['*']), ['models:admin', 'audit:read'])).toBe(true);
    expect(hasScopes(client([]), [])).toBe(true);
  });
});
