/** What the rules know beyond the file: the workspace's models, the connected server, the deployment. */
import type { ModelIndex } from './models';
import type { ServerFacts } from './server-facts';

export interface LintContext {
  models: ModelIndex;
  server?: ServerFacts;
  /** Application processes sharing the server, each with its own pool (gunicorn workers...). */
  processes: number;
}
