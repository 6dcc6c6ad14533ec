import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { bytesOf } from '../blob.js';
import { compact, line, login, minute, short, words } from '../format.js';
import { tool } from '../kit.js';
import { fencedTextPage } from '../paging.js';
import { cursor, fields, itemList, limit, moreOutput, numberedPage, perPage, repoInput, target, whole } from '../repo.js';

const runId = whole().describe('Workflow run id');

export const listWorkflows = tool({
  name: 'github_list_workflows',
  title: 'List workflows',
  description: 'GitHub Actions workflows of a repository: id, name, file, state.',
  toolset: 'actions',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, cursor },
  output: { workflows: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    return ctx.paginate({
      key: 'workflows',
      unit: ['workflow', 'workflows'],
      line: (w) => words(w.id, line(w.name, 100), w.path, w.state !== 'active' && w.state),
      data: (w) => ({ id: w.id, name: line(w.name, 100), path: w.path, state: w.state }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.actions.listRepoWorkflows({
            owner: t.owner,
            repo: t.repo,
            per_page: 100,
            page,
            request: t.request,
          });
          return { items: res.data.workflows, headers: res.headers, total: res.data.total_count };
        }),
    });
  },
});

export const listWorkflowRuns = tool({
  name: 'github_list_workflow_runs',
  title: 'List workflow runs',
  description:
    'Workflow runs newest first, filtered by workflow, branch, status or event: id, status, conclusion, branch, commit.',
  toolset: 'actions',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    workflow: z.union([z.number().int(), z.string()]).optional().describe('Workflow id or file name (ci.yml)'),
    branch: z.string().optional().describe('Branch'),
    status: z.string().optional().describe('queued, in_progress, completed, success, failure…'),
    event: z.string().optional().describe('push, pull_request…'),
    limit: limit(20, 300, 'runs'),
    cursor,
  },
  output: { runs: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const filters = {
      ...(args.branch ? { branch: args.branch } : {}),
      ...(args.status ? { status: args.status as never } : {}),
      ...(args.event ? { event: args.event } : {}),
    };
    return ctx.paginate({
      key: 'runs',
      unit: ['run', 'runs'],
      limit: { argument: 'limit', value: args.limit },
      line: (r) =>
        words(
          r.id,
          r.status === 'completed' ? r.conclusion : r.status,
          line(r.name, 60),
          `#${r.run_number}`,
          r.head_branch,
          short(r.head_sha),
          r.event,
          login(r.actor) && `@${login(r.actor)}`,
          minute(r.created_at),
        ),
      data: (r) =>
        compact({
          id: r.id,
          workflow: line(r.name, 60),
          number: r.run_number,
          status: r.status,
          conclusion: r.conclusion,
          branch: r.head_branch,
          sha: r.head_sha,
          event: r.event,
          created: r.created_at,
        }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const common = { owner: t.owner, repo: t.repo, per_page: perPage(args.limit), page, request: t.request, ...filters };
          const res =
            args.workflow !== undefined
              ? await t.octokit.rest.actions.listWorkflowRuns({ ...common, workflow_id: args.workflow })
              : await t.octokit.rest.actions.listWorkflowRunsForRepo(common);
          return { items: res.data.workflow_runs, headers: res.headers, total: res.data.total_count };
        }),
    });
  },
});

export const getWorkflowRun = tool({
  name: 'github_get_workflow_run',
  title: 'Get a workflow run',
  description: 'One run with its jobs and their steps; failed steps marked. Job ids are for github_get_job_log.',
  toolset: 'actions',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, run_id: runId },
  output: { id: z.number(), status: z.string(), jobs: itemList, ...fields('conclusion', 'branch', 'sha') },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const [{ data: run }, { data: jobs }] = await Promise.all([
      t.octokit.rest.actions.getWorkflowRun({ owner: t.owner, repo: t.repo, run_id: args.run_id, request: t.request }),
      t.octokit.rest.actions.listJobsForWorkflowRun({
        owner: t.owner,
        repo: t.repo,
        run_id: args.run_id,
        per_page: 100,
        request: t.request,
      }),
    ]);
    const lines = [
      words(
        `run ${run.id}`,
        line(run.name, 60),
        `#${run.run_number}`,
        `attempt ${run.run_attempt}`,
        run.status === 'completed' ? run.conclusion : run.status,
        `· ${run.head_branch} ${short(run.head_sha)}`,
        `· ${run.event}`,
        login(run.actor) && `by @${login(run.actor)}`,
      ),
    ];
    for (const j of jobs.jobs) {
      lines.push(words(`job ${j.id}`, line(j.name, 80), j.status === 'completed' ? j.conclusion : j.status));
      for (const s of j.steps ?? []) {
        if (s.conclusion && s.conclusion !== 'success' && s.conclusion !== 'skipped')
          lines.push(`  step ${s.number} ${line(s.name, 80)}: ${s.conclusion}`);
      }
    }
    return {
      structured: {
        ...compact({ id: run.id, status: run.status, conclusion: run.conclusion, branch: run.head_branch, sha: run.head_sha }),
        jobs: jobs.jobs.map((j) =>
          compact({
            id: j.id,
            name: line(j.name, 80),
            status: j.status,
            conclusion: j.conclusion,
            failed_steps: (j.steps ?? []).filter((s) => s.conclusion === 'failure').map((s) => s.name),
          }),
        ),
      },
      text: lines.join('\n'),
    };
  },
});

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ?/;

