import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKeyStore } from '../../auth/api-key-store';
import { hasScopes, type AuthenticatedClient } from '../../auth/scopes';
import { VigilError } from '../../errors/vigil-error';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated API client; set on every non-public route, so audit rows can name it. */
    client: AuthenticatedClient | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a key (health, metrics, docs, OIP health). */
    public?: boolean;
    /** Scopes the caller's key must hold. */
    scopes?: string[];
  }
}

export interface AuthPluginOptions {
  apiKeys: ApiKeyStore;
}

/**
 * Bearer API keys on every route unless the route says `config.public`. The OpenAPI UI under /docs
 * is registered by @fastify/swagger-ui, which takes no route config, so it is matched by prefix.
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app: FastifyInstance, { apiKeys }) => {
    app.decorateRequest('client', null);
    app.addHook('onRequest', async (request) => {
      const route = request.routeOptions;
      // No matched route: let the not-found handler answer 404.
      if (route.url === undefined || route.config.public || route.url.startsWith('/docs')) return;
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) throw new VigilError('VIGIL_UNAUTHENTICATED', 'Missing "Authorization: Bearer <api key>" header');
      const client = await apiKeys.authenticate(match[1]);
      if (!client) throw new VigilError('VIGIL_UNAUTHENTICATED', 'Unknown or revoked API key');
      const required = route.config.scopes ?? [];
      if (!hasScopes(client, required)) {
        throw new VigilError('VIGIL_FORBIDDEN', `API key of client "${client.name}" lacks scope ${required.join(', ')}`, {
          details: { requiredScopes: required },
        });
      }
      request.client = client;
      request.log = request.log.child({ clientId: client.name });
    });
  },
  { name: 'vigil-auth', dependencies: ['vigil-error-handler'] },
);
