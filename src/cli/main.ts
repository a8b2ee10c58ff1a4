/**
 * The wirelens command line: commander wiring only. Each command parses its options into a typed
 * object, calls a run function, and maps the outcome to an exit code. User errors print one line,
 * never a stack trace; anything else is a bug and prints one. A command's module, and all it needs,
 * is loaded only when that command runs (option defaults come from modules with no runtime imports).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_NAT_LIMITS } from '../annotate/nat-limits.js';
import { ExitCode, isUserError, UserError } from '../core/errors.js';
import { DEFAULT_SESSION } from '../flow/defaults.js';
import type { SessionOptions } from '../flow/session.js';
import { TIME_MODES, type TimeMode } from '../report/format.js';
import { colorWanted, makeStyle } from '../report/style.js';
import { SORT_KEYS, type SortKey } from './conn-sort.js';
import { stderrDiagnostics } from './diagnostics.js';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function snapLength(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(
      'expected a whole number from 0 to 65535 (0: 65535, the most the cap binding captures)',
    );
  return n === 0 ? 65535 : n;
}

/** `-f EXPR` and trailing filter words: either one, or both joined with `and`. */
function joinFilters(flag: string | undefined, words: readonly string[]): string {
  const w = words.join(' ');
  if (flag === undefined || flag.trim() === '') return w;
  if (w.trim() === '') return flag;
  return `(${flag}) and (${w})`;
}

const SNIFF_HELP = `
Timestamps: the cap binding does not pass libpcap's packet timestamps to JavaScript, so each
packet is stamped when it reaches wirelens: a monotonic clock anchored to the wall clock at start,
in microseconds. A packet that waited in libpcap's buffer is stamped when wirelens gets to it:
the times include Node's event-loop delay and, within a burst, wirelens' own time per packet.
For the kernel's timestamps, capture with tcpdump -w and use wirelens read.

Statistics: the binding has no pcap_stats, so packets received by the filter and dropped by the
kernel are not known; the final report gives the packets wirelens got and the interface's own
counters (/sys/class/net/IFACE/statistics) over the capture.

Capturing needs root or CAP_NET_RAW and CAP_NET_ADMIN:
  sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))
Exit codes: 5 libpcap or cap missing, 6 no permission, 7 unknown interface, 2 bad filter.

Examples:
  wirelens sniff -i eth0 tcp port 80
  wirelens sniff -i eth0 --conns
  wirelens sniff -i eth0 -c 100 -w out.pcapng --json 'udp or arp'`;

function anyNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number of seconds');
  return n;
}

/** Options every flow-analysing command takes. */
function addSessionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--msl <seconds>',
      'maximum segment lifetime; TIME-WAIT lasts 2×MSL (Linux: 60 s)',
      positiveNumber,
      DEFAULT_SESSION.msl,
    )
    .option(
      '--max-conns <n>',
      'most TCP connections tracked at once (beyond: the one idle longest is evicted, half-open ones first)',
      positiveInt,
      DEFAULT_SESSION.maxConnections,
    );
}

function sessionFrom(o: Record<string, unknown>): SessionOptions {
  return { ...DEFAULT_SESSION, msl: o.msl as number, maxConnections: o.maxConns as number };
}

function styleFor(cmd: Command) {
  const g = cmd.optsWithGlobals() as { color?: boolean };
  return makeStyle(colorWanted(process.stdout, g.color));
}

function diagFor(cmd: Command) {
  const g = cmd.optsWithGlobals() as { color?: boolean; quiet?: boolean };
  return stderrDiagnostics(makeStyle(colorWanted(process.stderr, g.color)), g.quiet === true);
}

