/**
 * `peerlearn peer`: one peer of a group whose peers run in separate processes, on any machines that reach one
 * NATS server. Peer 0 coordinates (its --out is the group's run folder); every other learning peer serves it.
 * Every process takes the same settings as `train` (--preset, --config, --set, --steps, --seed), so that all of
 * them build the same group.
 */
import { UserError } from "../core/errors.js";
import { ensureDir } from "../core/folders.js";
import { sha256Text } from "../runs/checkpoint-manifest.js";
import { getKernels } from "../nn/kernels/select.js";
import { integerOption, parseCommand } from "./args.js";
import { formatGroupSummary, holdDashboard, maybeDashboard, progressPrinter, resolveGroupConfig } from "./train.js";
import { withResolvedPeers } from "../peers/peer-settings.js";
import { coordinateGroup, remotePeerIndices } from "../distributed/peers/peer-coordinator.js";
import { servePeer } from "../distributed/peers/peer-server.js";
import { GROUP_ID } from "../distributed/peers/peer-protocol.js";
import { redactUrl } from "../distributed/nats-connection.js";
import { usePrecision } from "../nn/kernels/precision.js";

export const PEER_USAGE = `  peer                  one peer of a group whose peers run in separate processes (any machines) on NATS;
                        peer 0 coordinates and writes the group's run folder; the others serve it
      --nats URL        the NATS server (nats:// or tls://)
      --group ID        the group's name (letters, digits, - and _), the same for every peer
      --index I         this peer's place in the group's peer list
      --print-config    print the resolved config (as every process of the group builds it) and exit
      --dashboard       (peer 0) serve a live page of the group's run folder; --port P as for train
      --preset, --config, --set, --steps, --seed, --out: as for train, the same in every process (--out: this
                        peer's own folder); the group runs the lockstep schedule; group.adviceTimeoutMs (default
                        10000) is how long a peer may take to answer before it is left out of a step`;

/** Takes --nats, --group and --index out of the arguments; the rest are train's. */
function splitArgs(args: string[]): { own: string[]; rest: string[] } {
  const own: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.split("=")[0];
    if (["--nats", "--group", "--index"].includes(name)) {
      own.push(a);
      if (!a.includes("=") && i + 1 < args.length) own.push(args[++i]);
    } else rest.push(a);
  }
  return { own, rest };
}

export async function peerCommand(args: string[]): Promise<void> {
  const { own, rest } = splitArgs(args);
  const { values } = parseCommand(own, {
    nats: { type: "string" },
    group: { type: "string" },
    index: { type: "string" },
  });
  if (values.nats === undefined) throw new UserError("peer needs --nats URL (the NATS server every peer reaches)");
  if (values.group === undefined || !GROUP_ID.test(values.group))
    throw new UserError("peer needs --group ID: 1 to 64 letters, digits, - or _, the same for every peer of the group");
  if (!rest.some((a) => a === "--preset" || a.startsWith("--preset=") || a === "--config" || a.startsWith("--config=")))
    throw new UserError("peer needs --preset NAME or --config FILE (the same in every process of the group)");
  const { config, preset, out, json, printConfig } = await resolveGroupConfig(rest);
  const index = integerOption("index", values.index, -1, 0, config.peers.length - 1);
  if (index < 0) throw new UserError(`peer needs --index I, from 0 to ${config.peers.length - 1}`);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  if (config.group.schedule !== "lockstep" || config.group.parallelTraining) {
    config.group.schedule = "lockstep";
    config.group.parallelTraining = false; // each peer trains in its own process already
  }
  const remote = remotePeerIndices(config);
  if (index > 0 && !remote.includes(index))
    throw new UserError(
      `peer ${index} of ${preset} is a scripted ${config.peers[index].kind}: it runs in peer 0's process (start the learners: ${[0, ...remote].join(", ")})`,
    );
  if (printConfig) {
    console.log(JSON.stringify(withResolvedPeers(config), null, 2));
    return;
  }
  if (index > 0 && rest.some((a) => a === "--dashboard" || a === "--port" || a.startsWith("--port=")))
    throw new UserError(
      "--dashboard shows the group's run folder, which peer 0 writes: give it to peer 0 (or run `peerlearn dashboard FOLDER`)",
    );
  const configHash = sha256Text(JSON.stringify(config));
  const kernels = getKernels();
  usePrecision(kernels, config.precision);
  // Without --out, the other peers' default folders are told apart from peer 0's (the group's run folder).
  const givenOut = rest.some((a) => a === "--out" || a.startsWith("--out="));
  const peerOut = index === 0 || givenOut ? out : `${out}-peer${index}`;
  ensureDir(peerOut);
  if (index > 0) {
    await servePeer(config, { url: values.nats, group: values.group, index, out: peerOut, kernels, configHash, log });
    return;
  }
  const dashboard = await maybeDashboard(rest, peerOut);
  log(
    `peerlearn peer 0: group ${values.group} of ${preset} on NATS ${redactUrl(values.nats)}: ${config.peers.length} peers (${remote.length} in other processes), seed ${config.seed}, ${config.steps} steps per peer, lockstep, kernels ${kernels.name} (${kernels.variant}), out ${peerOut}`,
  );
  const summary = coordinateGroup(config, {
    url: values.nats,
    group: values.group,
    out: peerOut,
    kernels,
    preset,
    configHash,
    progress: progressPrinter(),
    log,
  });
  console.log(formatGroupSummary(summary));
  if (json) console.log(JSON.stringify(summary));
  holdDashboard(dashboard);
}
