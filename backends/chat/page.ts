// The chat page, /chat?room=NAME: plain HTML and one module script, no build step. Messages are
// put on the page as text (textContent), never as HTML, so whatever a message says stays text.
// The script drives session.ts, served as it is compiled (/chat/session.js).
import { html, raw } from 'hono/html';
import { limits } from './message.js';

const style = `
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1rem;color:#1b1b1b;background:#fafafa}
h1{font-size:1.4rem;margin:.2rem 0 .6rem}
#status{font-size:.9rem;color:#444;min-height:1.3em}
#log{list-style:none;padding:.5rem;margin:.5rem 0;height:55vh;overflow-y:auto;border:1px solid #bbb;background:#fff}
#log li{padding:.15rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
#log .who{font-weight:600;margin-right:.4rem}
#log time{color:#666;font-size:.8rem;margin-right:.4rem}
form{display:flex;gap:.5rem;flex-wrap:wrap;align-items:flex-end}
label{display:flex;flex-direction:column;font-size:.9rem}
textarea{flex:1;min-width:14rem;font:inherit}
button{font:inherit;padding:.35rem 1rem}
.sr{position:absolute;left:-10000px}`;

/** The page for `room` (already validated), or a form to pick one when room is undefined. */
export function chatPage(room: string | undefined, error?: string): string {
  if (room === undefined) {
    return html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <link rel="icon" href="data:," />
          <title>hakit chat</title>
          <style>
            ${raw(style)}
          </style>
        </head>
        <body>
          <main>
            <h1>hakit chat</h1>
            ${error ? html`<p role="alert">${error}</p>` : ''}
            <form method="get" action="/chat">
              <label>Room <input name="room" required pattern="[a-z0-9][a-z0-9_\\-]{0,${limits.roomMax - 1}}" value="lobby" /></label>
              <button>Join</button>
            </form>
          </main>
        </body>
      </html>`.toString();
  }
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="data:," />
        <title>${room} · hakit chat</title>
        <style>
          ${raw(style)}
        </style>
      </head>
      <body>
        <main data-room="${room}">
          <h1>Room <span id="room">${room}</span></h1>
          <p id="status" role="status">connecting…</p>
          <ol id="log" aria-live="polite" aria-label="Messages"></ol>
          <form id="send">
            <label>Nickname <input id="nick" maxlength="${limits.nickMax}" required autocomplete="nickname" /></label>
            <label class="grow"
              ><span class="sr">Message</span
              ><textarea
                id="text"
                rows="2"
                maxlength="${limits.textMax}"
                required
                placeholder="Message (Enter sends, Shift+Enter: new line)"
              ></textarea>
            </label>
            <button id="go" disabled>Send</button>
          </form>
        </main>
        <script type="module" src="/chat/page.js"></script>
      </body>
    </html>`.toString();
}

/** The page's script: joins the room with the nickname (kept in localStorage) and shows what the session delivers. */
export const pageScript = `import { ChatSession } from '/chat/session.js';
const room = document.querySelector('main').dataset.room;
const log = document.getElementById('log'), status = document.getElementById('status');
const nickInput = document.getElementById('nick'), text = document.getElementById('text'), go = document.getElementById('go');
nickInput.value = localStorage.getItem('hakit-chat-nick') || 'guest-' + Math.floor(Math.random() * 10000);
let session;
const wsUrl = (after) => {
  const u = new URL('/chat/ws', location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('room', room);
  u.searchParams.set('nick', nickInput.value.trim());
  if (after !== undefined) u.searchParams.set('after', String(after));
  return u.href;
};
function show(m) {
  const li = document.createElement('li');
  li.dataset.seq = String(m.seq);
  const t = document.createElement('time');
  t.dateTime = new Date(m.at).toISOString();
  t.textContent = new Date(m.at).toLocaleTimeString();
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = m.author;
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = m.text;
  li.append(t, who, body);
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
  log.append(li);
  while (log.children.length > 500) log.firstElementChild.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
}
function connect() {
  const last = session ? session.lastSeq : undefined;
  session?.close();
  session = new ChatSession({
    open: (after) => new WebSocket(wsUrl(after ?? last)),
    pingIntervalMs: 1000,
    silenceMs: 3000,
    onMessage: show,
    onWelcome: (w) => (status.dataset.server = w.server),
    onState: (s, why) => {
      go.disabled = s === 'closed';
      status.dataset.state = s;
      status.textContent = s === 'live' ? 'connected as ' + nickInput.value + ' (via ' + (status.dataset.server || '?') + ')' : s === 'connecting' ? 'reconnecting…' + (why ? ' (' + why + ')' : '') : s;
    },
    onFailed: (sid, code, message) => (status.textContent = 'not sent: ' + message),
  });
  window.chatSession = session;
}
nickInput.addEventListener('change', () => {
  localStorage.setItem('hakit-chat-nick', nickInput.value.trim());
  connect();
});
document.getElementById('send').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!text.value.trim()) return;
  session.send(text.value);
  text.value = '';
  text.focus();
});
text.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    document.getElementById('send').requestSubmit();
  }
});
connect();
`;