export function buildProgram(): Command {
  const program = new Command();
  // Set before any subcommand is added so every one inherits it: a bad option or argument exits
  // with the usage code (2) through main()'s handler instead of commander's own exit(1).
  program.exitOverride();
  program
    .name('wirelens')
    .description(
      'Network protocol inspection: decode captures, follow TCP connections on both endpoints, explain them.',
    )
    .version('0.1.0')
    .option('--no-color', 'disable colours (also: NO_COLOR=1, or output that is not a terminal)')
    .option('-q, --quiet', 'no notes on stderr (warnings and errors still shown)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });

  program
    .command('read')
    .description('decode a capture (pcap, pcapng, gzip; - for stdin) and print one line per packet')
    .argument('<file>', 'capture file, or - for standard input')
    .argument('[filter...]', 'tcpdump filter expression, e.g. "tcp port 80 and host 10.0.0.1"')
    .option('-c, --count <n>', 'stop after N matching packets', positiveInt)
    .addOption(
      new Option(
        '-t, --time <mode>',
        'time column: rel (since first packet), abs (UTC clock), delta (since previous), epoch, date',
      )
        .choices(TIME_MODES as string[])
        .default('rel'),
    )
    .option('-S, --absolute-seq', 'print raw TCP sequence numbers instead of relative ones')
    .option('-v, --verbose', 'print every layer of each packet as a tree')
    .option('-x, --hex', 'print each packet in hex and ASCII, split at layer boundaries')
    .option('--json', 'one JSON object per packet (NDJSON); see docs/json.md')
    .option('-w, --write <file>', 'save the matching packets (pcap, or pcapng if the name ends in .pcapng)')
    .addOption(new Option('--format <fmt>', 'format for -w').choices(['pcap', 'pcapng']))
    .option('--print', 'with -w, also print the packets')
    .option('--no-tags', 'do not show address classes (private, public, …) after addresses')
    .option('--local-net <cidr...>', 'mark these networks as your own (tag "local")')
    .action(async (file: string, filter: string[], o: Record<string, unknown>, cmd: Command) => {
      const { runRead } = await import('./read.js');
      const code = await runRead(
        {
          file,
          filter: filter.join(' '),
          count: o.count as number | undefined,
          time: o.time as TimeMode,
          absoluteSeq: o.absoluteSeq === true,
          verbose: o.verbose === true,
          hex: o.hex === true,
          json: o.json === true,
          write: o.write as string | undefined,
          format: o.format as 'pcap' | 'pcapng' | undefined,
          print: o.print === true,
          tags: o.tags !== false,
          localNets: (o.localNet as string[] | undefined) ?? [],
        },
        styleFor(cmd),
        diagFor(cmd),
      );
      process.exitCode = code;
    });

  addSessionOptions(
    program
      .command('conns')
      .description(
        "list TCP connections (both endpoints' final states, Zeek conn_state and history) and UDP flows",
      )
      .argument('<file>', 'capture file, or - for standard input')
      .argument('[filter...]', 'tcpdump filter expression applied to packets before tracking')
      .option(
        '--json',
        'one JSON object per connection (NDJSON), Zeek conn.log field names plus ours; see docs/json.md',
      )
      .option('--zeek', "write a conn.log in Zeek's TSV format (readable by zeek-cut)")
      .addOption(
        new Option(
          '--sort <key>',
          'sort by (default: start; with --json and no --sort, rows stream as connections end)',
        ).choices(SORT_KEYS as unknown as string[]),
      )
      .option('-r, --reverse', 'reverse the sort order')
      .option(
        '--state <states>',
        'only connections in these states: Zeek conn_state (SF,REJ,...) or RFC 9293 (TIME-WAIT,...)',
      )
      .option('-n, --limit <n>', 'show at most N connections', positiveInt)
      .option('--no-udp', 'leave out UDP flows'),
  ).action(async (file: string, filter: string[], o: Record<string, unknown>, cmd: Command) => {
    if (o.json === true && o.zeek === true)
      throw new UserError('choose one of --json and --zeek', ExitCode.usage);
    const { runConns } = await import('./conns.js');
    process.exitCode = await runConns(
      {
        file,
        filter: filter.join(' '),
        json: o.json === true,
        zeek: o.zeek === true,
        sort: o.sort as SortKey | undefined,
        reverse: o.reverse === true,
        states:
          typeof o.state === 'string'
            ? o.state
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : [],
        limit: o.limit as number | undefined,
        udp: o.udp !== false,
        session: sessionFrom(o),
      },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  addSessionOptions(
    program
      .command('explain')
      .description(
        "explain one TCP connection packet by packet: both endpoints' states, why they change, RFC rules",
      )
      .argument('<file>', 'capture file, or - for standard input')
      .argument(
        '[conn]',
        "connection number from 'wirelens conns', or endpoints like 10.0.0.1:40000-10.0.0.2:80",
      )
      .option('--json', 'the same story as JSON')
      .option('--step', 'pause after each packet (Enter for the next, q to quit); needs a terminal'),
  ).action(async (file: string, conn: string | undefined, o: Record<string, unknown>, cmd: Command) => {
    const { runExplain } = await import('./explain.js');
    process.exitCode = await runExplain(
      { file, conn, json: o.json === true, step: o.step === true, session: sessionFrom(o) },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  addSessionOptions(
    program
      .command('listeners')
      .description(
        'listening endpoints (from SYN-ACKs and RSTs), connections per listener, listen-backlog overflow findings',
      )
      .argument('<file>', 'capture file, or - for standard input')
      .argument('[filter...]', 'tcpdump filter expression applied to packets before tracking')
      .option('--json', 'one JSON object per listener'),
  ).action(async (file: string, filter: string[], o: Record<string, unknown>, cmd: Command) => {
    const { runListeners } = await import('./listeners.js');
    process.exitCode = await runListeners(
      { file, filter: filter.join(' '), json: o.json === true, session: sessionFrom(o) },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  addSessionOptions(
    program
      .command('report')
      .description(
        'the whole picture: capture summary, protocols, hosts, conversations, TCP states, listeners, TIME-WAIT, anomalies',
      )
      .argument('<file>', 'capture file, or - for standard input')
      .argument('[filter...]', 'tcpdump filter expression applied to packets before analysis')
      .option('--json', 'the whole report as one JSON object')
      .option('--top <n>', 'rows in the host and conversation tables', positiveInt, 15)
      .option('--local-net <cidr...>', 'mark these networks as your own (tag "local")'),
  ).action(async (file: string, filter: string[], o: Record<string, unknown>, cmd: Command) => {
    const { runReport } = await import('./report.js');
    process.exitCode = await runReport(
      {
        file,
        filter: filter.join(' '),
        json: o.json === true,
        top: o.top as number,
        localNets: (o.localNet as string[] | undefined) ?? [],
        session: sessionFrom(o),
      },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  addSessionOptions(
    program
      .command('sniff')
      .description(
        'capture live from a network interface (libpcap) and decode each packet as read does; --conns for a live connection table',
      )
      .argument(
        '[filter...]',
        'tcpdump filter expression, handed to libpcap (checked first, as read checks it)',
      )
      .option(
        '-i, --interface <name>',
        'capture device (default: the first one up, not loopback, with an address; see wirelens interfaces)',
      )
      .option('-f, --filter <expr>', 'filter expression (with trailing filter words too, both must match)')
      .option('-c, --count <n>', 'stop after N packets', positiveInt)
      .option('--duration <seconds>', 'stop after this many seconds', positiveNumber)
      .option(
        '-s, --snaplen <bytes>',
        'keep at most this many bytes of each packet, original lengths kept (0 or at most 65535)',
        snapLength,
      )
      .option('-w, --write <file>', 'also save the packets (pcap, or pcapng if the name ends in .pcapng)')
      .addOption(new Option('--format <fmt>', 'format for -w').choices(['pcap', 'pcapng']))
      .addOption(
        new Option(
          '-t, --time <mode>',
          'time column: rel (since first packet), abs (UTC clock), delta (since previous), epoch, date',
        )
          .choices(TIME_MODES as string[])
          .default('rel'),
      )
      .option('-S, --absolute-seq', 'print raw TCP sequence numbers instead of relative ones')
      .option('-v, --verbose', 'print every layer of each packet as a tree')
      .option('-x, --hex', 'print each packet in hex and ASCII, split at layer boundaries')
      .option(
        '--json',
        'one JSON object per packet as read --json, then {"summary": {connections, listeners, capture}}',
      )
      .option(
        '--conns',
        'a live connection table instead of packets (redrawn in place on a terminal, periodic lines otherwise)',
      )
      .option('--interval <seconds>', 'with --conns: seconds between updates', positiveNumber, 1)
      .option('--no-tags', 'do not show address classes (private, public, …) after addresses')
      .option('--local-net <cidr...>', 'mark these networks as your own (tag "local")')
      .addHelpText('after', SNIFF_HELP),
  ).action(async (filter: string[], o: Record<string, unknown>, cmd: Command) => {
    const { runSniff } = await import('./sniff.js');
    process.exitCode = await runSniff(
      {
        iface: o.interface as string | undefined,
        filter: joinFilters(o.filter as string | undefined, filter),
        count: o.count as number | undefined,
        duration: o.duration as number | undefined,
        snaplen: o.snaplen as number | undefined,
        write: o.write as string | undefined,
        format: o.format as 'pcap' | 'pcapng' | undefined,
        time: o.time as TimeMode,
        absoluteSeq: o.absoluteSeq === true,
        verbose: o.verbose === true,
        hex: o.hex === true,
        json: o.json === true,
        conns: o.conns === true,
        interval: o.interval as number,
        tags: o.tags !== false,
        localNets: (o.localNet as string[] | undefined) ?? [],
        session: sessionFrom(o),
      },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  program
    .command('interfaces')
    .description('list live capture devices (libpcap) with their addresses and flags')
    .option('--json', 'one JSON object per interface')
    .action(async (o: Record<string, unknown>, cmd: Command) => {
      const { runInterfaces } = await import('./interfaces.js');
      process.exitCode = await runInterfaces({ json: o.json === true }, styleFor(cmd));
    });

  addSessionOptions(
    program
      .command('http')
      .description('HTTP/1.x transactions over reassembled TCP: method, URI, status, sizes, TTFB, TCP events')
      .argument('<file>', 'capture file, or - for standard input')
      .argument('[filter...]', 'tcpdump filter expression applied to packets before analysis')
      .option('-v, --verbose', 'show request and response headers')
      .option(
        '--json',
        'one JSON object per transaction (Zeek http.log field names plus timings); see docs/json.md',
      ),
  ).action(async (file: string, filter: string[], o: Record<string, unknown>, cmd: Command) => {
    const { runHttp } = await import('./http.js');
    process.exitCode = await runHttp(
      {
        file,
        filter: filter.join(' '),
        json: o.json === true,
        verbose: o.verbose === true,
        session: sessionFrom(o),
      },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  addSessionOptions(
    program
      .command('follow')
      .description("print a TCP connection's reassembled byte streams (escaped text, or hex with -x)")
      .argument('<file>', 'capture file')
      .argument(
        '<conn>',
        "connection number from 'wirelens conns', or endpoints like 10.0.0.1:40000-10.0.0.2:80",
      )
      .option('-x, --hex', 'hex and ASCII instead of escaped text'),
  ).action(async (file: string, conn: string, o: Record<string, unknown>, cmd: Command) => {
    const { runFollow } = await import('./http.js');
    process.exitCode = await runFollow(
      { file, conn, hex: o.hex === true, session: sessionFrom(o) },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  addSessionOptions(
    program
      .command('nat')
      .description(
        'NAT translation table from captures on both sides of a NAT (INSIDE OUTSIDE); with one capture, NAT hints',
      )
      .argument(
        '<captures...>',
        'INSIDE OUTSIDE: captures taken on both sides of the NAT; or one capture for hints',
      )
      .option('--json', 'the translation table (or the hints) as one JSON object')
      .option('--hints', 'with two captures, also the single-capture NAT hints of each')
      .option('--max-delay <seconds>', 'largest believable delay through the NAT', positiveNumber, 2)
      .option(
        '--clock-offset <seconds>',
        'outside clock − inside clock, when known (estimated from the packets otherwise)',
        anyNumber,
      )
      .option(
        '--max-flows <n>',
        'flows kept per capture for matching (beyond: counted, not matched)',
        positiveInt,
        DEFAULT_NAT_LIMITS.maxFlows,
      )
      .option(
        '--packets-per-flow <n>',
        'packets fingerprinted per flow (its first N)',
        positiveInt,
        DEFAULT_NAT_LIMITS.packetsPerFlow,
      ),
  ).action(async (captures: string[], o: Record<string, unknown>, cmd: Command) => {
    if (captures.length > 2)
      throw new UserError('nat takes one capture (hints) or two: INSIDE OUTSIDE', ExitCode.usage);
    const { runNat } = await import('./nat.js');
    process.exitCode = await runNat(
      {
        files: captures,
        json: o.json === true,
        hints: o.hints === true,
        maxDelay: o.maxDelay as number,
        clockOffset: o.clockOffset as number | undefined,
        limits: {
          ...DEFAULT_NAT_LIMITS,
          maxFlows: o.maxFlows as number,
          packetsPerFlow: o.packetsPerFlow as number,
        },
        session: sessionFrom(o),
      },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  addSessionOptions(
    program
      .command('arp')
      .description(
        'ARP explained: IP → MAC table, requests and replies, gratuitous ARP, probes, conflicts, spoofing',
      )
      .argument('<file>', 'capture file, or - for standard input')
      .argument('[filter...]', 'tcpdump filter expression applied to packets first')
      .option('--json', 'the ARP summary as one JSON object'),
  ).action(async (file: string, filter: string[], o: Record<string, unknown>, cmd: Command) => {
    const { runArp } = await import('./arp.js');
    process.exitCode = await runArp(
      { file, filter: filter.join(' '), json: o.json === true, session: sessionFrom(o) },
      styleFor(cmd),
      diagFor(cmd),
    );
  });

  program
    .command('addr')
    .description(
      'classify addresses: private, CGNAT, loopback, link-local, documentation, multicast scope, public, …',
    )
    .argument('<address...>', 'IPv4 or IPv6 addresses')
    .option('--json', 'one JSON object per address')
    .option('--local-net <cidr...>', 'mark these networks as your own (e.g. 192.168.1.0/24)')
    .action(async (addresses: string[], o: Record<string, unknown>, cmd: Command) => {
      const { runAddr } = await import('./addr.js');
      process.exitCode = await runAddr(
        { addresses, json: o.json === true, localNets: (o.localNet as string[] | undefined) ?? [] },
        styleFor(cmd),
      );
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({
    writeErr: (s) => process.stderr.write(s),
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every other parse problem is a usage error.
      process.exitCode = e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return;
    }
    if (isUserError(e)) {
      // Multi-line messages (a filter with a caret under the bad token) go below the prefix, indented.
      const msg = e.message.includes('\n') ? `error:\n${e.message.replace(/^/gm, '  ')}` : e.message;
      process.stderr.write(`wirelens: ${msg}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(
      `wirelens: internal error (a bug; please report it with the capture if you can):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = ExitCode.internal;
  }
}

export { UserError };
