// A camera for tests: serves JPEG files as MJPEG over HTTP (multipart/x-mixed-replace) on
// 127.0.0.1. The first connection sends each frame once and then stalls with the connection
// open; later connections loop the frames until closed. Prints "port N", then "connection K T".
// Usage: node --import tsx test/helpers/mjpeg-camera.ts FRAME.jpg...
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const frames = process.argv.slice(2).map((f) => readFileSync(f));
let connections = 0;
const server = createServer((_req, res) => {
  const n = ++connections;
  console.log(`connection ${n} ${Date.now()}`);
  res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=cam' });
  let i = 0;
  const timer = setInterval(() => {
    if (n === 1 && i === frames.length) console.log(`stalled ${Date.now()}`);
    if (n === 1 && i >= frames.length) {
      i++;
      return;
    }
    const jpeg = frames[i++ % frames.length]!;
    res.write(`--cam\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
    res.write(jpeg);
    res.write('\r\n');
  }, 150);
  res.on('close', () => clearInterval(timer));
});
server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as AddressInfo).port}`));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
