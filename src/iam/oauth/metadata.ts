/**
 * RFC 8414 authorization server metadata, also served as the OpenID Connect discovery document.
 * `issuer` is the URL the metadata was fetched under (RFC 8414 §3.3: they must agree).
 */
export function authorizationServerMetadata(
  issuer: string,
  opts: { tokenEndpoints: boolean },
): Record<string, unknown> {
  const api = `${issuer}/api/v1/oauth`;
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    ...(opts.tokenEndpoints
      ? {
          token_endpoint: `${api}/token`,
          introspection_endpoint: `${api}/introspect`,
          revocation_endpoint: `${api}/revoke`,
          grant_types_supported: ['client_credentials'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        }
      : { grant_types_supported: [] }),
    // msec signs machine tokens only; users sign in at the city's own provider (no authorization endpoint).
    response_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  };
}
