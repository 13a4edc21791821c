import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ConflictError, NotFoundError, RegistryError } from './errors';
import {
  MANIFEST_FILE,
  type Manifest,
  MODEL_CARD_FILE,
  parseManifestText,
  sameArtifacts,
  serialiseManifest,
  toBuffer,
  verifyFiles,
} from './manifest';
import { parseTag, sortVersionsDesc, tagOf } from './semver';
import type { ModelRegistry, PublishInput, PublishResult, VersionInfo } from './types';

/**
 * The registry as a directory: `<root>/<family>-v<semver>/` holding the same files a GitHub
 * Release would (artifacts, manifest.json, model-card.md). Writes go to a staging directory
 * renamed into place, so a crash never leaves a half-written version that looks complete.
 *
 * ```ts
 * const registry = new LocalRegistry(path.join(env.dataDir, 'registry'));
 * await registry.listVersions('vader'); // [{ version: '1.1.0', tag: 'vader-v1.1.0', … }, …]
 * ```
 */
export class LocalRegistry implements ModelRegistry {
  readonly kind = 'local' as const;
  readonly location: string;

  constructor(readonly root: string) {
    this.location = root;
  }

  #dir(family: string, version: string): string {
    return path.join(this.root, tagOf(family, version));
  }

  #readManifest(dir: string): Manifest {
    const file = path.join(dir, MANIFEST_FILE);
    return parseManifestText(readFileSync(file, 'utf8'), file);
  }

  async listFamilies(): Promise<string[]> {
    const families = new Set<string>();
    for (const entry of this.#entries()) families.add(entry.family);
    return [...families].sort();
  }

  #entries(): { family: string; version: string; dir: string }[] {
    if (!existsSync(this.root)) return [];
    const out: { family: string; version: string; dir: string }[] = [];
    for (const name of readdirSync(this.root)) {
      const parsed = parseTag(name);
      const dir = path.join(this.root, name);
      // A directory without a manifest is not a version (an aborted copy by hand, say).
      if (parsed && existsSync(path.join(dir, MANIFEST_FILE))) out.push({ ...parsed, dir });
    }
    return out;
  }

  async listVersions(family: string): Promise<VersionInfo[]> {
    const entries = this.#entries().filter((e) => e.family === family);
    const byVersion = new Map(entries.map((e) => [e.version, e]));
    return sortVersionsDesc([...byVersion.keys()]).map((version) => {
      const e = byVersion.get(version)!;
      return {
        family,
        version,
        tag: tagOf(family, version),
        publishedAt: statSync(path.join(e.dir, MANIFEST_FILE)).mtime.toISOString(),
        url: e.dir,
      };
    });
  }

  async exists(family: string, version: string): Promise<boolean> {
    return existsSync(path.join(this.#dir(family, version), MANIFEST_FILE));
  }

  async getManifest(family: string, version: string): Promise<Manifest> {
    const dir = this.#dir(family, version);
    if (!existsSync(path.join(dir, MANIFEST_FILE))) {
      throw new NotFoundError(
        `${family}@${version} is not in the local registry at ${this.root}; run "finsent registry list ${family}" to see the versions there`,
        { input: `${family}@${version}` },
      );
    }
    return this.#readManifest(dir);
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    const { manifest, files, modelCard } = input;
    const dir = this.#dir(manifest.family, manifest.version);
    if (existsSync(path.join(dir, MANIFEST_FILE))) return this.#existing(dir, manifest);
    // Check the files against the manifest before anything is written.
    verifyFiles(
      manifest,
      (name) => (files[name] === undefined ? undefined : toBuffer(files[name]!)),
      'publish input',
    );
    mkdirSync(this.root, { recursive: true });
    const staging = path.join(
      this.root,
      `.staging-${manifest.tag}-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    mkdirSync(staging);
    try {
      for (const a of manifest.artifacts) writeFileSync(path.join(staging, a.name), toBuffer(files[a.name]!));
      writeFileSync(path.join(staging, MODEL_CARD_FILE), modelCard);
      writeFileSync(path.join(staging, MANIFEST_FILE), serialiseManifest(manifest));
      if (existsSync(dir)) {
        // A manifest-less leftover from an interrupted manual copy: replace it.
        rmSync(dir, { recursive: true, force: true });
      }
      renameSync(staging, dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (existsSync(path.join(dir, MANIFEST_FILE))) return this.#existing(dir, manifest);
      throw new RegistryError(
        `could not write ${dir}: ${(error as Error).message}`,
        { input: dir },
        { cause: error },
      );
    }
    return { tag: manifest.tag, url: dir, created: true };
  }

  #existing(dir: string, manifest: Manifest): PublishResult {
    const current = this.#readManifest(dir);
    if (!sameArtifacts(current, manifest)) {
      throw new ConflictError(
        `${manifest.tag} already exists in ${this.root} with different artifacts; versions are immutable — publish a new version`,
        { input: manifest.tag },
      );
    }
    return { tag: manifest.tag, url: dir, created: false };
  }

  async fetch(family: string, version: string): Promise<string> {
    const manifest = await this.getManifest(family, version);
    const dir = this.#dir(family, version);
    verifyFiles(
      manifest,
      (name) => {
        const file = path.join(dir, name);
        return existsSync(file) ? readFileSync(file) : undefined;
      },
      dir,
    );
    return dir;
  }
}
