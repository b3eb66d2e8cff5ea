/** What the anonymizer routes answer (their `schema.response`). */
import Type from 'typebox';
import { errorReplies, openObject } from '../../core/index.ts';

const Binary = Type.String({ format: 'binary' });

export const AnonymizedImage = {
  description: 'the anonymized image, in the format asked for; JSON `{ image: base64 }` when asked for JSON',
  content: {
    'application/json': { schema: Type.Object({ image: Type.String({ description: 'base64' }) }) },
    'image/jpeg': { schema: Binary },
    'image/png': { schema: Binary },
    'image/webp': { schema: Binary },
  },
};
export const JobQueued = Type.Object({ id: Type.String(), status: Type.String() }, { description: 'job queued' });
export const Job = openObject({
  id: Type.String(),
  status: Type.String(),
  progress: Type.Unknown({ description: 'frames, fps, ETA' }),
  error: Type.Optional(Type.Unknown()),
  report: Type.Optional(Type.Unknown()),
});
export const JobOutput = { description: 'the anonymized video', content: { 'video/mp4': { schema: Binary } } };

export const mediaErrors = errorReplies({
  413: 'ANONYMIZER_IMAGE_TOO_LARGE / BODY_TOO_LARGE',
  415: 'ANONYMIZER_IMAGE_UNSUPPORTED / UNSUPPORTED_MEDIA_TYPE',
  422: 'ANONYMIZER_VIDEO_DECODE_FAILED / ANONYMIZER_VIDEO_NO_STREAM',
});

export const FrameStored = Type.Object(
  {
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    value: Type.String({ description: 'what the camera publishes as its signed reading: `sha256:<hex>`' }),
    bytes: Type.Integer(),
  },
  { description: 'the frame is stored' },
);
export const Frame = {
  description: 'the anonymized JPEG; headers x-frame-sha256 and x-frame-device',
  content: { 'image/jpeg': { schema: Binary } },
};
export const frameErrors = errorReplies({
  400: 'ANONYMIZER_IMAGE_INVALID: not a JPEG',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE: send image/jpeg',
});
