// A real OpenID provider (panva/oidc-provider) for send-monitor's sign-in tests, on 127.0.0.1.
//
//   node provider.mjs PORT
//
// Prints "ready ISSUER" once listening. Clients register themselves (dynamic registration:
// POST /reg). The test users sign in on the provider's own login page with any password.
// One test-only switch, POST /test/rogue-jwks with body "on" or "off", publishes a key set
// whose key has the same id as the signing key but other key material, so that the ID tokens
// the provider issues are, for the client, signed by another key.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;

const USERS = {
  lead850: { email: 'lead850@example.org', email_verified: true, send_roles: ['area:850'] },
  lead851: { email: 'lead851@example.org', email_verified: true, send_roles: ['area:851'] },
  national: { email: 'national@example.org', email_verified: true, send_roles: ['national'] },
  inspector: { email: 'inspector@example.org', email_verified: true, send_roles: ['inspector:850'] },
  norole: { email: 'norole@example.org', email_verified: true, send_roles: [] },
  granted: { email: 'granted@example.org', email_verified: true, send_roles: [] },
  unverified: { email: 'granted@example.org', email_verified: false, send_roles: [] },
};

function rsaJwk(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

const signing = rsaJwk('test-key');
const rogue = rsaJwk('test-key');
const publicPart = ({ d, p, q, dp, dq, qi, ...pub }) => pub;
let rogueOn = false;

const provider = new Provider(issuer, {
  jwks: { keys: [signing] },
  cookies: { keys: ['test-only-cookie-key'] },
  claims: {
    openid: ['sub', 'send_roles'],
    email: ['email', 'email_verified'],
  },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const user = USERS[id];
    if (!user) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...user }) };
  },
  async loadExistingGrant(ctx) {
    // The test client is first-party: consent is given without asking.
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email');
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'send_roles']);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/rogue-jwks' && ctx.method === 'POST') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    rogueOn = Buffer.concat(chunks).toString() === 'on';
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/jwks' && rogueOn) {
    ctx.type = 'application/jwk-set+json';
    ctx.body = { keys: [publicPart(rogue)] };
    return;
  }
  await next();
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
