/**
 * For the places that go on without something when it fails (a folder that cannot be read, a server that does
 * not answer for a moment): says what was given up and why, once per distinct reason, instead of swallowing the
 * error. Expected cases with a known meaning (a value that is not JSON, refused by its schema) are not for this.
 */
import { printable } from "./errors.js";

const said = new Set<string>();

export type GiveUpLog = (line: string) => void;

const toStderr: GiveUpLog = (line) => process.stderr.write(`${line}\n`);

/** Logs `peerlearn: <what> (<why>)` unless that exact line was logged before. */
export function givenUp(what: string, error: unknown, log: GiveUpLog = toStderr): void {
  const why = error instanceof Error ? error.message : String(error);
  const line = `peerlearn: ${what} (${printable(why, 200)})`;
  if (said.has(line)) return;
  if (said.size >= 1000) said.clear(); // a long-lived server: the memory stays bounded
  said.add(line);
  log(line);
}

/** A catch handler: says what was given up (givenUp) and goes on with `fallback`. */
export function goOn<T>(what: string, fallback: T, log: GiveUpLog = toStderr): (error: unknown) => T {
  return (error) => {
    givenUp(what, error, log);
    return fallback;
  };
}
