import { CLASSIFICATIONS, COMPONENT_TAGS, STRIDE_LETTERS } from '../kb/vocabulary.ts';

/** JSON Schema (draft 2020-12 subset that ajv's default build takes) of a threat model file. */
export function modelSchema(protocols: readonly string[]): Record<string, unknown> {
  const id = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' };
  const text = { type: 'string', minLength: 1, maxLength: 2000 };
  const ids = { type: 'array', items: id, maxItems: 500, default: [] };
  const obj = (required: string[], properties: Record<string, unknown>) => ({
    type: 'object',
    required,
    additionalProperties: false,
    properties: { id, ...properties },
  });
  const list = (item: unknown) => ({ type: 'array', items: item, maxItems: 2000, default: [] });
  return {
    $id: 'https://msec.example/schemas/threat-model.json',
    type: 'object',
    required: ['model', 'components'],
    additionalProperties: false,
    properties: {
      model: id,
      title: text,
      description: text,
      actors: list(
        obj(['id', 'name'], { name: text, role: { enum: ['user', 'misuser'], default: 'user' }, description: text }),
      ),
      assets: list(
        obj(['id', 'name', 'classification'], {
          name: text,
          classification: { enum: CLASSIFICATIONS },
          storedIn: ids,
          description: text,
        }),
      ),
      // required, so no default; a model of nothing is a mistake
      components: {
        type: 'array',
        minItems: 1,
        maxItems: 2000,
        items: {
          ...obj(['id', 'name', 'kind'], {
            name: text,
            kind: { enum: ['msec', 'external'] },
            module: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' },
            element: { enum: ['process', 'datastore'], default: 'process' },
            tags: { type: 'array', items: { enum: COMPONENT_TAGS }, uniqueItems: true, default: [] },
            description: text,
          }),
          // an msec component says which module implements it; an external one has none
          if: { properties: { kind: { const: 'msec' } } },
          then: { required: ['module'] },
          else: { not: { required: ['module'] } },
        },
      },
      boundaries: list(obj(['id', 'name', 'members'], { name: text, members: { ...ids, minItems: 1 } })),
      flows: list(
        obj(['id', 'from', 'to', 'protocol'], {
          name: text,
          from: id,
          to: id,
          protocol: { enum: protocols },
          data: ids,
        }),
      ),
      useCases: list(obj(['id', 'name', 'actor'], { name: text, actor: id, uses: ids })),
      misuseCases: list(
        obj(['id', 'name', 'misuser', 'threatens'], {
          name: text,
          misuser: id,
          threatens: { ...ids, minItems: 1 },
          mitigatedBy: ids,
          kb: {
            type: 'array',
            items: { type: 'string', pattern: '^(CAPEC|CWE)-[0-9]{1,5}$' },
            maxItems: 50,
            default: [],
          },
          description: text,
        }),
      ),
      requirements: list(
        obj(['id', 'text'], {
          text,
          stride: { type: 'array', items: { enum: STRIDE_LETTERS }, uniqueItems: true, default: [] },
          concerns: ids,
          satisfiedBy: ids,
        }),
      ),
      controls: list(
        obj(['id', 'name', 'countermeasure', 'implementedBy'], {
          name: text,
          countermeasure: { type: 'string', pattern: '^CM-[a-z0-9-]{1,60}$' },
          implementedBy: id,
          protects: { type: 'array', items: id, maxItems: 500 },
        }),
      ),
    },
  };
}
