import '../anonymizer/anonymizer.css';
import { ImagePanel } from '../anonymizer/image-panel.tsx';
import { VideoPanel } from '../anonymizer/video-panel.tsx';

/**
 * The anonymizer: remove people, vehicles, faces and plates from an image (before and after side by
 * side, what was removed per class) or a video (a job followed to its end, then played and downloaded).
 */
export function AnonymizerPage() {
  return (
    <>
      <h1>Anonymizer</h1>
      <p class="muted">
        People and vehicles are removed and filled in, faces and licence plates blurred, before a picture is shared.
        Nothing is kept on the platform except a video job's result, for its owner.
      </p>
      <ImagePanel />
      <VideoPanel />
    </>
  );
}
