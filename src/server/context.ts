// The context server-level handlers receive: the core context plus the engine and session.
import type { CoreContext } from '../core/commands/spec.js';
import type { Engine } from './engine.js';
import type { Session } from './session.js';

export interface ServerContext extends CoreContext {
  readonly engine: Engine;
  readonly session: Session;
  readonly client: Session;
}
