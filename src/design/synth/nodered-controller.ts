/** What the controller function node needs: the transition table and how each action's node behaves. */
export interface ControllerTable {
  initial: number;
  /** delta[state][action] = next state. */
  delta: Record<string, number>[];
  /** Controllable actions in output order (output i+1 fires controllable[i]); the first enabled one is fired. */
  controllable: string[];
  /** Actions whose node has no output (http response, debug…): the controller carries on at once. */
  terminal: Record<string, boolean>;
  /** Actions that answer the HTTP request. */
  responds: Record<string, boolean>;
  /** Actions realised by http request nodes, whose response headers must not leak into our answer. */
  clearHeaders: Record<string, boolean>;
  stateKey: string;
}

/**
 * The body of the controller's function node. It is code by nature (Node-RED runs it); the only data
 * in it is the table, embedded with JSON.stringify, so no action name can break out of it.
 */
export function controllerFunction(t: ControllerTable): string {
  const body = `
const T = ${JSON.stringify(t)};
const none = () => new Array(T.controllable.length + 1).fill(null);
let s = flow.get(T.stateKey);
if (msg.msecStart) {
  // The deploy-time start: only a controller that has not run yet fires its initial actions.
  if (s !== undefined) return null;
  delete msg.msecStart;
}
if (s === undefined) s = T.initial;
if (msg.msecEvent !== undefined) {
  const ev = msg.msecEvent;
  delete msg.msecEvent;
  const next = T.delta[s][ev];
  if (next === undefined) {
    msg.statusCode = 409;
    msg.payload = { error: { code: 'DESIGN_SYNTH_OUT_OF_ORDER', message: ev + ' is not allowed now (controller state Q' + s + ')' } };
    const o = none();
    o[0] = msg;
    return o;
  }
  s = next;
  flow.set(T.stateKey, s);
  msg.msecResponded = false;
  msg.msecShaped = false;
} else {
  // An action's node is done and its message is back.
  msg.msecShaped = true;
  if (msg.msecAction !== undefined && T.clearHeaders[msg.msecAction]) for (const k of ['headers', 'statusCode', 'responseUrl', 'redirectList', 'retry']) delete msg[k];
}
for (let guard = 0; guard < 100000; guard++) {
  let pick = -1;
  for (let i = 0; i < T.controllable.length; i++) if (T.delta[s][T.controllable[i]] !== undefined) { pick = i; break; }
  if (pick < 0) break;
  const a = T.controllable[pick];
  s = T.delta[s][a];
  flow.set(T.stateKey, s);
  msg.msecAction = a;
  const o = none();
  if (T.terminal[a]) {
    o[pick + 1] = RED.util.cloneMessage(msg);
    if (T.responds[a]) msg.msecResponded = true;
    node.send(o);
    continue;
  }
  o[pick + 1] = msg;
  node.status({ text: 'Q' + s });
  return o;
}
node.status({ text: 'Q' + s });
if (msg.res && !msg.msecResponded) {
  // Nobody answered: the message as the actions left it, or 202 with the state when none shaped it.
  if (!msg.msecShaped) {
    msg.statusCode = 202;
    msg.payload = { state: 'Q' + s };
  } else if (!msg.statusCode) msg.statusCode = 200;
  const o = none();
  o[0] = msg;
  return o;
}
return null;
`;
  return body.trimStart();
}
