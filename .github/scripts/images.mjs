#!/usr/bin/env node
// Which container images to build, for .github/workflows/docker.yml. Every workspace package with
// a Dockerfile is an image, named after its bin (@patchbay/git → patchbay-git, the gateway
// @patchbay/cli → patchbay) and tagged with its package version. Which of them, from the trigger:
//   PUBLISHED='[{"name":"@patchbay/git","version":"0.2.0"}]'  changesets/action's publishedPackages
//   TAG=@patchbay/git@0.2.0                                    a pushed release tag
//   neither                                                    every image, at its package.json version
// Prints {"include":[{package, version, image, dockerfile}]} (a job matrix), and writes it as
// `matrix=` to $GITHUB_OUTPUT when there is one. A published package without a Dockerfile (the kit)
// has no image; a tag that names no such package is an error, so a typo does not pass as "nothing".
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every workspace package with a Dockerfile beside its package.json. */
function imagePackages() {
  const found = [];
  for (const group of ['servers', 'packages']) {
    for (const dir of readdirSync(path.join(root, group)).sort()) {
      const dockerfile = path.join(group, dir, 'Dockerfile');
      if (!existsSync(path.join(root, dockerfile))) continue;
      const pkg = JSON.parse(readFileSync(path.join(root, group, dir, 'package.json'), 'utf8'));
      const bins = typeof pkg.bin === 'string' ? [pkg.name.replace(/^@.*\//, '')] : Object.keys(pkg.bin ?? {});
      if (bins.length !== 1) throw new Error(`${pkg.name} has ${bins.length} bins; its image needs exactly one name`);
      found.push({ package: pkg.name, version: pkg.version, image: bins[0], dockerfile });
    }
  }
  return found;
}

/** The packages the trigger asks for, as {name, version}; undefined means all of them. */
function requested(env) {
  if (env.PUBLISHED) {
    const list = JSON.parse(env.PUBLISHED);
    if (!Array.isArray(list)) throw new Error('PUBLISHED must be a JSON array of {name, version}');
    return list;
  }
  if (env.TAG) {
    const match = /^(@[^/]+\/[^@]+|[^@]+)@(\d+\.\d+\.\d+.*)$/.exec(env.TAG);
    if (!match) throw new Error(`TAG ${env.TAG} is not <package>@<version> (e.g. @patchbay/git@0.2.0)`);
    return [{ name: match[1], version: match[2] }];
  }
  return undefined;
}

export function plan(env = process.env) {
  const images = imagePackages();
  const wanted = requested(env);
  if (!wanted) return { include: images };
  const include = [];
  for (const { name, version } of wanted) {
    const image = images.find((i) => i.package === name);
    if (image) include.push({ ...image, version });
    else if (env.TAG) {
      throw new Error(
        `TAG ${env.TAG}: no workspace package ${name} with a Dockerfile (${images.map((i) => i.package).join(', ')})`,
      );
    }
  }
  return { include };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const matrix = JSON.stringify(plan());
    console.log(matrix);
    if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `matrix=${matrix}\n`);
  } catch (error) {
    console.error(`images: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
