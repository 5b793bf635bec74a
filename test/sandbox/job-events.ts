// A job's server-sent events as the sandbox tests read them: GET /api/jobs/{id}/events
// with the parent's session, parsed into {event, id, data} until the `end` event.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import { sandboxEnv } from './fixtures';
import type { HttpEnv, PanelClient } from './http';

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

/** Reads /api/jobs/{id}/events until the `end` event (or the timeout). */
export function readJobEvents(client: PanelClient, id: string, timeoutMs = 120_000, env: HttpEnv = sandboxEnv()): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const req = https.request(`${env.panelUrl}/api/jobs/${id}/events`, {
      headers: { cookie: client.cookie ?? '', accept: 'text/event-stream' },
      ca: fs.readFileSync(env.panelCa),
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no end event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.event))}`)), timeoutMs);
    req.on('response', (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { event: 'message', data: null };
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue;
          ev.data = JSON.parse(data);
          events.push(ev);
          if (ev.event === 'end') {
            clearTimeout(timer);
            req.destroy();
            resolve(events);
          }
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(events);
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      if (events.at(-1)?.event === 'end') resolve(events);
      else reject(e);
    });
    req.end();
  });
}
