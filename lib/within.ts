// Waits for a promise at most `ms`: true when it settled in time, false when the time ran out first (it keeps
// running); a rejection in time is thrown. The timer is cleared either way and never keeps the process alive.
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
