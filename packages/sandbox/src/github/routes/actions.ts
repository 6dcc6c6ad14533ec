/** GitHub Actions: workflows, runs (with filters), jobs, job logs (302 to a signed URL), rerun, dispatch, cancel. */
import { createHmac } from 'node:crypto';
import type { Route } from '../../core/emulator.js';
import { emptyResponse, jsonResponse, type SandboxRequest, type SandboxResponse, textResponse } from '../../core/http.js';
import { type Ctx, job, workflow, workflowRun } from '../serialize.js';
import type { GitHubState, Job, Repo, Workflow, WorkflowRun } from '../state.js';
import {
  ctxOf,
  ghError,
  isRepo,
  notFound,
  paginate,
  readableRepo,
  unprocessable,
  validationFailed,
  writableRepo,
} from '../wire.js';

type R = Route<GitHubState>;

function read(handler: (req: SandboxRequest, c: Ctx, r: Repo) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const r = readableRepo(req, ctx.state);
    return isRepo(r) ? handler(req, ctxOf(req, ctx), r) : r;
  };
}

function write(handler: (req: SandboxRequest, c: Ctx, r: Repo) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const r = writableRepo(req, ctx.state);
    return isRepo(r) ? handler(req, ctxOf(req, ctx), r) : r;
  };
}

function workflowOf(req: SandboxRequest, r: Repo): Workflow | undefined {
  const id = req.params['workflow_id']!;
  return r.workflows.find((w) => String(w.id) === id || w.path.split('/').pop() === id);
}

const SIGNING_KEY = 'patchbay-sandbox-logs';

/** The signature on a log URL: like GitHub's, the URL alone grants access, for a short time. */
export function logSignature(jobId: number, expires: number): string {
  return createHmac('sha256', SIGNING_KEY).update(`${jobId}:${expires}`).digest('hex').slice(0, 32);
}

