import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { ChoicesForm } from './choices.tsx';
import { DropFile } from './drop-file.tsx';
import { Removed } from './removed.tsx';
import { CLASSES, share, submitVideo, type Choices, type JobView } from './upload.ts';

const POLL_MS = 1000;

/** One job, polled until it is done or failed: a progress bar, then the video and its download. */
function JobRow({ id, name }: { id: string; name: string }) {
  const [job, setJob] = useState<JobView | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () =>
      api<JobView>('GET', `/anonymizer/jobs/${id}`).then(
        (j) => {
          if (!live) return;
          setJob(j);
          setError('');
          if (j.status === 'queued' || j.status === 'running') timer = setTimeout(tick, POLL_MS);
        },
        (e: unknown) => {
          if (!live) return;
          setError(errorText(e));
          timer = setTimeout(tick, POLL_MS * 5);
        },
      );
    void tick();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [id]);

  const s = job ? share(job.progress) : undefined;
  const output = `/api/v1/anonymizer/jobs/${id}/output`;
  return (
    <li class="job" data-testid="video-job" data-job={id} data-status={job?.status ?? 'queued'}>
      <div class="row">
        <strong>{name}</strong>
        <span class="muted small mono">{id}</span>
        <span data-testid="job-status">{job?.status ?? 'queued'}</span>
      </div>
      {(!job || job.status === 'queued' || job.status === 'running') && (
        <div class="row">
          <progress
            aria-label={`Progress of ${name}`}
            data-testid="job-progress"
            data-frames={job?.progress.frames ?? 0}
            max={1}
            {...(s === undefined ? {} : { value: s })}
          />
          <span class="small" data-testid="job-frames">
            {job?.progress.frames ?? 0}
            {job?.progress.total ? ` / ${job.progress.total}` : ''} frames
            {job?.progress.fps ? ` · ${job.progress.fps.toFixed(1)} fps` : ''}
            {job?.progress.etaSeconds !== undefined ? ` · about ${Math.ceil(job.progress.etaSeconds)} s left` : ''}
          </span>
        </div>
      )}
      {job?.status === 'failed' && (
        <p role="alert" class="error">
          {job.error ? `${job.error.message} (${job.error.code})` : 'the job failed'}
        </p>
      )}
      {job?.status === 'done' && (
        <>
          <video controls preload="metadata" src={output} data-testid="job-video" aria-label={`Anonymized ${name}`} />
          <p>
            <a href={output} download={`anonymized-${name.replace(/\.[^.]*$/, '')}.mp4`} data-testid="job-download">
              Download the anonymized video (MP4)
            </a>
            {job.report && (
              <span class="muted small">
                {' '}
                · {job.report.frames} frames, {job.report.width}×{job.report.height}, {job.report.seconds.toFixed(1)} s
              </span>
            )}
          </p>
          {job.report && <Removed totals={job.report.totals} testid="job-report" />}
        </>
      )}
      {error && <p class="error">{error}</p>}
    </li>
  );
}

/** Submit a video (choose or drop it) and follow its jobs; they are read by whoever submitted them. */
export function VideoPanel() {
  const [choices, setChoices] = useState<Choices>({ fill: 'background', classes: [...CLASSES] });
  const [jobs, setJobs] = useState<Array<{ id: string; name: string }>>([]);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');

  const run = async (file: File) => {
    setError('');
    setBusy(`Uploading ${file.name}…`);
    try {
      const { id } = await submitVideo(file, choices);
      setJobs((j) => [{ id, name: file.name }, ...j]);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy('');
    }
  };

  return (
    <section class="card anon-section" aria-labelledby="video-title">
      <h2 id="video-title">Video</h2>
      <ChoicesForm id="video-opt" value={choices} onChange={setChoices} />
      <DropFile
        id="video-file"
        label="Video to anonymize"
        accept="video/*"
        hint="Any video ffmpeg reads, up to 256 MB: choose a file or drop it here. The job runs on the platform; follow it below."
        onFile={(f) => void run(f)}
      />
      {busy && <p role="status">{busy}</p>}
      {error && (
        <p role="alert" class="error" data-testid="video-error">
          {error}
        </p>
      )}
      {jobs.length === 0 ? (
        <p class="muted">No video job in this session yet.</p>
      ) : (
        <ul class="jobs" aria-label="Video jobs">
          {jobs.map((j) => (
            <JobRow key={j.id} id={j.id} name={j.name} />
          ))}
        </ul>
      )}
    </section>
  );
}
