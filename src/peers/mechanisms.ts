/**
 * The registry of peer learning's mechanisms: one line each. Value terms are summed in this order (it fixes the
 * floating-point sum, so it must not change); advisors registered later are tried first, peer learning's advice
 * is the default.
 */
import { registerAdvisor } from "./advisor.js";
import { agentValuesTerm } from "./agent-values.js";
import { consensusTerm } from "./consensus.js";
import { criticTerm } from "./critic.js";
import { lectrAdvice } from "./lectr-advisor.js";
import { peerAdvice } from "./peer-advice.js";
import { trustTerm } from "./trust.js";
import { registerValueTerm } from "./value-term.js";

registerValueTerm(criticTerm);
registerValueTerm(trustTerm);
registerValueTerm(agentValuesTerm);
registerValueTerm(consensusTerm);

registerAdvisor(peerAdvice);
registerAdvisor(lectrAdvice);
