/**
 * Where the AWS provider binary for offline runs lives. Terraform cannot download providers on
 * the machines DOFS is built and tested on; their image ships hashicorp/aws 5.100.0 in a local
 * plugin directory laid out as `<dir>/registry.terraform.io/hashicorp/aws/5.100.0/<os>_<arch>/`.
 * `TF_PLUGIN_DIR` names it; otherwise the usual places are looked at, then (once, bounded) the
 * file system, as `find / -name 'terraform-provider-aws_v5.100.0*'` would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const OFFLINE_PROVIDER_VERSION = '5.100.0';

const PLATFORM = `${process.platform === 'win32' ? 'windows' : process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
const PROVIDER_PATH = join('registry.terraform.io', 'hashicorp', 'aws', OFFLINE_PROVIDER_VERSION, PLATFORM);

/** Terraform's own implied local mirror directories, and the one these machines use. */
const CANDIDATES = [
  '/opt/tf-plugins',
  join(homedir(), '.terraform.d', 'plugins'),
  join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'terraform', 'plugins'),
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
];

function holdsProvider(dir: string): boolean {
  const platformDir = join(dir, PROVIDER_PATH);
  return existsSync(platformDir) && readdirSync(platformDir).some((f) => f.startsWith(`terraform-provider-aws_v${OFFLINE_PROVIDER_VERSION}`));
}

function searchFileSystem(): string | undefined {
  const found = spawnSync(
    'find',
    ['/', '-xdev', '(', '-path', '/proc', '-o', '-path', '/sys', '-o', '-name', 'node_modules', '-o', '-name', '.git', ')', '-prune', '-o', '-name', `terraform-provider-aws_v${OFFLINE_PROVIDER_VERSION}*`, '-print', '-quit'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  const binary = found.stdout?.trim().split('\n')[0];
  if (!binary) return undefined;
  // <dir>/registry.terraform.io/hashicorp/aws/<version>/<platform>/<binary>
  const dir = dirname(dirname(dirname(dirname(dirname(dirname(binary))))));
  return holdsProvider(dir) ? dir : undefined;
}

export interface PluginDirLookup {
  dir?: string;
  /** Why no directory was found (for the skip notice). */
  reason?: string;
}

let cached: PluginDirLookup | undefined;

export function findPluginDir(): PluginDirLookup {
  if (cached) return cached;
  const named = process.env.TF_PLUGIN_DIR;
  if (named) {
    cached = holdsProvider(named) ? { dir: named } : { reason: `TF_PLUGIN_DIR=${named} holds no ${PROVIDER_PATH}` };
    return cached;
  }
  const dir = CANDIDATES.find(holdsProvider) ?? searchFileSystem();
  cached = dir ? { dir } : { reason: `no local plugin directory with hashicorp/aws ${OFFLINE_PROVIDER_VERSION} for ${PLATFORM} (set TF_PLUGIN_DIR)` };
  return cached;
}

export function terraformOnPath(): boolean {
  return spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0;
}
