import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConflictError, NotFoundError, RegistryError } from './errors';
import {
  MANIFEST_FILE,
  type Manifest,
  MODEL_CARD_FILE,
  parseManifestText,
  sameArtifacts,
  serialiseManifest,
  sha256,
  toBuffer,
  verifyFiles,
} from './manifest';
import { type GitHubClient, parseRepository, type Repository, statusOf, validationCodes } from './octokit';
import { parseTag, sortVersionsDesc, tagOf } from './semver';
import type { ModelRegistry, PublishInput, PublishResult, VersionInfo } from './types';

/** The fields of a release and an asset finsent reads (a subset of GitHub's REST objects). */
export interface ReleaseAsset {
  id: number;
  name: string;
  size: number;
  state: string;
  /** `sha256:<hex>` on releases created since mid-2025; absent on older ones. */
  digest?: string | null;
}

export interface Release {
  id: number;
  tag_name: string;
  name: string | null;
  draft: boolean;
  html_url: string;
  upload_url: string;
  published_at: string | null;
  assets: ReleaseAsset[];
}

export interface GitHubRegistryOptions {
  octokit: GitHubClient;
  /** `owner/repo`. */
  repository: string;
  /** Where downloaded versions are kept (verified) between runs. */
  cacheDir: string;
  /** Attempts per asset upload (each may clean up a half-uploaded asset first). */
  uploadAttempts?: number;
  /** Pause between upload attempts, in ms. */
  uploadBackoffMs?: number;
}

const MAX_BODY = 125_000; // GitHub rejects release bodies over 125,000 characters.

/**
 * The registry as GitHub Releases: version `<family>-v<semver>` is the release with that tag,
 * its assets the artifact files, manifest.json and model-card.md.
 *
 * Publishing creates a DRAFT release, uploads every asset (retrying, deleting half-uploaded
 * "starter" assets), checks the asset list against the manifest, and only then publishes — so a
 * visible release is always complete, and a re-run resumes the draft it left behind. Versions are
 * found by listing releases page by page and matching the tag prefix; GitHub's "latest release"
 * marker is never used (model releases are created with make_latest=false).
 */
export class GitHubRegistry implements ModelRegistry {
  readonly kind = 'github' as const;
  readonly location: string;
  readonly #octokit: GitHubClient;
  readonly #repo: Repository;
  readonly #cacheDir: string;
  readonly #attempts: number;
  readonly #backoffMs: number;

  constructor(options: GitHubRegistryOptions) {
    this.#octokit = options.octokit;
    this.#repo = parseRepository(options.repository);
    this.location = options.repository;
    this.#cacheDir = options.cacheDir;
    this.#attempts = options.uploadAttempts ?? 4;
    this.#backoffMs = options.uploadBackoffMs ?? 2000;
  }

