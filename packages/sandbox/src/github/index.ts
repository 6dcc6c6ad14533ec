/**
 * The GitHub REST API emulator. `startSandbox({ service: 'github' })` or `patchbay-sandbox github`
 * serves it; `GITHUB_API_URL` and `GITHUB_TOKEN` point a client at it.
 */
import { defineEmulator } from '../core/emulator.js';
import { actionsRoutes } from './routes/actions.js';
import { gitRoutes } from './routes/git.js';
import { issueRoutes } from './routes/issues.js';
import { pullRoutes } from './routes/pulls.js';
import { releaseRoutes } from './routes/releases.js';
import { repoRoutes } from './routes/repos.js';
import { searchRoutes } from './routes/search.js';
import { userRoutes } from './routes/users.js';
import { seedDemo, seedEmpty } from './seed-demo.js';
import { GitHubState } from './state.js';
import { around, callerOf, ghError, rateLimitFaultResponse } from './wire.js';

export const githubRoutes = [
  ...userRoutes,
  ...repoRoutes,
  ...gitRoutes,
  ...issueRoutes,
  ...pullRoutes,
  ...actionsRoutes,
  ...releaseRoutes,
  ...searchRoutes,
];

export const githubEmulator = defineEmulator<GitHubState>({
  name: 'github',
  title: 'GitHub',
  createState: () => new GitHubState(),
  seeds: { demo: seedDemo, empty: seedEmpty },
  routes: githubRoutes,
  env: (url, state) => ({ GITHUB_API_URL: url, GITHUB_TOKEN: state.tokenFor(state.defaultLogin) }),
  token: (state) => state.tokenFor(state.defaultLogin),
  identify: (req, state) => {
    const caller = callerOf(req, state);
    return caller.kind === 'token' ? caller.login : caller.kind;
  },
  around,
  notFound: () => ghError(404, 'Not Found'),
  errorResponse: (status) =>
    status >= 500
      ? ghError(status, status === 502 ? 'Server Error' : status === 503 ? 'Service Unavailable' : 'Internal Server Error')
      : ghError(
          status,
          status === 401 ? 'Bad credentials' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Error',
        ),
  rateLimitResponse: (fault, req, ctx) => rateLimitFaultResponse(fault, req, ctx.state),
  badBodyResponse: () => ghError(400, 'Problems parsing JSON'),
});

export { GitHubState } from './state.js';
