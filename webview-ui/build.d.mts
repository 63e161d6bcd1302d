import type { BuildOptions, BuildResult } from 'esbuild';

export interface WebviewBuildSettings {
  /** Minified, without source maps. */
  production?: boolean;
}

export function webviewBuildOptions(settings?: WebviewBuildSettings): BuildOptions;
export function buildWebview(settings?: WebviewBuildSettings): Promise<BuildResult>;
