// Finds a Python that can import pandas (Debian's python3-pandas lives in /usr/bin/python3, not in pyenv's shim).
import { spawnSync } from 'node:child_process';

/** A usable interpreter, or why the pandas comparison is skipped. */
export type PandasPython = { command: string; version: string } | { skipped: string };

export function findPandasPython(): PandasPython {
  const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  for (const command of new Set(candidates)) {
    const probe = spawnSync(command, ['-c', 'import pandas, sys; print(pandas.__version__, sys.version.split()[0])'], { encoding: 'utf8' });
    if (probe.status === 0) return { command, version: probe.stdout.trim() };
  }
  return {
    skipped: `no Python with pandas among ${candidates.join(', ')}; install Debian's python3-pandas (apt-get install -y python3-pandas) or set BENCH_PYTHON`,
  };
}
