/**
 * The critic term (Eq. 3): the asking peer's own critic values each suggestion, Q_i(s, a_j) (SAC: the minimum of
 * its twin critics). It learns with the peer's own training, so it has no update and no state of its own.
 */
import type { ValueTerm, ValueTermPlugin } from "./value-term.js";

const critic: ValueTerm = {
  name: "critic",
  values: (m, actions, n, out) => m.peer.critic(m.obs, actions, n, out),
  update: () => {},
  repeatable: true,
  logged: () => null,
  getState: () => null,
  setState: () => {},
};

export const criticTerm: ValueTermPlugin = {
  name: "critic",
  enabled: (config) => config.group.critic,
  create: () => ({ ...critic }),
};
