/**
 * A detector stand-in for the outbox's crash tests: queues `count` alerts in `dir`, then
 * delivers them to `url` until killed. Usage: node outbox-child.js DIR URL COUNT
 */

import { createConsoleSink, createOutbox } from '../outbox.js';
import { testEnvelope } from './envelope.js';

const [dir, url, count] = process.argv.slice(2);
if (dir === undefined || url === undefined || count === undefined) {
  console.error('usage: outbox-child DIR URL COUNT');
  process.exit(2);
}
const outbox = createOutbox({
  dir,
  sink: createConsoleSink({ consoleUrl: url, token: () => Promise.resolve('test-token') }),
  minBackoffMs: 20,
  maxBackoffMs: 200,
});
for (let i = 0; i < Number(count); i++) {
  const id = `alert-${String(i).padStart(3, '0')}`;
  await outbox.put(id, testEnvelope(id));
}
console.log('queued');
outbox.start();
await outbox.drained();
console.log('drained');
await outbox.stop();
