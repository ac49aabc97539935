// Worker thread entry: profiles segments of a CSV (csvSegments.ts) for segmentedProfile.ts, so
// that every core reads a share of a large table. Kept apart from the I/O worker, so that neither
// thread loads the other's code.
import { parentPort } from 'node:worker_threads';
import {
  profileSegment,
  segmentResult,
  type SegmentRequest,
  type SegmentResult,
  type SegmentScratch,
} from './csvSegments.js';

/** The answer to a SegmentRequest: its profile, or why there is none. */
export type SegmentResponse =
  | { readonly index: number; readonly result: SegmentResult }
  | { readonly index: number; readonly error: string };

if (parentPort) {
  const port = parentPort;
  const scratch: SegmentScratch = {};
  port.on('message', (req: SegmentRequest) => {
    let answer: { result: SegmentResult; transfer: ArrayBuffer[] };
    try {
      answer = segmentResult(profileSegment(req, scratch));
    } catch (err) {
      port.postMessage({
        index: req.index,
        error: (err as Error).message,
      } satisfies SegmentResponse);
      return;
    }
    port.postMessage(
      { index: req.index, result: answer.result } satisfies SegmentResponse,
      answer.transfer,
    );
  });
}
