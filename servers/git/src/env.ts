/**
 * Variables git may see from the server's environment; everything else is left out. Identity,
 * config location, signing and TLS settings are the operator's to choose; nothing here can point
 * git at another repository (GIT_DIR, GIT_WORK_TREE) or make it run a program (EDITOR, PAGER,
 * GIT_SSH_COMMAND, GIT_EXTERNAL_DIFF).
 */
const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'USER',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  'SSH_AUTH_SOCK',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'GNUPGHOME',
  'GIT_SSL_CAINFO',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/**
 * Environment for every git process: only the variables above, so nothing the server inherited
 * can redirect git or run a program; prompts are off (a credential prompt would hang the tool),
 * an editor can never open (it would hang too) and output is in English so errors can be
 * recognised. (Pathspecs are made literal per command: see RunOptions.magicPathspecs.)
 */
export function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASSED_THROUGH) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: 'true',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    LANG: 'C',
  };
}

/**
 * Config every git command runs with: paths printed as they are (not octal-escaped), never
 * coloured, and only repositories whose git directory is a `.git` are found. Without that last
 * setting a folder inside an allowed repository that merely holds files shaped like a git
 * directory (HEAD, objects, refs and a config naming a work tree and, say, an fsmonitor program)
 * would be opened as a repository of its own and its config obeyed; such files can arrive in any
 * clone. (Diff commands also pass --no-ext-diff --no-textconv, and blame --no-textconv, so a
 * repository's configured programs do not run.)
 */
export const GIT_CONFIG = ['core.quotePath=false', 'color.ui=never', 'safe.bareRepository=explicit'];

/** GIT_CONFIG as `-c` arguments, for commands run without simple-git. */
export const GIT_CONFIG_ARGS = GIT_CONFIG.flatMap((c) => ['-c', c]);