/** A job log cut into steps at `##[group]Run …` lines; a step failed when it holds `##[error]`. */
function stepsOf(log: string[]): Array<{ lines: string[]; failed: boolean }> {
  const steps: Array<{ lines: string[]; failed: boolean }> = [];
  for (const l of log) {
    if (l.includes('##[group]Run ') || steps.length === 0) steps.push({ lines: [], failed: false });
    const step = steps[steps.length - 1] as { lines: string[]; failed: boolean };
    step.lines.push(l);
    if (l.includes('##[error]')) step.failed = true;
  }
  return steps;
}

export const getJobLog = tool({
  name: 'github_get_job_log',
  title: 'Read a job log',
  description: 'A job’s log: by default only the failed steps, last 200 lines, without timestamps.',
  toolset: 'actions',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    job_id: whole().describe('Job id (github_get_workflow_run)'),
    failed_only: z.boolean().default(true).describe('Only steps that failed'),
    tail_lines: whole().default(200).describe('Last N lines'),
    timestamps: z.boolean().default(false).describe('Keep each line’s timestamp'),
    cursor,
  },
  output: { job_id: z.number(), text: z.string(), start_line: z.number(), end_line: z.number(), more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.actions.downloadJobLogsForWorkflowRun({
      owner: t.owner,
      repo: t.repo,
      job_id: args.job_id,
      request: t.request,
    });
    let lines = bytesOf(data).toString('utf8').replace(/\n$/, '').split('\n');
    const all = lines.length;
    let which = 'whole log';
    if (args.failed_only) {
      const failed = stepsOf(lines).filter((s) => s.failed);
      if (failed.length === 0) {
        throw new ToolError(`Job ${args.job_id} has no failed step in its log.`, {
          argument: 'failed_only',
          hint: 'Pass failed_only=false for the whole log.',
        });
      }
      lines = failed.flatMap((s) => s.lines);
      which = `${failed.length} failed step${failed.length === 1 ? '' : 's'}`;
    }
    const tail = lines.slice(-args.tail_lines);
    const text = (args.timestamps ? tail : tail.map((l) => l.replace(TIMESTAMP, ''))).join('\n');
    return fencedTextPage(ctx, {
      text: `${text}\n`,
      label: `Log of job ${args.job_id} (${which}, last ${tail.length} of ${lines.length} lines; ${all} in all)`,
      fields: { job_id: args.job_id },
      hint: 'Or change tail_lines.',
    });
  },
});

export const rerunFailedJobs = tool({
  name: 'github_rerun_failed_jobs',
  title: 'Re-run failed jobs',
  description: 'Re-run the failed jobs of a completed workflow run.',
  toolset: 'actions',
  access: 'write',
  openWorld: true,
  input: { repo: repoInput, run_id: runId },
  output: { run_id: z.number() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    await t.octokit.rest.actions.reRunWorkflowFailedJobs({
      owner: t.owner,
      repo: t.repo,
      run_id: args.run_id,
      request: t.request,
    });
    return { structured: { run_id: args.run_id }, text: `Re-running the failed jobs of run ${args.run_id}.` };
  },
});

export const dispatchWorkflow = tool({
  name: 'github_dispatch_workflow',
  title: 'Start a workflow',
  description: 'Trigger a workflow that has workflow_dispatch, on a ref, with inputs.',
  toolset: 'actions',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    workflow: z.union([z.number().int(), z.string()]).describe('Workflow id or file name (ci.yml)'),
    ref: z.string().describe('Branch or tag to run on'),
    inputs: z.record(z.string(), z.string()).optional().describe('The workflow’s inputs'),
  },
  output: { workflow: z.union([z.number(), z.string()]), ref: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    await t.octokit.rest.actions.createWorkflowDispatch({
      owner: t.owner,
      repo: t.repo,
      workflow_id: args.workflow,
      ref: args.ref,
      ...(args.inputs ? { inputs: args.inputs } : {}),
      request: t.request,
    });
    return {
      structured: { workflow: args.workflow, ref: args.ref },
      text: `Started workflow ${args.workflow} on ${args.ref}. Its run appears in github_list_workflow_runs shortly.`,
    };
  },
});

export const cancelWorkflowRun = tool({
  name: 'github_cancel_workflow_run',
  title: 'Cancel a workflow run',
  description: 'Cancel a queued or running workflow run.',
  toolset: 'actions',
  access: 'destructive',
  openWorld: true,
  input: { repo: repoInput, run_id: runId },
  output: { run_id: z.number() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    await t.octokit.rest.actions.cancelWorkflowRun({ owner: t.owner, repo: t.repo, run_id: args.run_id, request: t.request });
    return { structured: { run_id: args.run_id }, text: `Cancelling run ${args.run_id}.` };
  },
});