  /** Every release of the repository, all pages (drafts included when the token may see them). */
  async #allReleases(): Promise<Release[]> {
    try {
      return (await this.#octokit.paginate(this.#octokit.rest.repos.listReleases, {
        ...this.#repo,
        per_page: 100,
      })) as unknown as Release[];
    } catch (error) {
      throw this.#wrap(error, 'listing releases');
    }
  }

  async #findRelease(tag: string): Promise<Release | undefined> {
    const all = await this.#allReleases();
    // A published release wins over a stale draft with the same intended tag.
    return all.find((r) => r.tag_name === tag && !r.draft) ?? all.find((r) => r.tag_name === tag);
  }

  async #requireRelease(family: string, version: string): Promise<Release> {
    const release = await this.#findRelease(tagOf(family, version));
    if (!release || release.draft) {
      throw new NotFoundError(
        `${family}@${version} has no published release ${tagOf(family, version)} in ${this.location}; ` +
          `run "finsent registry list ${family}" to see the versions there`,
        { input: `${family}@${version}` },
      );
    }
    return release;
  }

  async listFamilies(): Promise<string[]> {
    const families = new Set<string>();
    for (const r of await this.#allReleases()) {
      const parsed = parseTag(r.tag_name);
      if (parsed && !r.draft) families.add(parsed.family);
    }
    return [...families].sort();
  }

  async listVersions(family: string): Promise<VersionInfo[]> {
    const prefix = `${family}-v`;
    const byVersion = new Map<string, Release>();
    for (const r of await this.#allReleases()) {
      if (r.draft || !r.tag_name.startsWith(prefix)) continue;
      const parsed = parseTag(r.tag_name);
      // `vader-base-v1.0.0` starts with `vader-` too: the parsed family must match exactly.
      if (parsed?.family === family) byVersion.set(parsed.version, r);
    }
    return sortVersionsDesc([...byVersion.keys()]).map((version) => {
      const r = byVersion.get(version)!;
      return { family, version, tag: r.tag_name, publishedAt: r.published_at, url: r.html_url };
    });
  }

  async exists(family: string, version: string): Promise<boolean> {
    const r = await this.#findRelease(tagOf(family, version));
    return r !== undefined && !r.draft;
  }

  async getManifest(family: string, version: string): Promise<Manifest> {
    const release = await this.#requireRelease(family, version);
    return this.#manifestOf(release);
  }

  async #manifestOf(release: Release): Promise<Manifest> {
    const asset = release.assets.find((a) => a.name === MANIFEST_FILE);
    if (!asset) {
      throw new RegistryError(
        `release ${release.tag_name} in ${this.location} has no ${MANIFEST_FILE}; it was not published by finsent or is incomplete`,
        { input: release.tag_name },
      );
    }
    const text = (await this.#download(asset)).toString('utf8');
    return parseManifestText(text, `${release.tag_name}/${MANIFEST_FILE}`);
  }

  async #download(asset: ReleaseAsset): Promise<Buffer> {
    try {
      const res = await this.#octokit.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
        ...this.#repo,
        asset_id: asset.id,
        headers: { accept: 'application/octet-stream' },
      });
      const data = res.data as unknown;
      if (data instanceof ArrayBuffer) return Buffer.from(data);
      if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      if (typeof data === 'string') return Buffer.from(data);
      return Buffer.from(JSON.stringify(data));
    } catch (error) {
      throw this.#wrap(error, `downloading asset ${asset.name}`);
    }
  }

  async fetch(family: string, version: string): Promise<string> {
    const tag = tagOf(family, version);
    const dir = path.join(this.#cacheDir, tag);
    if (existsSync(path.join(dir, MANIFEST_FILE))) {
      // A cached copy is trusted only if it still matches its manifest.
      try {
        const cached = parseManifestText(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
        verifyFiles(cached, (n) => readOrUndefined(path.join(dir, n)), dir);
        return dir;
      } catch {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const release = await this.#requireRelease(family, version);
    const manifest = await this.#manifestOf(release);
    if (manifest.family !== family || manifest.version !== version) {
      throw new RegistryError(
        `release ${tag} carries a manifest for ${manifest.family}@${manifest.version}; the release is mislabelled`,
        { input: tag },
      );
    }
    const files = new Map<string, Buffer>();
    for (const a of manifest.artifacts) {
      const asset = release.assets.find((x) => x.name === a.name);
      if (!asset) {
        throw new RegistryError(`release ${tag} lacks the asset ${a.name} its manifest lists`, {
          input: tag,
        });
      }
      files.set(a.name, await this.#download(asset));
    }
    verifyFiles(manifest, (n) => files.get(n), `release ${tag}`);
    const card = release.assets.find((x) => x.name === MODEL_CARD_FILE);
    mkdirSync(this.#cacheDir, { recursive: true });
    const staging = path.join(this.#cacheDir, `.staging-${tag}-${randomBytes(4).toString('hex')}`);
    mkdirSync(staging);
    for (const [name, buf] of files) writeFileSync(path.join(staging, name), buf);
    if (card) writeFileSync(path.join(staging, MODEL_CARD_FILE), await this.#download(card));
    writeFileSync(path.join(staging, MANIFEST_FILE), serialiseManifest(manifest));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return dir;
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    const { manifest, files, modelCard } = input;
    const tag = manifest.tag;
    verifyFiles(manifest, (n) => (files[n] === undefined ? undefined : toBuffer(files[n]!)), 'publish input');
    let release = await this.#findRelease(tag);
    if (release && !release.draft) {
      const current = await this.#manifestOf(release);
      if (!sameArtifacts(current, manifest)) {
        throw new ConflictError(
          `release ${tag} already exists in ${this.location} with different artifacts; versions are immutable — publish a new version`,
          { input: tag },
        );
      }
      return { tag, url: release.html_url, created: false };
    }
    release ??= await this.#createDraft(manifest, modelCard);
    const uploads: [string, Buffer][] = [
      ...manifest.artifacts.map((a) => [a.name, toBuffer(files[a.name]!)] as [string, Buffer]),
      [MODEL_CARD_FILE, Buffer.from(modelCard, 'utf8')],
      // The manifest goes last: its presence marks a complete upload.
      [MANIFEST_FILE, Buffer.from(serialiseManifest(manifest), 'utf8')],
    ];
    for (const [name, data] of uploads) await this.#upload(release, name, data);
    await this.#checkAssets(release, uploads);
    try {
      const res = await this.#octokit.rest.repos.updateRelease({
        ...this.#repo,
        release_id: release.id,
        draft: false,
        make_latest: 'false',
      });
      return { tag, url: (res.data as unknown as Release).html_url, created: true };
    } catch (error) {
      throw this.#wrap(error, `publishing the draft release ${tag}`);
    }
  }

  async #createDraft(manifest: Manifest, modelCard: string): Promise<Release> {
    const body =
      modelCard.length > MAX_BODY
        ? `${modelCard.slice(0, MAX_BODY - 80)}\n\n…(truncated; see model-card.md)\n`
        : modelCard;
    try {
      const res = await this.#octokit.rest.repos.createRelease({
        ...this.#repo,
        tag_name: manifest.tag,
        // The tag points at the commit that trained the model when we know it.
        ...(/^[0-9a-f]{40}$/.test(manifest.code.commit) ? { target_commitish: manifest.code.commit } : {}),
        name: `${manifest.family} ${manifest.version}`,
        body,
        draft: true,
        prerelease: false,
        make_latest: 'false',
      });
      return res.data as unknown as Release;
    } catch (error) {
      if (statusOf(error) === 422 && validationCodes(error).includes('already_exists')) {
        // Another run created it between our listing and this call: use theirs.
        const again = await this.#findRelease(manifest.tag);
        if (again) return again;
      }
      throw this.#wrap(error, `creating the release ${manifest.tag}`);
    }
  }

  async #listAssets(release: Release): Promise<ReleaseAsset[]> {
    try {
      return (await this.#octokit.paginate(this.#octokit.rest.repos.listReleaseAssets, {
        ...this.#repo,
        release_id: release.id,
        per_page: 100,
      })) as unknown as ReleaseAsset[];
    } catch (error) {
      throw this.#wrap(error, `listing the assets of ${release.tag_name}`);
    }
  }

  /**
   * Uploads one asset, idempotently: an identical uploaded asset is kept; a half-uploaded
   * ("starter") or different one is deleted first; 5xx and network failures are retried.
   */
  async #upload(release: Release, name: string, data: Buffer): Promise<void> {
    const digest = `sha256:${sha256(data)}`;
    let assets = release.assets ?? [];
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      const existing = assets.find((a) => a.name === name);
      if (existing) {
        const complete =
          existing.state === 'uploaded' &&
          existing.size === data.length &&
          (!existing.digest || existing.digest === digest);
        if (complete) return;
        await this.#deleteAsset(existing);
      }
      try {
        await this.#octokit.request({
          method: 'POST',
          url: release.upload_url,
          name,
          data,
          headers: { 'content-type': contentType(name) },
        } as never);
        return;
      } catch (error) {
        lastError = error;
        const status = statusOf(error);
        const alreadyExists = status === 422 && validationCodes(error).includes('already_exists');
        const transient = status === undefined || status >= 500 || status === 429;
        if (!alreadyExists && !transient) break;
        if (attempt < this.#attempts && transient) await sleep(this.#backoffMs * attempt);
        // Look again: the failed attempt may have left a half-uploaded asset behind.
        assets = await this.#listAssets(release);
      }
    }
    throw this.#wrap(lastError, `uploading ${name} to ${release.tag_name} (${this.#attempts} attempts)`);
  }

  async #deleteAsset(asset: ReleaseAsset): Promise<void> {
    try {
      await this.#octokit.rest.repos.deleteReleaseAsset({ ...this.#repo, asset_id: asset.id });
    } catch (error) {
      if (statusOf(error) !== 404) throw this.#wrap(error, `deleting the incomplete asset ${asset.name}`);
    }
  }

  async #checkAssets(release: Release, uploads: [string, Buffer][]): Promise<void> {
    const assets = await this.#listAssets(release);
    for (const [name, data] of uploads) {
      const a = assets.find((x) => x.name === name);
      if (a?.state !== 'uploaded' || a.size !== data.length) {
        throw new RegistryError(
          `release ${release.tag_name}: asset ${name} is ${a ? `${a.state}, ${a.size} bytes` : 'missing'} after upload ` +
            `(expected ${data.length} bytes); re-run to resume the draft`,
          { input: release.tag_name },
        );
      }
    }
  }

  #wrap(error: unknown, doing: string): Error {
    if (error instanceof RegistryError || error instanceof NotFoundError || error instanceof ConflictError)
      return error;
    const status = statusOf(error);
    const hint =
      status === 401
        ? 'the token is invalid or expired'
        : status === 403
          ? 'the token lacks "contents: write" on the repository (or hit a rate limit)'
          : status === 404
            ? `${this.location} does not exist or the token cannot see it`
            : 'check GITHUB_TOKEN, GITHUB_REPOSITORY and the network, then re-run (publishing resumes)';
    return new RegistryError(
      `GitHub registry ${this.location}: ${doing} failed${status ? ` (HTTP ${status})` : ''}: ${(error as Error)?.message ?? String(error)}; ${hint}`,
      { action: doing, input: this.location, status },
      { cause: error },
    );
  }
}

function contentType(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.md')) return 'text/markdown; charset=utf-8';
  return 'application/octet-stream';
}

function readOrUndefined(file: string): Buffer | undefined {
  return existsSync(file) ? readFileSync(file) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
