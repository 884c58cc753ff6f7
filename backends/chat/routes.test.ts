import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';

const app = createApp({ serverId: '1', serverName: 'backend1' });

describe('the chat page and API without the cluster', () => {
  it('serves the page for a valid room, with the room as text and the session script', async () => {
    const r = await app.request('/chat?room=lobby');
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).toContain('data-room="lobby"');
    expect(body).toContain('<script type="module" src="/chat/page.js">');
    expect(body).toMatch(/aria-live="polite"/);
    const script = await app.request('/chat/page.js');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    // Messages go on the page as text, never as HTML.
    expect(await script.text()).toMatch(/textContent = m\.text/);
  });

  it('asks for a room without one, and refuses a bad one with 400 and the rule', async () => {
    expect(await (await app.request('/chat')).text()).toContain('name="room"');
    const bad = await app.request('/chat?room=%3Cscript%3E');
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain('room must be');
    expect(text).not.toContain('<script>');
  });

  it('answers the API with 503 and the reason when this backend has no cluster', async () => {
    const r = await app.request('/api/chat/rooms');
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ error: 'chat not configured' });
  });
});
