// Runs the CLI from this checkout's sources (not dist/), so the shared-server tests exercise the code under test.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
