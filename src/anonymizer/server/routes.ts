import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError } from '../../core/errors.ts';
import { parseOptions } from '../options.ts';
import { AnonymizedImage, Frame, frameErrors, FrameStored, Job, JobOutput, JobQueued, mediaErrors } from './replies.ts';
import { errorReplies } from '../../core/index.ts';
import type { AnonymizerService } from './service.ts';

export const IMAGE_LIMIT_BYTES = 25 * 1024 * 1024;
export const VIDEO_LIMIT_BYTES = 256 * 1024 * 1024;
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

const OptionsQuery = Type.Object(
  {
    classes: Type.Optional(Type.String({ maxLength: 100 })),
    fill: Type.Optional(Type.String({ maxLength: 20 })),
    minScore: Type.Optional(Type.Number()),
    dilation: Type.Optional(Type.Number()),
    shadow: Type.Optional(Type.Number()),
    faces: Type.Optional(Type.String({ maxLength: 20 })),
    plates: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);
const FrameParams = Type.Object(
  { sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
  { additionalProperties: false },
);
const CameraParams = Type.Object(
  { deviceId: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
/** An anonymized camera frame: a JPEG of at most this many bytes. */
export const FRAME_LIMIT_BYTES = 2 * 1024 * 1024;
const JobParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

const bearer = [{ bearerAuth: [] }];
/** Route-level gate for reading jobs (may this subject read its own jobs); the handler checks the job's owner. */
const readGate = {
  security: {
    action: 'anonymizer:job:read',
    resource: (req: FastifyRequest) => ({
      type: 'job',
      ...(req.subject?.org ? { org: req.subject.org } : {}),
      ...(req.subject ? { owner: req.subject.id } : {}),
    }),
  },
};
const tags = ['anonymizer'];

/** The GANonymizer-compatible body: `{"image": "<base64>"}`. */
function fromJson(body: unknown): Buffer {
  const image = (body as { image?: unknown } | null)?.image;
  if (typeof image !== 'string' || image.length === 0 || !/^[A-Za-z0-9+/=\s]+$/.test(image)) {
    throw new MsecError('ANONYMIZER_IMAGE_INVALID', 'the body must be {"image": "<base64 image>"}', { status: 400 });
  }
  return Buffer.from(image, 'base64');
}

async function uploaded(req: FastifyRequest): Promise<{ bytes: Buffer; json: boolean }> {
  if (req.isMultipart()) {
    const part = await req.file({ limits: { fileSize: IMAGE_LIMIT_BYTES, files: 1 } });
    if (!part) throw new MsecError('ANONYMIZER_IMAGE_EMPTY', 'the form has no file', { status: 400 });
    const bytes = await part.toBuffer();
    if (part.file.truncated) throw new MsecError('BODY_TOO_LARGE', 'the image is too large', { status: 413 });
    return { bytes, json: false };
  }
  // The route's body limit leaves room for base64; the image itself gets the same limit either way.
  const bytes = Buffer.isBuffer(req.body) ? req.body : fromJson(req.body);
  if (bytes.length > IMAGE_LIMIT_BYTES)
    throw new MsecError('BODY_TOO_LARGE', `the image is larger than ${IMAGE_LIMIT_BYTES} bytes`, { status: 413 });
  return { bytes, json: !Buffer.isBuffer(req.body) };
}

export async function anonymizerRoutes(app: FastifyInstance, service: AnonymizerService): Promise<void> {
  // Encapsulated: the raw-body parsers and multipart apply to these routes only.
  await app.register(async (scope) => {
    await scope.register(multipart);
    scope.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: IMAGE_LIMIT_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    scope.addContentTypeParser(
      /^(video\/|application\/octet-stream)/,
      { parseAs: 'buffer', bodyLimit: VIDEO_LIMIT_BYTES },
      (_req, body, done) => done(null, body),
    );

    scope.post<{ Querystring: Static<typeof OptionsQuery> }>(
      '/anonymizer/image',
      {
        config: { security: { action: 'anonymizer:image:create' } },
        bodyLimit: Math.ceil(IMAGE_LIMIT_BYTES * 1.4),
        schema: {
          tags,
          security: bearer,
          querystring: OptionsQuery,
          summary:
            'Anonymize one image: a raw JPEG/PNG/WebP body, a multipart file, or GANonymizer\'s {"image": base64} (answered the same way)',
          response: { 200: AnonymizedImage, ...mediaErrors },
        },
      },
      async (req, reply: FastifyReply) => {
        const options = parseOptions(req.query, service.options);
        const { bytes, json } = await uploaded(req);
        const out = await service.image(bytes, options);
        req.auditNote = {
          resource: 'anonymizer/image',
          detail: { removed: out.report.totals, width: out.report.width, height: out.report.height },
        };
        reply.header('x-anonymizer-removed', JSON.stringify(out.report.totals));
        if (json) return { image: out.bytes.toString('base64') };
        return reply.type(MIME[out.format]!).send(out.bytes);
      },
    );

    scope.post<{ Querystring: Static<typeof OptionsQuery> }>(
      '/anonymizer/jobs',
      {
        config: { security: { action: 'anonymizer:job:create' } },
        bodyLimit: VIDEO_LIMIT_BYTES,
        schema: {
          tags,
          security: bearer,
          querystring: OptionsQuery,
          summary: 'Queue a video file (raw body, video/* or application/octet-stream) for anonymization',
          response: { 202: JobQueued, ...mediaErrors },
        },
      },
      async (req, reply) => {
        if (!Buffer.isBuffer(req.body) || req.body.length === 0)
          throw new MsecError('ANONYMIZER_VIDEO_EMPTY', 'send the video as the raw body (Content-Type video/*)', {
            status: 400,
          });
        const options = parseOptions({ fill: 'background', ...req.query }, service.options);
        const job = service.submit(req.body, req.subject!.id, req.subject!.org, options);
        req.auditNote = { resource: `anonymizer/job/${job.id}`, detail: { bytes: req.body.length } };
        return reply.code(202).send({ id: job.id, status: job.status });
      },
    );

    // Camera frames: an enrolled camera (device credential) uploads each anonymized JPEG, then
    // publishes a signed reading whose value is `sha256:<hex>` of it (docs/anonymizer.md, "--to-hub").
    scope.post(
      '/anonymizer/frames',
      {
        config: { security: { action: 'anonymizer:frame:publish' } },
        bodyLimit: FRAME_LIMIT_BYTES,
        schema: {
          tags,
          security: bearer,
          summary: "An enrolled camera's anonymized frame (raw image/jpeg body); answers its sha256",
          response: { 201: FrameStored, ...frameErrors },
        },
      },
      async (req, reply) => {
        const body = req.body;
        if (!Buffer.isBuffer(body) || req.headers['content-type'] !== 'image/jpeg')
          throw new MsecError('UNSUPPORTED_MEDIA_TYPE', 'send the frame as image/jpeg');
        if (body.length < 4 || body[0] !== 0xff || body[1] !== 0xd8)
          throw new MsecError('ANONYMIZER_IMAGE_INVALID', 'the frame is not a JPEG', { status: 400 });
        const f = service.frames.put(body, req.subject!.name ?? req.subject!.id, req.subject!.org);
        req.auditNote = { resource: `anonymizer/frame/${f.sha256}`, detail: { deviceId: f.deviceId, bytes: f.bytes } };
        return reply.code(201).send({ sha256: f.sha256, value: `sha256:${f.sha256}`, bytes: f.bytes });
      },
    );

    const frameGate = {
      security: {
        action: 'anonymizer:frame:read',
        resource: (req: FastifyRequest) => ({ type: 'frame', ...(req.subject?.org ? { org: req.subject.org } : {}) }),
      },
    };
    const sendFrame = (req: FastifyRequest, reply: FastifyReply, sha256: string | undefined) => {
      const f = sha256 ? service.frames.get(sha256) : undefined;
      const missing = new MsecError('NOT_FOUND', 'no such frame');
      if (!f) throw missing;
      // Another organisation's frame answers exactly like a missing one.
      req.authorize('anonymizer:frame:read', { type: 'frame', ...(f.org ? { org: f.org } : {}) }, missing);
      return reply
        .type('image/jpeg')
        .header('x-frame-sha256', f.sha256)
        .header('x-frame-device', f.deviceId)
        .header('cache-control', 'no-store')
        .send(service.frames.read(f.sha256));
    };
    scope.get<{ Params: Static<typeof FrameParams> }>(
      '/anonymizer/frames/:sha256',
      {
        config: frameGate,
        schema: {
          tags,
          security: bearer,
          params: FrameParams,
          summary: 'An anonymized camera frame by its sha256',
          response: { 200: Frame },
        },
      },
      async (req, reply) => sendFrame(req, reply, req.params.sha256),
    );
    scope.get<{ Params: Static<typeof CameraParams> }>(
      '/anonymizer/cameras/:deviceId/latest',
      {
        config: frameGate,
        schema: {
          tags,
          security: bearer,
          params: CameraParams,
          summary: "A camera's newest anonymized frame",
          response: { 200: Frame },
        },
      },
      async (req, reply) => sendFrame(req, reply, service.frames.latest(req.params.deviceId)[0]?.sha256),
    );

    const ownJob = (req: FastifyRequest<{ Params: Static<typeof JobParams> }>, action: string) => {
      const job = service.get(req.params.id);
      if (!job) throw new MsecError('NOT_FOUND', 'no such job');
      req.authorize(action, { type: 'job', ...(job.org ? { org: job.org } : {}), owner: job.owner });
      return job;
    };

    scope.get<{ Params: Static<typeof JobParams> }>(
      '/anonymizer/jobs/:id',
      {
        config: readGate,
        schema: {
          tags,
          security: bearer,
          params: JobParams,
          summary: "A video job's status and progress (frames, fps, ETA) and, once done, its report",
          response: { 200: Job },
        },
      },
      async (req) => {
        const { id, status, progress, error, report } = ownJob(req, 'anonymizer:job:read');
        return { id, status, progress, ...(error ? { error } : {}), ...(report ? { report } : {}) };
      },
    );

    scope.get<{ Params: Static<typeof JobParams> }>(
      '/anonymizer/jobs/:id/output',
      {
        config: readGate,
        schema: {
          tags,
          security: bearer,
          params: JobParams,
          summary: 'The anonymized video (MP4) of a finished job',
          response: { 200: JobOutput, ...errorReplies({ 409: 'ANONYMIZER_JOB_NOT_DONE' }) },
        },
      },
      async (req, reply) => {
        const job = ownJob(req, 'anonymizer:job:read');
        if (job.status !== 'done')
          throw new MsecError('ANONYMIZER_JOB_NOT_DONE', `the job is ${job.status}`, { status: 409 });
        const { createReadStream } = await import('node:fs');
        return reply.type('video/mp4').send(createReadStream(job.output));
      },
    );
  });
}
