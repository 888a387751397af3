/** The scopes an API key can hold. `*` (bootstrap admin) holds them all. */
export const SCOPES = ['churn:score', 'xray:submit', 'feedback:write', 'models:admin', 'audit:read', 'alerts:read', 'monitoring:read', 'keys:admin'] as const;
export type Scope = (typeof SCOPES)[number];
export const ALL_SCOPES = '*';

export interface AuthenticatedClient {
  keyId: string;
  name: string;
  scopes: string[];
}

export function hasScopes(client: AuthenticatedClient, required: readonly string[]): boolean {
  return client.scopes.includes(ALL_SCOPES) || required.every((s) => client.scopes.includes(s));
}

/** predict:{model} runs one registered model; predict:* runs them all. */
const PREDICT_SCOPE = /^predict:([a-z0-9][a-z0-9_-]{0,63}|\*)$/;

export function isKnownScope(scope: string): boolean {
  return scope === ALL_SCOPES || (SCOPES as readonly string[]).includes(scope) || PREDICT_SCOPE.test(scope);
}
