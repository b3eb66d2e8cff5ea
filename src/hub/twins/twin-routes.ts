import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorReplies, MsecError } from '../../core/index.ts';
import type { ModuleContext } from '../../core/index.ts';
import { readTerms, twinRef, TWIN_ACTIONS } from './access.ts';
import { refuseSingleValues } from './delivery-terms.ts';
import { roundValue } from '../federation/transform.ts';
import {
  ADMIN_SERVICE,
  GeoJsonSchema,
  RESOURCE_KINDS,
  ResourceMetadataSchema,
  type GeoJson,
  type ProviderState,
  type ResourceState,
} from './model.ts';
import { BROWSE_ACTION } from './policy.ts';
import {
  ActionSent,
  ProviderDetail,
  ProviderList,
  ResourceDescriptions,
  ResourceValue,
  ServiceList,
} from './replies.ts';
import { assertSegment } from './names.ts';
import { authorizeTwin, pathOf, type HubDataServices, type PathParams } from './services.ts';

const Seg = Type.String({ minLength: 1, maxLength: 130 });
const ProviderParams = Type.Object({ provider: Seg });
const ServiceParams = Type.Object({ provider: Seg, service: Seg });
const ResourceParams = Type.Object({ provider: Seg, service: Seg, resource: Seg });
const Value = Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 1024 })]);
const SetBody = Type.Object({ value: Type.Union([Value, GeoJsonSchema]) }, { additionalProperties: false });
const ActBody = Type.Object(
  { arguments: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Value)) },
  { additionalProperties: false },
);
const DefineBody = Type.Object(
  { kind: Type.Union(RESOURCE_KINDS.map((k) => Type.Literal(k))), metadata: ResourceMetadataSchema },
  { additionalProperties: false },
);

const browse = { security: { action: BROWSE_ACTION } };

/** Resources of a provider that the caller may DESCRIBE. */
function visible(
  req: FastifyRequest,
  ctx: ModuleContext,
  p: ProviderState,
  resources: ResourceState[],
): ResourceState[] {
  const s = req.subject!;
  return resources.filter(
    (r) => ctx.access.decide(s, TWIN_ACTIONS.DESCRIBE, twinRef(p.org, r, TWIN_ACTIONS.DESCRIBE)).allow,
  );
}

function servicesOf(resources: ResourceState[]): Array<{ service: string; resources: string[] }> {
  const by = new Map<string, string[]>();
  for (const r of resources) by.set(r.service, [...(by.get(r.service) ?? []), r.resource]);
  return [...by].map(([service, names]) => ({ service, resources: names }));
}

