import { readFile, writeFile } from 'node:fs/promises';
import { MsecError } from '../core/errors.ts';
import { writeAtomically } from './files.ts';
import { decodeImage, encodeImage, formatFromPath, type ImageFormat } from './image-io.ts';
import type { AnonymizerOptions } from './options.ts';
import { renderFrame } from './render.ts';
import { ReportBuilder, type AnonymizeReport } from './report.ts';
import type { ObjectDetector } from './types.ts';

export interface AnonymizedImage {
  bytes: Buffer;
  format: ImageFormat;
  report: AnonymizeReport;
}

/** Decodes, anonymizes and re-encodes one still (in its own format unless told; metadata dropped). */
export async function anonymizeImage(
  bytes: Uint8Array,
  options: AnonymizerOptions,
  detector: ObjectDetector,
  outFormat?: ImageFormat,
): Promise<AnonymizedImage> {
  const { frame, format } = await decodeImage(bytes, options.maxPixels);
  const report = new ReportBuilder();
  const result = await renderFrame(frame, await detector.detect(frame), options);
  report.add(0, result);
  const out = outFormat ?? format;
  return {
    bytes: await encodeImage(frame, out),
    format: out,
    report: report.build({ input: '', output: '', kind: 'image', width: frame.width, height: frame.height }),
  };
}

export async function anonymizeImageFile(
  input: string,
  output: string,
  options: AnonymizerOptions,
  detector: ObjectDetector,
): Promise<AnonymizeReport> {
  const format = formatFromPath(output);
  if (!format)
    throw new MsecError('ANONYMIZER_OUTPUT_UNSUPPORTED', 'an image output must end in .jpg, .jpeg, .png or .webp');
  let bytes: Buffer;
  try {
    bytes = await readFile(input);
  } catch (err) {
    throw new MsecError('ANONYMIZER_INPUT_UNREADABLE', `cannot read ${input}: ${(err as Error).message}`);
  }
  const r = await anonymizeImage(bytes, options, detector, format);
  await writeAtomically(output, (tmp) => writeFile(tmp, r.bytes));
  return { ...r.report, input, output };
}
