// Worker thread entry: profiles segments of a CSV (csvSegments.ts) for segmentedProfile.ts, so
// that every core reads a share of a large table. Kept apart from the I/O worker, so that neither
// thread loads the other's code.
import { parentPort } from 'node:worker_threads';
import {
  profileSegment,
  segmentResult,
  type SegmentContext,
  type SegmentRequest,
  type SegmentResult,
} from './csvSegments.js';

/** What the thread that profiles a table sends: what the first segment counted, then segments. */
export type ProfileWorkerMessage =
  | { readonly kind: 'counted'; readonly counted: SegmentContext['counted'] }
  | { readonly kind: 'segment'; readonly request: SegmentRequest };

/** The answer to a segment: its profile, or why there is none. */
export type SegmentResponse =
  | { readonly index: number; readonly result: SegmentResult }
  | { readonly index: number; readonly error: string };

if (parentPort) {
  const port = parentPort;
  const context: SegmentContext = {};
  port.on('message', (message: ProfileWorkerMessage) => {
    switch (message.kind) {
      case 'counted':
        context.counted = message.counted;
        return;
      case 'segment': {
        const req = message.request;
        let answer: { result: SegmentResult; transfer: ArrayBuffer[] };
        try {
          answer = segmentResult(profileSegment(req, context));
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
        return;
      }
    }
  });
}