/** A job's log as GitHub writes it: timestamped lines, `##[group]` per step, `##[error]` on failure. */
export function renderJobLog(j: Job): string {
  const start = Date.parse(j.started_at);
  let t = start;
  const stamp = () => {
    t += 137;
    return new Date(t).toISOString().replace('Z', '0000Z');
  };
  const out: string[] = [];
  for (const s of j.steps) {
    out.push(`${stamp()} ##[group]Run ${s.name}`);
    for (const line of s.log)
      out.push(`${stamp()} ${s.conclusion === 'failure' && line.startsWith('Error') ? `##[error]${line}` : line}`);
    out.push(`${stamp()} ##[endgroup]`);
    if (s.conclusion === 'failure') out.push(`${stamp()} ##[error]Process completed with exit code 1.`);
  }
  return `${out.join('\n')}\n`;
}

function filterRuns(req: SandboxRequest, runs: WorkflowRun[]): WorkflowRun[] | SandboxResponse {
  const q = req.query;
  const status = q.get('status');
  const statuses = [
    'completed',
    'action_required',
    'cancelled',
    'failure',
    'neutral',
    'skipped',
    'stale',
    'success',
    'timed_out',
    'in_progress',
    'queued',
    'requested',
    'waiting',
    'pending',
  ];
  if (status && !statuses.includes(status))
    return validationFailed([{ resource: 'WorkflowRun', field: 'status', code: 'invalid', value: status }]);
  return runs
    .filter((run) => {
      if (q.get('branch') && run.head_branch !== q.get('branch')) return false;
      if (q.get('event') && run.event !== q.get('event')) return false;
      if (q.get('actor') && run.actor.toLowerCase() !== q.get('actor')!.toLowerCase()) return false;
      if (q.get('head_sha') && run.head_sha !== q.get('head_sha')) return false;
      if (status && run.status !== status && run.conclusion !== status) return false;
      return true;
    })
    .sort((a, b) => b.id - a.id);
}

function runsPage(req: SandboxRequest, c: Ctx, r: Repo, runs: WorkflowRun[] | SandboxResponse): SandboxResponse {
  if (!Array.isArray(runs)) return runs;
  const page = paginate(req, runs);
  return jsonResponse(
    200,
    { total_count: runs.length, workflow_runs: page.items.map((run) => workflowRun(c, r, run)) },
    page.headers,
  );
}

function runOf(req: SandboxRequest, r: Repo): WorkflowRun | undefined {
  return r.runs.find((x) => x.id === Number(req.params['run_id']));
}

export const actionsRoutes: R[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/workflows',
    operation: 'actions/list-repo-workflows',
    handler: read((req, c, r) => {
      const page = paginate(req, r.workflows);
      return jsonResponse(
        200,
        { total_count: r.workflows.length, workflows: page.items.map((w) => workflow(c, r, w)) },
        page.headers,
      );
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}',
    operation: 'actions/get-workflow',
    handler: read((req, c, r) => {
      const w = workflowOf(req, r);
      return w ? jsonResponse(200, workflow(c, r, w)) : notFound();
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/runs',
    operation: 'actions/list-workflow-runs-for-repo',
    handler: read((req, c, r) => runsPage(req, c, r, filterRuns(req, r.runs))),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
    operation: 'actions/list-workflow-runs',
    handler: read((req, c, r) => {
      const w = workflowOf(req, r);
      return w
        ? runsPage(
            req,
            c,
            r,
            filterRuns(
              req,
              r.runs.filter((x) => x.workflow_id === w.id),
            ),
          )
        : notFound();
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}',
    operation: 'actions/get-workflow-run',
    handler: read((req, c, r) => {
      const run = runOf(req, r);
      return run ? jsonResponse(200, workflowRun(c, r, run)) : notFound();
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
    operation: 'actions/list-jobs-for-workflow-run',
    handler: read((req, c, r) => {
      const run = runOf(req, r);
      if (!run) return notFound();
      const filter = req.query.get('filter') ?? 'latest';
      const jobs = run.jobs
        .map((id) => r.jobs.get(id)!)
        .filter(
          (j) =>
            filter === 'all' ||
            j.run_attempt === run.run_attempt ||
            !run.jobs.some((o) => r.jobs.get(o)!.name === j.name && r.jobs.get(o)!.run_attempt > j.run_attempt),
        );
      const page = paginate(req, jobs);
      return jsonResponse(200, { total_count: jobs.length, jobs: page.items.map((j) => job(c, r, j)) }, page.headers);
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/jobs/{job_id}',
    operation: 'actions/get-job-for-workflow-run',
    handler: read((req, c, r) => {
      const j = r.jobs.get(Number(req.params['job_id']));
      return j ? jsonResponse(200, job(c, r, j)) : notFound();
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
    operation: 'actions/download-job-logs-for-workflow-run',
    handler: read((req, c, r) => {
      const j = r.jobs.get(Number(req.params['job_id']));
      if (!j) return notFound();
      if (j.status !== 'completed') return notFound();
      const expires = Math.floor(Date.now() / 1000) + 60;
      const location = `${c.url}/_logs/jobs/${j.id}?expires=${expires}&sig=${logSignature(j.id, expires)}`;
      return { status: 302, headers: { location } };
    }),
  },
  {
    // Where the 302 above points (pipelines.actions.githubusercontent.com on GitHub): no token needed, the URL is signed.
    method: 'GET',
    path: '/_logs/jobs/{job_id}',
    operation: 'sandbox/job-log-download',
    handler: (req, ctx) => {
      const id = Number(req.params['job_id']);
      const expires = Number(req.query.get('expires'));
      if (req.query.get('sig') !== logSignature(id, expires) || expires < Date.now() / 1000)
        return textResponse(
          403,
          '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>',
          'application/xml',
        );
      for (const r of ctx.state.repos.values()) {
        const j = r.jobs.get(id);
        if (j) return textResponse(200, renderJobLog(j), 'text/plain; charset=utf-8');
      }
      return textResponse(404, 'BlobNotFound', 'application/xml');
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs',
    operation: 'actions/re-run-workflow-failed-jobs',
    handler: write((req, c, r) => {
      const run = runOf(req, r);
      if (!run) return notFound();
      if (run.status !== 'completed') return ghError(403, 'This workflow is already running');
      const failed = run.jobs
        .map((id) => r.jobs.get(id)!)
        .filter((j) => j.run_attempt === run.run_attempt && (j.conclusion === 'failure' || j.conclusion === 'cancelled'));
      if (failed.length === 0) return ghError(403, 'This workflow run cannot be rerun: it has no failed jobs.');
      run.run_attempt++;
      run.status = 'queued';
      run.conclusion = null;
      run.updated_at = c.state.now();
      for (const old of failed) {
        const again: Job = {
          ...old,
          id: c.state.ids.job.next(),
          status: 'queued',
          conclusion: null,
          completed_at: null,
          run_attempt: run.run_attempt,
          steps: old.steps.map((s) => ({ ...s, conclusion: null })),
        };
        r.jobs.set(again.id, again);
        run.jobs.push(again.id);
      }
      return jsonResponse(201, {});
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}/cancel',
    operation: 'actions/cancel-workflow-run',
    handler: write((req, c, r) => {
      const run = runOf(req, r);
      if (!run) return notFound();
      if (run.status === 'completed') return ghError(409, 'Cannot cancel a workflow run that is completed.');
      run.status = 'completed';
      run.conclusion = 'cancelled';
      run.updated_at = c.state.now();
      for (const id of run.jobs) {
        const j = r.jobs.get(id)!;
        if (j.status !== 'completed')
          Object.assign(j, { status: 'completed', conclusion: 'cancelled', completed_at: run.updated_at });
      }
      return jsonResponse(202, {});
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    operation: 'actions/create-workflow-dispatch',
    handler: write((req, c, r) => {
      const w = workflowOf(req, r);
      if (!w) return notFound();
      const body = req.json<{ ref?: unknown; inputs?: unknown }>() ?? {};
      if (typeof body.ref !== 'string')
        return validationFailed([{ resource: 'WorkflowDispatch', field: 'ref', code: 'missing_field' }]);
      if (!w.dispatchable) return unprocessable("Workflow does not have 'workflow_dispatch' trigger");
      const branch = body.ref.replace(/^refs\/heads\//, '');
      if (!c.state.branchSha(r, branch)) return unprocessable(`No ref found for: ${body.ref}`);
      c.state.addRun(r, w, {
        branch,
        event: 'workflow_dispatch',
        actor: c.login!,
        status: 'queued',
        jobs: [{ name: 'build', steps: [{ name: 'Set up job', ok: null }] }],
      });
      return emptyResponse(204);
    }),
  },
];
