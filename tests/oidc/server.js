// node oidc-provider (OpenID Certified) on 127.0.0.1 for Latchkey's tests, configured as
// a certified provider behaves by default where it matters to a desktop client:
// `offline_access` only with `prompt=consent` (OpenID Connect Core §11), custom-scheme
// and loopback redirects only for `application_type: native` clients, refresh tokens
// that rotate, with reuse of a rotated one revoking the whole grant, RFC 9207 `iss` in
// every authorization response, dynamic registration, introspection and revocation.
// Its dev interactions accept any login, so tests drive them over HTTP.
//
// Usage: node server.js  — prints `READY <port>`; exits when stdin closes.
// OIDC_TTL: access-token lifetime in seconds (default 3600).
// OIDC_AUTO_LOGIN=NAME (desktop E2E only): every login and consent prompt is answered as
// NAME would, because WebDriver cannot reach the app's sign-in window (a web context of
// its own) to type into it.
// OIDC_JWT_RESOURCE=URI: access tokens are JWTs for that resource (RFC 8707 resource
// indicators, RFC 9068 format), padded with claims to about two kilobytes, as big
// providers' are; the default is oidc-provider's opaque 43-character tokens.
// GET /test/stats/CLIENT_ID: token requests per grant type and outcome, and revoked
// grants (for tests).
// POST /test/delete-client/CLIENT_ID: the administrator removes the application; from
// then on the token endpoint answers `invalid_client` for it.
import http from 'node:http';
import Provider from 'oidc-provider';

const ttl = Number(process.env.OIDC_TTL || 3600);
const jwtResource = process.env.OIDC_JWT_RESOURCE;
const stats = new Map();
const count = (client, key) => {
  const s = stats.get(client) || {};
  s[key] = (s[key] || 0) + 1;
  stats.set(client, s);
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      registrationManagement: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      deviceFlow: { enabled: true },
      ...(jwtResource && {
        resourceIndicators: {
          enabled: true,
          defaultResource: () => jwtResource,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'api', audience: jwtResource, accessTokenTTL: ttl, accessTokenFormat: 'jwt' }),
        },
      }),
    },
    ...(jwtResource && {
      // Roles and groups, as an institutional login server puts them in its tokens.
      extraTokenClaims: () => ({ groups: Array.from({ length: 40 }, (_, i) => `lab-group-${i}-sequencing-uploaders`) }),
    }),
    scopes: ['openid', 'offline_access', 'email', 'profile', ...(jwtResource ? ['api'] : [])],
    claims: { openid: ['sub'], email: ['email'], profile: ['preferred_username', 'name'] },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: `${id}@example.org`, preferred_username: id, name: id };
        },
      };
    },
    ttl: { AccessToken: ttl, AuthorizationCode: 60, Grant: 14 * 24 * 3600, RefreshToken: 14 * 24 * 3600, Session: 3600, Interaction: 600, DeviceCode: 600 },
    rotateRefreshToken: () => true,
    cookies: { keys: ['latchkey-test-only'] },
  });
  provider.on('grant.success', (ctx) => count(ctx.oidc.client?.clientId, `${ctx.oidc.params.grant_type}/200`));
  provider.on('grant.error', (ctx) => count(ctx.oidc.client?.clientId || ctx.oidc.params?.client_id, `${ctx.oidc.params?.grant_type}/400`));
  provider.on('grant.revoked', (ctx) => count(ctx.oidc.client?.clientId, 'grant-revoked'));
  provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error', err));
  const app = provider.callback();
  const autoLogin = process.env.OIDC_AUTO_LOGIN;
  async function answerInteraction(req, res) {
    const details = await provider.interactionDetails(req, res);
    let result;
    if (details.prompt.name === 'login') {
      result = { login: { accountId: autoLogin } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scope] of Object.entries(missing.missingResourceScopes || {})) {
        grant.addResourceScope(indicator, scope.join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    }
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  }
  server.on('request', (req, res) => {
    if (autoLogin && req.method === 'GET' && /^\/interaction\/[^/?]+$/.test(req.url)) {
      answerInteraction(req, res).catch((err) => {
        console.error('auto login failed', err);
        res.statusCode = 500;
        res.end('auto login failed');
      });
      return;
    }
    const gone = req.method === 'POST' && req.url.match(/^\/test\/delete-client\/([^/?]+)$/);
    if (gone) {
      provider.Client.adapter.destroy(decodeURIComponent(gone[1])).then(() => res.end('deleted'));
      return;
    }
    const m = req.url.match(/^\/test\/stats\/([^/?]+)/);
    if (m) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(stats.get(decodeURIComponent(m[1])) || {}));
      return;
    }
    app(req, res);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  console.log(`READY ${port}`);
});
