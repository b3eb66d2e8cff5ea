/**
 * What a route declares about its answers, shared by every module: the one error body
 * `{error:{code,message,details?}}` (registered once on the server under ERROR_SCHEMA_ID, and
 * the OpenAPI document's `components.schemas.MsecError`), and helpers to declare which error
 * statuses a route returns beyond the common ones the document adds to every route.
 */
import Type from 'typebox';

export const ERROR_SCHEMA_ID = 'MsecError';

export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{2,63}$' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: ERROR_SCHEMA_ID, title: ERROR_SCHEMA_ID, description: 'the one error body of msec' },
);

/** A reference to the shared error body, for one status of `schema.response`. */
export const errorReply = (description: string) => ({ $ref: `${ERROR_SCHEMA_ID}#`, description }) as const;

/** `schema.response` entries for a route's own refusals: `{ 409: 'READING_REPLAYED: …' }`. */
export function errorReplies(statuses: Record<number, string>): Record<number, ReturnType<typeof errorReply>> {
  return Object.fromEntries(Object.entries(statuses).map(([s, d]) => [s, errorReply(d)]));
}

/** `schema.response` entry for an answer without a body (204). */
export const NoContent = Type.Null({ description: 'no body' });

/**
 * An answer object with its known fields declared and any later ones kept: Fastify serialises
 * with the response schema and would drop a field a module adds to its records without
 * declaring it here, so records that modules own are declared open (`additionalProperties`).
 */
export const openObject = <P extends Type.TProperties>(properties: P, options: Type.TObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: true, ...options });

/** `schema.response` entry for an answer in another media type (a stream, a text, an image). */
export const mediaReply = (type: string, description: string, schema: Type.TSchema = Type.String()) => ({
  description,
  content: { [type]: { schema } },
});
