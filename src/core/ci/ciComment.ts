// `cairn ci comment <file>`: posts a report on the pull request (GitHub Actions) or merge request
// (GitLab CI) the job runs for, with the CI's own token; CAIRN_COMMENT_FILE writes it to a file
// instead (a dry run, and what the tests point the step at).
import * as fs from 'node:fs';
import { CairnError, fromSystemError } from '../errors.js';

export interface Posted {
  readonly to: string;
}

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new CairnError(
      'remote',
      `Could not reach ${new URL(url).host} to post the report: ${(err as Error).message}`,
    );
  }
  if (!res.ok)
    throw new CairnError(
      'remote',
      `${new URL(url).host} refused the report (HTTP ${res.status}): ${(await res.text()).slice(0, 300)}; check the token's permissions (pull-requests: write on GitHub, the api scope on GitLab)`,
    );
}

export async function postComment(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Posted> {
  let body: string;
  try {
    body = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw fromSystemError(err, file, 'Could not read the report');
  }
  const dryRun = env['CAIRN_COMMENT_FILE'];
  if (dryRun) {
    fs.appendFileSync(dryRun, body);
    return { to: dryRun };
  }
  if (env['GITHUB_ACTIONS'] === 'true') {
    const event = env['GITHUB_EVENT_PATH']
      ? (JSON.parse(fs.readFileSync(env['GITHUB_EVENT_PATH'], 'utf8')) as {
          pull_request?: { number?: number };
        })
      : {};
    const pr = event.pull_request?.number;
    const token = env['GITHUB_TOKEN'];
    if (!pr)
      throw new CairnError(
        'usage',
        'This GitHub Actions job is not for a pull request; there is nothing to comment on',
      );
    if (!token)
      throw new CairnError(
        'usage',
        'GITHUB_TOKEN is not set; give the step env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
      );
    const api = env['GITHUB_API_URL'] ?? 'https://api.github.com';
    await post(
      `${api}/repos/${env['GITHUB_REPOSITORY']}/issues/${pr}/comments`,
      { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
      { body },
    );
    return { to: `pull request #${pr}` };
  }
  if (env['GITLAB_CI'] === 'true') {
    const mr = env['CI_MERGE_REQUEST_IID'];
    const token = env['GITLAB_TOKEN'];
    if (!mr)
      throw new CairnError(
        'usage',
        'This GitLab CI job is not for a merge request; there is nothing to comment on',
      );
    if (!token)
      throw new CairnError(
        'usage',
        'GITLAB_TOKEN is not set; add a project access token with the api scope as a masked CI/CD variable GITLAB_TOKEN',
      );
    await post(
      `${env['CI_API_V4_URL']}/projects/${env['CI_PROJECT_ID']}/merge_requests/${mr}/notes`,
      { 'private-token': token },
      { body },
    );
    return { to: `merge request !${mr}` };
  }
  throw new CairnError(
    'usage',
    'Not in a GitHub Actions or GitLab CI job; set CAIRN_COMMENT_FILE=<file> to write the comment to a file instead',
  );
}
