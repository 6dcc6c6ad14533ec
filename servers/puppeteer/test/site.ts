import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The pages the tests browse, served by node:http on 127.0.0.1: forms, links, a page that logs
 * console errors, a slow page, an iframe, a page far larger than the output budget, redirects
 * to forbidden places, and hostile ones: a page whose script never yields, one that never
 * finishes loading, one with 200 000 elements. Every request is recorded so tests can see what the browser fetched.
 */
export interface Site {
  url: string;
  origin: string;
  port: number;
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

const page = (title: string, body: string, head = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${head}</head><body>${body}</body></html>`;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => void> = {
  '/': (_req, res) =>
    html(
      res,
      page(
        'Fixture home',
        `<main><h1>Fixture home</h1>
        <nav><a href="/form">Form</a> <a href="/frame">Frame</a> <a href="/console">Console</a> <a href="/big">Big</a></nav>
        <p>Welcome to the fixture site.</p></main>`,
      ),
    ),
  '/form': (_req, res) =>
    html(
      res,
      page(
        'Sign up',
        `<h1>Sign up</h1>
        <form action="/submitted" method="get">
          <label>Name <input name="name" value="old"></label>
          <label>Email <input name="email" type="email"></label>
          <label>Colour <select name="colour"><option value="r">Red</option><option value="g">Green</option><option value="b">Blue</option></select></label>
          <label><input type="checkbox" name="agree"> I agree</label>
          <label>Notes <textarea name="notes"></textarea></label>
          <button type="submit">Send</button>
        </form>
        <p id="keys">keys:</p>
        <div id="hoverme" onmouseenter="document.getElementById('tip').textContent='Tooltip shown'">Hover target</div>
        <p id="tip"></p>
        <script>document.addEventListener('keydown', (e) => { document.getElementById('keys').textContent += ' ' + e.key; });</script>`,
      ),
    ),
  '/submitted': (_req, res, url) =>
    html(
      res,
      page(
        'Submitted',
        `<h1>Thanks</h1><ul>${[...url.searchParams].map(([k, v]) => `<li>${escapeHtml(k)}=${escapeHtml(v)}</li>`).join('')}</ul>`,
      ),
    ),
  '/console': (_req, res) =>
    html(
      res,
      page(
        'Console',
        `<h1>Console</h1><script>
          console.log('hello from the page');
          console.warn('a warning');
          console.error('something broke: code 42');
          fetch('/missing').catch(() => {});
          setTimeout(() => { throw new Error('uncaught boom'); }, 0);
        </script>`,
      ),
    ),
  '/late': (_req, res) =>
    html(
      res,
      page(
        'Late',
        `<h1>Late</h1><p id="status">Loading</p><script>
          setTimeout(() => { document.getElementById('status').textContent = 'Ready now'; const b = document.createElement('button'); b.id = 'late-button'; b.textContent = 'Late button'; document.body.append(b); }, 600);
        </script>`,
      ),
    ),
  '/slow': (_req, res, url) => {
    const ms = Number(url.searchParams.get('ms') ?? '1500');
    setTimeout(() => html(res, page('Slow', '<h1>Slow page</h1>')), ms);
  },
  '/frame': (_req, res) =>
    html(
      res,
      page(
        'Frame',
        '<h1>Outer</h1><iframe title="Inner frame" src="/inner" width="400" height="200"></iframe><p>After the frame</p>',
      ),
    ),
  '/inner': (_req, res) =>
    html(res, page('Inner', `<p>Inside the frame</p><button onclick="this.textContent='Inner clicked'">Inner button</button>`)),
  '/big': (_req, res) => {
    const items = Array.from(
      { length: 3_000 },
      (_, i) => `<li><a href="/item/${i}">Item number ${i} with a fairly long descriptive name</a></li>`,
    );
    html(
      res,
      page(
        'Big',
        `<h1>Big</h1><main><ul>${items.join('')}</ul><h2>After the list</h2></main><footer><button>Last button</button></footer>`,
      ),
    );
  },
  '/links': (_req, res) =>
    html(
      res,
      page(
        'Links',
        `<a href="/form">To the form</a> <a href="/form" target="_blank">Form in a new tab</a>
         <a href="/download">Get the file</a> <a href="file:///etc/passwd">Local file</a>
         <a href="/redirect-metadata">Metadata by redirect</a>`,
      ),
    ),
  '/download': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="report.csv"' });
    res.end('a,b\n1,2\n');
  },
  // A download whose suggested name tries to climb out of the downloads folder.
  '/escaping-download': (_req, res) => html(res, page('Escape', '<a href="/download-escape">Get it</a>')),
  '/download-escape': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="../../escaped.csv"' });
    res.end('x\n');
  },
  '/redirect-metadata': (_req, res) => {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
    res.end();
  },
  '/redirect-metadata-name': (_req, res) => {
    res.writeHead(302, { location: 'http://metadata.google.internal/computeMetadata/v1/' });
    res.end();
  },
  '/redirect-form': (_req, res) => {
    res.writeHead(302, { location: '/form' });
    res.end();
  },
  '/subresource-metadata': (_req, res) =>
    html(
      res,
      page(
        'Sneaky',
        '<h1>Sneaky</h1><img alt="x" src="http://169.254.169.254/latest/meta-data/iam"><iframe src="http://[fd00:ec2::254]/"></iframe>',
      ),
    ),
  '/opener': (_req, res, url) =>
    html(
      res,
      page('Opener', `<button onclick="window.open('${escapeHtml(url.searchParams.get('to') ?? '/')}')">Open it</button>`),
    ),
  '/set-cookie': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'session=kept; Max-Age=3600; Path=/' });
    res.end(page('Cookie set', '<h1>Cookie set</h1>'));
  },
  '/whoami': (req, res) =>
    html(
      res,
      page(
        'Who am I',
        `<p id="cookie">cookie: ${escapeHtml(req.headers.cookie ?? 'none')}</p><p id="agent">agent: ${escapeHtml(req.headers['user-agent'] ?? '')}</p>`,
      ),
    ),
  '/upload': (_req, res) =>
    html(
      res,
      page(
        'Upload',
        `<form action="/upload-received" method="post" enctype="multipart/form-data">
          <label>Attachment <input type="file" name="attachment" multiple></label>
          <button type="submit">Send files</button>
        </form>
        <input type="file" id="hidden-file" style="display:none" onchange="document.getElementById('chosen').textContent = 'chosen: ' + [...this.files].map((f) => f.name).join(',')">
        <button type="button" onclick="document.getElementById('hidden-file').click()">Choose a picture</button>
        <p id="chosen"></p>`,
      ),
    ),
  '/upload-received': (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      html(res, page('Received', `<h1>Received</h1><pre>${escapeHtml(Buffer.concat(chunks).toString('utf8'))}</pre>`)),
    );
  },
  '/dialogs': (_req, res) =>
    html(
      res,
      page(
        'Dialogs',
        `<h1>Dialogs</h1>
        <button onclick="alert('Saved!'); document.getElementById('out').textContent = 'alert closed'">Alert</button>
        <button onclick="document.getElementById('out').textContent = 'confirm: ' + confirm('Delete everything?')">Confirm</button>
        <button onclick="document.getElementById('out').textContent = 'prompt: ' + prompt('Your name?', 'nobody')">Prompt</button>
        <p id="out">nothing yet</p>`,
      ),
    ),
  // Every object serialises as a string: a page that breaks what a snapshot's walk sends back.
  '/tampered': (_req, res) =>
    html(
      res,
      page(
        'Tampered',
        `<h1>Tampered</h1><script>Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'x' })</script>`,
      ),
    ),
  '/alert-on-load': (_req, res) => html(res, page('Loud', `<h1>Loud</h1><script>alert('Welcome!')</script>`)),
  '/drag': (_req, res) =>
    html(
      res,
      page(
        'Drag',
        `<h1>Drag</h1>
        <div id="card" draggable="true" role="button" aria-label="Card" style="width:80px;height:40px;background:#ccc">Card</div>
        <div id="bin" role="region" aria-label="Bin" style="width:200px;height:120px;margin-top:40px;border:2px dashed #333">Bin</div>
        <p id="log">no drop</p>
        <script>
          const bin = document.getElementById('bin');
          document.getElementById('card').addEventListener('dragstart', (e) => e.dataTransfer.setData('text/plain', 'card-1'));
          bin.addEventListener('dragover', (e) => e.preventDefault());
          bin.addEventListener('drop', (e) => { e.preventDefault(); document.getElementById('log').textContent = 'dropped ' + e.dataTransfer.getData('text/plain'); });
        </script>`,
      ),
    ),
  '/fill': (_req, res) =>
    html(
      res,
      page(
        'Fill',
        `<form action="/submitted" method="get">
          <label>Name <input name="name"></label>
          <label>Bio <textarea name="bio"></textarea></label>
          <label>Size <select name="size"><option value="s">Small</option><option value="m">Medium</option><option value="l">Large</option></select></label>
          <label><input type="checkbox" name="news"> Newsletter</label>
          <label><input type="checkbox" name="terms" checked> Terms</label>
          <label><input type="radio" name="plan" value="free" checked> Free</label>
          <label><input type="radio" name="plan" value="pro"> Pro</label>
          <button type="submit">Go</button>
        </form>`,
      ),
    ),
  '/storage': (_req, res) =>
    html(
      res,
      page(
        'Storage',
        `<p id="stored"></p><script>
          if (location.search === '?set') localStorage.setItem('theme', 'dark-42');
          document.getElementById('stored').textContent = 'theme: ' + (localStorage.getItem('theme') ?? 'none');
        </script>`,
      ),
    ),
  '/vitals': (_req, res) =>
    html(
      res,
      page(
        'Vitals',
        `<h1 id="hero">A page to measure</h1><p>Some text that paints first.</p>
        <script>
          setTimeout(() => {
            const start = performance.now(); while (performance.now() - start < 120) {}
            const banner = document.createElement('div'); banner.style.height = '200px'; banner.textContent = 'Late banner';
            document.body.prepend(banner);
          }, 100);
        </script>`,
      ),
    ),
  '/alert': (_req, res) => html(res, page('Alert', `<h1>Alert</h1><button onclick="alert('Hello there')">Alert me</button>`)),
  '/text': (_req, res) =>
    html(
      res,
      page(
        'Article',
        `<article><h1>Article</h1>${Array.from({ length: 400 }, (_, i) => `<p>Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(6)}</p>`).join('')}</article>`,
      ),
    ),
  // A page that stops yielding: `after` ms after its load event its script loops for ever. Just
  // before, it opens a WebSocket to /spin/started (the handshake is made by the browser's network
  // service, not the page's thread, and is recorded like a request) so a test knows when. With `once`, only the first load of that
  // key spins; later loads of the same URL are calm, so a reload can be told from the spin.
  '/spin': (_req, res, url) => {
    const id = url.searchParams.get('id') ?? '';
    const once = url.searchParams.get('once');
    if (once && spun.has(once)) {
      html(res, page('Calm again', '<h1>Calm again</h1><button>Still here</button>'));
      return;
    }
    if (once) spun.add(once);
    const after = Number(url.searchParams.get('after') ?? '0');
    html(
      res,
      page(
        'Spinning',
        `<h1>Spinning</h1><button>Stuck</button><script>
          addEventListener('load', () => setTimeout(() => {
            new WebSocket('ws://' + location.host + '/spin/started?id=${encodeURIComponent(id)}');
            for (;;) {}
          }, ${Number.isFinite(after) ? after : 0}));
        </script>`,
      ),
    );
  },
  // A page whose parser never gets past its first script: no DOMContentLoaded, no load.
  '/spin-while-loading': (_req, res) =>
    html(res, page('Never loads', '<h1>Never loads</h1><script>for (;;) {}</script><p>Unreachable</p>')),
  // Elements nested `divs` deep (built by script: the HTML parser stops nesting at 512), the
  // innermost a link whose text is `spans` elements further down. Chromium's own renderer gives
  // out somewhere past a few thousand levels.
  '/deep': (_req, res, url) => {
    const divs = Number(url.searchParams.get('divs') ?? '20000') || 0;
    const spans = Number(url.searchParams.get('spans') ?? '5000') || 0;
    html(
      res,
      page(
        'Deep',
        `<h1>Deep</h1><script>
          let at = document.body;
          for (let i = 0; i < ${divs}; i++) { const div = document.createElement('div'); at.append(div); at = div; }
          const link = document.createElement('a'); link.href = '/item/1'; at.append(link); at = link;
          for (let i = 0; i < ${spans}; i++) { const span = document.createElement('span'); at.append(span); at = span; }
          at.textContent = 'Deep link';
          document.body.append(Object.assign(document.createElement('p'), { textContent: 'After the depths' }));
        </script>`,
      ),
    );
  },
  // About 200 000 elements: 100 000 list items, each with a link.
  '/huge': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hugePage());
  },
  // Most of what a snapshot must get right, on one page: roles, names, values, states, what is
  // hidden, a password, shadow DOM, a srcdoc frame.
  '/kitchen': (_req, res) => html(res, kitchenPage()),
  // The inner page from another site (localhost is not 127.0.0.1): a frame in a renderer of its own.
  '/frame-cross': (req, res) => {
    const port = (req.headers.host ?? '').split(':')[1] ?? '';
    html(
      res,
      page(
        'Cross frame',
        `<h1>Outer</h1><iframe title="Other site" src="http://localhost:${port}/inner" width="400" height="200"></iframe><p>After the frame</p>`,
      ),
    );
  },
  '/tall': (_req, res) =>
    html(res, page('Tall', `<div style="height:6000px;background:linear-gradient(red,blue)"><h1 id="top">Tall</h1></div>`)),
};

function kitchenPage(): string {
  return page(
    'Kitchen',
    `<header><a href="/"><img src="/logo.png" alt="Logo"></a>
      <nav aria-label="Main"><ul><li><a href="/a">Alpha</a></li><li><a href="/b">Beta <span class="sr">(current)</span></a></li></ul></nav>
      <button aria-label="Open menu" aria-expanded="false"><svg aria-hidden="true"></svg></button>
      <input type="search" placeholder="Search the site"></header>
    <main>
      <article><header><h2><a href="/post">A post title</a></h2></header><p>Some <b>bold</b> text.</p>
        <figure><img src="/chart.png" alt="A chart"><figcaption>Figure 1</figcaption></figure><footer>Article footer</footer></article>
      <section aria-labelledby="s1"><h3 id="s1">Named section</h3><p>Body</p></section>
      <form aria-label="Settings">
        <fieldset><legend>Choose</legend>
          <label><input type="radio" name="r" value="1" checked> One</label><label><input type="radio" name="r" value="2"> Two</label></fieldset>
        <label for="n">Count</label><input id="n" type="number" value="3">
        <input type="range" aria-label="Volume" value="40">
        <input type="password" aria-label="Secret" value="hunter2">
        <input type="email" required aria-label="Mail">
        <input type="submit"><input type="reset" value="Clear">
        <textarea placeholder="Say something"></textarea>
        <select multiple aria-label="Many"><option>A</option><option selected>B</option></select>
        <input type="checkbox" aria-label="Tri" id="tri">
        <button disabled>Nope</button><button aria-pressed="true">Bold</button>
      </form>
      <details><summary>More</summary><p>Hidden details</p></details>
      <details open><summary>Open one</summary><p>Shown details</p></details>
      <div role="button" tabindex="0">Fake button</div><span role="checkbox" aria-checked="true" tabindex="0">Fake check</span>
      <div aria-hidden="true">Hidden by aria</div><div style="display:none">Hidden by display</div>
      <div style="visibility:hidden">Invisible <span style="visibility:visible">but this shows</span></div>
      <div role="alert">Alert text</div>
      <dialog open>A dialog <button>OK</button></dialog>
      <div id="host"></div>
      <iframe title="Inline" srcdoc="<p>Inside srcdoc</p><button>Srcdoc button</button>"></iframe>
    </main>
    <aside><h2>Sidebar</h2></aside>
    <footer><p>Footer text</p></footer>
    <script>
      document.getElementById('tri').indeterminate = true;
      document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML =
        '<button>Shadow button</button><label for="sf">Shadow field</label><input id="sf"><label>Wrapped <button>go</button></label>';
    </script>`,
    '<style>.sr{position:absolute;width:1px;height:1px;overflow:hidden}</style>',
  );
}

/** Keys of /spin?once=… pages already served spinning. */
const spun = new Set<string>();

let huge: string | undefined;
function hugePage(): string {
  huge ??= page(
    'Huge',
    `<main><h1>Huge</h1><ul>${Array.from({ length: 100_000 }, (_, i) => `<li><a href="#r${i}">Row ${i}</a></li>`).join('')}</ul><h2>The end</h2></main>`,
  );
  return huge;
}

function html(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function startSite(): Promise<Site> {
  const requests: Site['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers });
    const route = routes[url.pathname];
    if (route) route(req, res, url);
    else if (url.pathname.startsWith('/item/'))
      html(res, page(`Item ${url.pathname.slice(6)}`, `<h1>Item ${url.pathname.slice(6)}</h1>`));
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  // WebSocket handshakes are recorded like requests, then refused.
  server.on('upgrade', (req, socket) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: 'UPGRADE', path: url.pathname + url.search, headers: req.headers });
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
