/** A service the stack started: what stops it again. */
export interface Running {
  stop(): Promise<void> | void;
}

/**
 * What a start-up has started so far, stopped last-first: when a later start fails, and at the
 * end of `stop()`. Each is stopped once. A failure to stop one does not leave the others running;
 * it is returned, named, for the caller to report.
 */
export class Started {
  private readonly items: Array<{ name: string; running: Running; stopped: boolean }> = [];

  add<T extends Running>(name: string, running: T): T {
    this.items.push({ name, running, stopped: false });
    return running;
  }

  /** Stops these ahead of the rest, in this order (a shutdown that quiesces the stack first). */
  async stop(...first: Running[]): Promise<Error[]> {
    const errors: Error[] = [];
    for (const running of first) {
      const item = this.items.find((candidate) => candidate.running === running);
      if (!item) throw new Error('stop() of a service this start did not add');
      errors.push(...(await stopOnce(item)));
    }
    return errors;
  }

  async stopAll(): Promise<Error[]> {
    const errors: Error[] = [];
    for (const item of [...this.items].reverse()) errors.push(...(await stopOnce(item)));
    return errors;
  }
}

async function stopOnce(item: { name: string; running: Running; stopped: boolean }): Promise<Error[]> {
  if (item.stopped) return [];
  item.stopped = true;
  try {
    await item.running.stop();
    return [];
  } catch (error) {
    return [new Error(`stopping ${item.name}: ${(error as Error).message}`, { cause: error })];
  }
}
