/**
 * `npm run vigil -- models register <name> <model.onnx> --config <config.json>`
 * The registration endpoint from a terminal: streams the file (a progress bar on a terminal, for
 * files of hundreds of megabytes), then prints the version, or the problem and exits 1.
 * Env: VIGIL_TRAINING_URL (http://127.0.0.1:8082), VIGIL_API_KEY (a key with models:admin).
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

const USAGE = 'usage: npm run vigil -- models register <name> <model.onnx> --config <config.json>\nenv: VIGIL_API_KEY (models:admin), VIGIL_TRAINING_URL (default http://127.0.0.1:8082)';

function progress(sent: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const done = Math.round((sent / total) * width);
  process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(sent / 1048576).toFixed(1)}/${(total / 1048576).toFixed(1)} MiB`);
  if (sent === total) process.stderr.write('\n');
}

async function register(name: string, file: string, configFile: string): Promise<number> {
  const key = process.env.VIGIL_API_KEY;
  if (!key) throw new Error('VIGIL_API_KEY is not set');
  const config = readFileSync(configFile, 'utf8');
  const size = statSync(file).size;
  const boundary = `----vigil-cli-${Date.now().toString(16)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="config"\r\nContent-Type: application/json\r\n\r\n${config}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="model"; filename="${path.basename(file).replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(`/v1/models/${encodeURIComponent(name)}/versions`, process.env.VIGIL_TRAINING_URL || 'http://127.0.0.1:8082');
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.write(head);
    let sent = 0;
    const stream = createReadStream(file);
    stream
      .on('data', (chunk) => {
        sent += chunk.length;
        progress(sent, size);
        // Backpressure: hold the file while the socket's buffer is full.
        if (!req.write(chunk)) {
          stream.pause();
          req.once('drain', () => stream.resume());
        }
      })
      .on('error', reject)
      .on('end', () => req.end(tail));
  });
  const answer = JSON.parse(body || '{}');
  if (status === 200 || status === 201) {
    console.log(`${answer.name} version ${answer.version} (${status === 201 ? 'registered' : 'already registered'}; sha256 ${answer.sha256}; task ${answer.task})`);
    return 0;
  }
  console.error(`refused (${status} ${answer.code ?? ''}): ${answer.detail ?? body}`);
  return 1;
}

async function main(args: string[]): Promise<number> {
  const configAt = args.indexOf('--config');
  const config = configAt >= 0 ? args[configAt + 1] : undefined;
  const positional = args.filter((_, i) => i !== configAt && i !== configAt + 1);
  if (positional[0] === 'models' && positional[1] === 'register' && positional.length === 4 && config) {
    return register(positional[2], positional[3], config);
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: Error) => {
  console.error(`vigil: ${err.message}`);
  process.exit(1);
});