/** sensiNact's model over REST: providers, services, resources; GET, SET, ACT. */
export async function twinRoutes(app: FastifyInstance, ctx: ModuleContext, hub: HubDataServices): Promise<void> {
  const { twins } = hub;

  app.get(
    '/providers',
    {
      config: browse,
      schema: {
        tags: ['hub'],
        summary: 'List the providers (digital twins) you may see',
        response: { 200: ProviderList },
      },
    },
    async (req) => {
      const items = [];
      for (const p of await twins.listProviders()) {
        const res = visible(req, ctx, p, await twins.listResources(p));
        if (res.length > 0) items.push({ ...p, services: servicesOf(res).map((s) => s.service) });
      }
      return { items };
    },
  );

  app.get<{ Params: Static<typeof ProviderParams> }>(
    '/providers/:provider',
    { config: browse, schema: { tags: ['hub'], params: ProviderParams, response: { 200: ProviderDetail } } },
    async (req) => {
      const p = await twins.getProvider(assertSegment(req.params.provider, 'provider'));
      const res = p ? visible(req, ctx, p, await twins.listResources(p)) : [];
      if (!p || res.length === 0) throw new MsecError('NOT_FOUND', `provider ${req.params.provider} not found`);
      return { ...p, services: servicesOf(res) };
    },
  );

  app.get<{ Params: Static<typeof ProviderParams> }>(
    '/providers/:provider/services',
    { config: browse, schema: { tags: ['hub'], params: ProviderParams, response: { 200: ServiceList } } },
    async (req) => {
      const p = await twins.getProvider(assertSegment(req.params.provider, 'provider'));
      const res = p ? visible(req, ctx, p, await twins.listResources(p)) : [];
      if (!p || res.length === 0) throw new MsecError('NOT_FOUND', `provider ${req.params.provider} not found`);
      return { items: servicesOf(res) };
    },
  );

  app.get<{ Params: Static<typeof ServiceParams> }>(
    '/providers/:provider/services/:service/resources',
    { config: browse, schema: { tags: ['hub'], params: ServiceParams, response: { 200: ResourceDescriptions } } },
    async (req) => {
      const p = await twins.getProvider(assertSegment(req.params.provider, 'provider'));
      const service = assertSegment(req.params.service, 'service');
      const res = p ? visible(req, ctx, p, await twins.listResources(p)).filter((r) => r.service === service) : [];
      if (res.length === 0) throw new MsecError('NOT_FOUND', `service ${req.params.provider}/${service} not found`);
      return { items: res.map(({ value: _v, timestamp: _t, receivedAt: _r, ...describe }) => describe) };
    },
  );

  const getValue = async (req: FastifyRequest<{ Params: PathParams }>) => {
    const path = pathOf(req.params);
    const p = await authorizeTwin(req, twins, path, 'READ');
    const r = await twins.getResource(p, path);
    if (!r) throw new MsecError('NOT_FOUND', `resource ${path.provider}/${path.service}/${path.resource} not found`);
    // Read through a grant with terms (a market listing): the value as those terms deliver it.
    const terms = readTerms(hub.grants.all(), req.subject!, twinRef(p.org, path, TWIN_ACTIONS.READ));
    refuseSingleValues(terms);
    return terms ? { ...r, value: roundValue(r.value, terms.decimals ?? null), terms } : r;
  };
  const getOpts = {
    config: browse,
    schema: {
      tags: ['hub'],
      summary: 'GET a resource: value, timestamp, signature status, metadata',
      params: ResourceParams,
      response: { 200: ResourceValue },
    },
  };
  app.get<{ Params: PathParams }>('/providers/:provider/services/:service/resources/:resource', getOpts, getValue);
  app.get<{ Params: PathParams }>('/providers/:provider/services/:service/resources/:resource/GET', getOpts, getValue);

  const setValue = async (req: FastifyRequest<{ Params: PathParams; Body: Static<typeof SetBody> }>) => {
    const path = pathOf(req.params);
    const p = await authorizeTwin(req, twins, path, 'UPDATE');
    const { value } = req.body;
    if (path.service === ADMIN_SERVICE) {
      const admin: Partial<ProviderState['admin']> = {};
      if (path.resource === 'location' && typeof value === 'object') admin.location = value as GeoJson;
      else if ((path.resource === 'friendlyName' || path.resource === 'icon') && typeof value === 'string')
        admin[path.resource] = value;
      else throw new MsecError('VALIDATION_FAILED', `admin/${path.resource} cannot take this value`);
      await twins.upsertProvider(p.provider, p.org, admin);
    } else {
      const r = await twins.getResource(p, path);
      if (!r) throw new MsecError('NOT_FOUND', `resource ${path.provider}/${path.service}/${path.resource} not found`);
      if (r.kind !== 'property')
        throw new MsecError('RESOURCE_NOT_SETTABLE', `only properties can be SET; this resource is a ${r.kind}`, {
          status: 409,
        });
      if (typeof value === 'object')
        throw new MsecError('VALIDATION_FAILED', 'value must be a number, boolean or string');
      await twins.setValue(path, value, ctx.clock.now());
    }
    return twins.getResource((await twins.getProvider(p.provider))!, path);
  };
  const setOpts = {
    config: browse,
    schema: {
      tags: ['hub'],
      summary: 'SET a property (or the admin service)',
      params: ResourceParams,
      body: SetBody,
      response: { 200: ResourceValue, ...errorReplies({ 409: 'RESOURCE_NOT_SETTABLE: not a property' }) },
    },
  };
  app.put<{ Params: PathParams; Body: Static<typeof SetBody> }>(
    '/providers/:provider/services/:service/resources/:resource',
    setOpts,
    setValue,
  );
  app.post<{ Params: PathParams; Body: Static<typeof SetBody> }>(
    '/providers/:provider/services/:service/resources/:resource/SET',
    setOpts,
    setValue,
  );

  const act = async (req: FastifyRequest<{ Params: PathParams; Body: Static<typeof ActBody> }>) => {
    const path = pathOf(req.params);
    const p = await authorizeTwin(req, twins, path, 'ACT');
    const r = await twins.getResource(p, path);
    if (!r || r.kind !== 'action')
      throw new MsecError('NOT_FOUND', `action ${path.provider}/${path.service}/${path.resource} not found`);
    const deviceId = await twins.deviceOf(path);
    if (!deviceId)
      throw new MsecError('TWIN_NO_DEVICE', 'no device has published for this provider yet', { status: 409 });
    const sent = await hub.sendAction(deviceId, path.service, path.resource, {
      arguments: req.body.arguments ?? {},
      by: req.subject!.id,
      at: ctx.clock.now(),
    });
    if (!sent) throw new MsecError('UNAVAILABLE', 'the MQTT broker is not running');
    return { status: 'sent', deviceId };
  };
  const actOpts = {
    config: browse,
    schema: {
      tags: ['hub'],
      summary: 'ACT: forward an action to the device over MQTT',
      params: ResourceParams,
      body: ActBody,
      response: { 200: ActionSent, ...errorReplies({ 409: 'TWIN_NO_DEVICE: no device has published yet' }) },
    },
  };
  app.post<{ Params: PathParams; Body: Static<typeof ActBody> }>(
    '/providers/:provider/services/:service/resources/:resource/act',
    actOpts,
    act,
  );
  app.post<{ Params: PathParams; Body: Static<typeof ActBody> }>(
    '/providers/:provider/services/:service/resources/:resource/ACT',
    actOpts,
    act,
  );

  app.put<{ Params: PathParams; Body: Static<typeof DefineBody> }>(
    '/providers/:provider/services/:service/resources/:resource/metadata',
    {
      config: browse,
      schema: {
        tags: ['hub'],
        summary: 'Declare a resource: kind and metadata (organisation admins)',
        params: ResourceParams,
        body: DefineBody,
        response: { 200: ResourceValue },
      },
    },
    async (req) => {
      const path = pathOf(req.params);
      if (path.service === ADMIN_SERVICE) throw new MsecError('VALIDATION_FAILED', 'the admin service is fixed');
      const existing = await twins.getProvider(path.provider);
      const org = existing?.org ?? req.subject!.org;
      req.authorize('hub:twin:define', { type: 'twin', org, id: `${path.provider}/${path.service}/${path.resource}` });
      await twins.defineResource(path, org, req.body.kind, req.body.metadata);
      return twins.getResource((await twins.getProvider(path.provider))!, path);
    },
  );
}
