#!/usr/bin/env node
// Which container images to build, for .github/workflows/docker.yml. The root Dockerfile has one
// final stage per image (`FROM runtime AS git`, … `AS gateway`), each ending in the ENTRYPOINT of
// one workspace package's bin: the image is named after that bin (@patchbay/git → patchbay-git,
// the gateway @patchbay/cli → patchbay) and tagged with that package's version. Which of them, from
// the trigger:
//   PUBLISHED='[{"name":"@patchbay/git","version":"0.2.0"}]'  changesets/action's publishedPackages
//   TAG=@patchbay/git@0.2.0                                    a pushed release tag
//   neither                                                    every image, at its package.json version
// Prints {"include":[{package, version, image, target}]} (a job matrix), and writes it as
// `matrix=` to $GITHUB_OUTPUT when there is one. A published package without an image (the kit)
// has none built; a tag that names no such package is an error, so a typo does not pass as "nothing".
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every workspace package, by the name of its one bin. */
function packagesByBin() {
  const byBin = new Map();
  for (const group of ['servers', 'packages']) {
    for (const dir of readdirSync(path.join(root, group))) {
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(path.join(root, group, dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      const bins = typeof pkg.bin === 'string' ? [pkg.name.replace(/^@.*\//, '')] : Object.keys(pkg.bin ?? {});
      for (const bin of bins) byBin.set(bin, pkg);
    }
  }
  return byBin;
}

/** The root Dockerfile's final stages (those built FROM the shared runtime stage), with their package. */
function imagePackages() {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const byBin = packagesByBin();
  const found = [];
  for (const stage of dockerfile.split(/^(?=FROM )/m)) {
    const target = /^FROM runtime AS (\S+)/i.exec(stage)?.[1];
    if (!target) continue;
    const bin = /^ENTRYPOINT \["([^"]+)"/m.exec(stage)?.[1];
    const pkg = bin && byBin.get(bin);
    if (!pkg) throw new Error(`Dockerfile stage ${target}: its ENTRYPOINT names no workspace package's bin`);
    found.push({ package: pkg.name, version: pkg.version, image: bin, target });
  }
  return found.sort((a, b) => a.image.localeCompare(b.image));
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
        `TAG ${env.TAG}: no image of workspace package ${name} in the Dockerfile (${images.map((i) => i.package).join(', ')})`,
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
