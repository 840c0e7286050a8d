// `sluice worker` in a process of its own, for the postgres scenarios to kill (it registers in sluice_queue.workers).
import { main } from '../../src/cli/main.js';

const [dir, concurrency = '1'] = process.argv.slice(2);
process.exitCode = await main(['node', 'sluice', '--project', dir!, 'worker', '--concurrency', concurrency]);
