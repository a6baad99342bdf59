/**
 * Where messages go: stderr, or with `-s/--syslog` (and `-d`) the system log, as inotifywait
 * sends them (facility daemon, level info, tagged with the program and its pid). Node has no
 * syslog client and /dev/log is a datagram socket Node cannot open, so each message is handed
 * to logger(1) (util-linux); where logger is missing, messages stay on stderr.
 */
import { spawnSync } from 'node:child_process';

/** Writes one message line (without its newline). */
export type MessageSink = (line: string) => void;

/**
 * The sink for messages.
 *
 * @param syslog - `-s`: the system log.
 * @param tag - the program's name.
 * @param stderr - the fallback stream.
 */
export function messageSink(
  syslog: boolean,
  tag: string,
  stderr: { write(text: string): boolean },
): MessageSink {
  if (!syslog) return (line) => stderr.write(`${line}\n`);
  return (line) => {
    const result = spawnSync('logger', ['-t', tag, `--id=${process.pid}`, '-p', 'daemon.info', '--', line], {
      stdio: 'ignore',
    });
    if (result.status !== 0) stderr.write(`${line}\n`);
  };
}
