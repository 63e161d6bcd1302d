/** What the rules know beyond the file: the workspace's models, the connected server, the deployment. */
import type { DjangoModelIndex } from './django-models';
import type { ModelIndex } from './models';
import type { ServerFacts } from './server-facts';

export interface LintContext {
  models: ModelIndex;
  /** The workspace's Django models; without it, the Django rules see the checked file's models only. */
  djangoModels?: DjangoModelIndex;
  server?: ServerFacts;
  /** Application processes sharing the server, each with its own pool (gunicorn workers...). */
  processes: number;
}
