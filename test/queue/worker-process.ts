// `sluice worker` in a process of its own, for tests that kill it (it registers in sluice_queue.workers when ready).
import { main } from '../../src/cli/main.js';

const [dir, concurrency = '1'] = process.argv.slice(2);
process.exitCode = await main(['node', 'sluice', '--project', dir!, 'worker', '--concurrency', concurrency]);
