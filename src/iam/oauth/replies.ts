/** What the OAuth routes answer (their `schema.response`): RFC 6749, 7662, 7009, 8414 shapes. */
import Type from 'typebox';
import { openObject } from '../../core/index.ts';

/** RFC 6749 §5.2: the OAuth standard's error body, not msec's, on these endpoints. */
const OAuthError = Type.Object(
  { error: Type.String(), error_description: Type.Optional(Type.String()) },
  { description: 'an RFC 6749 §5.2 error' },
);
export const oauthErrors = { 400: OAuthError, 401: OAuthError };

export const Client = openObject({
  clientId: Type.String(),
  clientSecret: Type.String({ description: 'shown once' }),
  principalId: Type.String(),
  scopes: Type.Array(Type.String()),
});
export const Token = openObject({ access_token: Type.String(), token_type: Type.String() });
export const Introspection = openObject({ active: Type.Boolean() });
export const Revoked = Type.Null({ description: 'revoked, or unknown (RFC 7009 answers 200 either way): no body' });
export const Jwks = openObject({ keys: Type.Array(openObject({})) });
export const Metadata = openObject({ issuer: Type.String() });
