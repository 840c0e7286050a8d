// `sluice worker` in a process of its own, for the postgres scenario to kill (it registers in sluice_queue.workers).
import { main } from '../../src/cli/main.js';

const [dir] = process.argv.slice(2);
process.exitCode = await main(['node', 'sluice', '--project', dir!, 'worker']);
