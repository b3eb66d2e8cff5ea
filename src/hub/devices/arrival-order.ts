/**
 * Keeps the readings of one device in arrival order across asynchronous verification: signatures
 * are checked in parallel on the thread pool and may finish in any order, but the counter guard
 * must see a device's readings in the order they came (a later counter first would make the
 * earlier one look replayed). Each reading takes a turn when it arrives and proceeds past
 * verification only once the device's previous reading has released its turn.
 */
export interface Turn {
  /** Settles when the previous reading of the same device has released; undefined when there is none. */
  readonly ready: Promise<void> | undefined;
  release(): void;
}

export class ArrivalOrder {
  private readonly tails = new Map<string, Promise<void>>();

  /** Takes the next turn for `key`. Release it exactly once, whatever happens to the reading. */
  enter(key: string): Turn {
    const ready = this.tails.get(key);
    let open!: () => void;
    const done = new Promise<void>((resolve) => (open = resolve));
    this.tails.set(key, done);
    let released = false;
    return {
      ready,
      release: () => {
        if (released) return;
        released = true;
        open();
        // The last turn of an idle device leaves nothing behind.
        if (this.tails.get(key) === done) this.tails.delete(key);
      },
    };
  }

  /** Devices with readings in flight (for tests and metrics). */
  get pending(): number {
    return this.tails.size;
  }
}
