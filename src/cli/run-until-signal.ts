// Keeps a long-running command (`sluice dev`, `sluice daemon`) alive until Ctrl-C or SIGTERM, then stops it cleanly.

/**
 * Resolves once `stop` has finished after the first SIGINT or SIGTERM; a second signal exits at once with code 130
 * (whatever was running is marked failed on the next start; exit hooks still run). `what` and `cancels` make the
 * message printed at the first signal.
 * @example await runUntilSignal(dev.stop, 'stopping', 'canceling active runs');
 */
export function runUntilSignal(stop: () => Promise<void>, what: string, cancels: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals > 1) process.exit(130);
      process.stderr.write(`\n${signal}: ${what} (${cancels}; Ctrl-C again to quit at once)...\n`);
      stop().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      }, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
