// GET: server-sent events of one install job. Replays the stored progress
// events (after Last-Event-ID when the browser reconnects), then live ones as
// they come; `log` events carry pip's lines live; `end` carries the final job
// and closes the stream. A comment every 15 s keeps proxies from timing out.
// `no-transform` keeps any compression layer from buffering the stream.
import { guardedRead } from '@/lib/http/guard';
import { getJob, isFinal, jobEvents, jobNotFound, subscribe, type JobMessage } from '@/lib/jobs';
import { jobPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

const HEARTBEAT_MS = 15_000;

function frame(event: string, data: unknown, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const GET = guardedRead({ params: jobPathSchema }, ({ params, request }) => {
  const first = getJob(params.id);
  if (!first) throw jobNotFound();
  const lastId = Number(request.headers.get('last-event-id') ?? '0');
  const after = Number.isInteger(lastId) && lastId > 0 ? lastId : 0;
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let sentSeq = after;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const end = (job: unknown) => {
        send(frame('end', { job }));
        cleanup();
        try {
          controller.close();
        } catch {
          /* closed by the client */
        }
      };
      // Subscribe and replay in the same tick: events are stored and published
      // synchronously, so nothing falls between the replay and the live feed.
      const unsubscribe = subscribe(params.id, (m: JobMessage) => {
        if (m.type === 'progress') {
          if (m.event.seq <= sentSeq) return;
          sentSeq = m.event.seq;
          send(frame('progress', m.event, m.event.seq));
        } else if (m.type === 'state') {
          send(frame('state', { state: m.state }));
        } else if (m.type === 'log') {
          send(frame('log', { line: m.line }));
        } else {
          end(m.job);
        }
      });
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.signal.addEventListener('abort', () => cleanup(), { once: true });
      send('retry: 3000\n\n');
      for (const ev of jobEvents(params.id, after)) {
        sentSeq = ev.seq;
        send(frame('progress', ev, ev.seq));
      }
      const now = getJob(params.id)!;
      if (isFinal(now.state)) end(now);
      else send(frame('state', { state: now.state }));
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
    },
  });
});
