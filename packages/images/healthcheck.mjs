// The images' HEALTHCHECK: asks the server in this container for /healthz, with Node's own fetch
// (no curl in the image). In stdio mode (PATCHBAY_HTTP empty, or the gateway's PATCHBAY_STDIO)
// there is no port to ask: the container is healthy while its process runs.
const address = process.env.PATCHBAY_HTTP ?? '';
const stdio = address === '' || /^(1|true|yes)$/i.test(process.env.PATCHBAY_STDIO ?? '');
if (stdio) process.exit(0);
const port = /(\d+)\s*$/.exec(address)?.[1];
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`healthcheck: http://127.0.0.1:${port}/healthz: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
}
