import { LOG_LEVELS, type LogLevel } from './constants';

/** How one environment variable is read and checked. */
export interface EnvVar<T> {
  readonly name: string;
  readonly description: string;
  /** Returns the value, or throws an Error whose message says what is wrong (without the name). */
  read(raw: string | undefined): T;
}

/** A missing or invalid environment variable. Thrown once, at cold start, naming every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: readonly { variable: string; problem: string }[],
  ) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
  }

  get variables(): string[] {
    return this.problems.map((p) => p.variable);
  }
}

function isBlank(raw: string | undefined): raw is undefined {
  return raw === undefined || raw.trim() === '';
}

/** A required, non-blank string (e.g. a table name). */
export function requiredString(name: string, description: string): EnvVar<string> {
  return {
    name,
    description,
    read(raw) {
      if (isBlank(raw)) throw new Error(`is required (${description})`);
      return raw.trim();
    },
  };
}

/** A required string matching a pattern (e.g. an ARN). */
export function matchingString(name: string, description: string, pattern: RegExp): EnvVar<string> {
  return {
    name,
    description,
    read(raw) {
      if (isBlank(raw)) throw new Error(`is required (${description})`);
      const value = raw.trim();
      if (!pattern.test(value)) throw new Error(`must be ${description}, got ${JSON.stringify(value)}`);
      return value;
    },
  };
}

/** A number in [min, max]; `fallback` when unset or blank. */
export function numberInRange(name: string, description: string, range: { min: number; max: number; fallback: number }): EnvVar<number> {
  return {
    name,
    description,
    read(raw) {
      if (isBlank(raw)) return range.fallback;
      const value = Number(raw.trim());
      if (!Number.isFinite(value) || value < range.min || value > range.max) {
        throw new Error(`must be a number from ${range.min} to ${range.max} (${description}), got ${JSON.stringify(raw)}`);
      }
      return value;
    },
  };
}

/** One of a fixed set of (case-insensitive) words; `fallback` when unset or blank. */
export function oneOf<const T extends string>(name: string, description: string, values: readonly T[], fallback: T): EnvVar<T> {
  return {
    name,
    description,
    read(raw) {
      if (isBlank(raw)) return fallback;
      const value = raw.trim().toLowerCase();
      const found = values.find((v) => v === value);
      if (found === undefined) throw new Error(`must be one of ${values.join(', ')} (${description}), got ${JSON.stringify(raw)}`);
      return found;
    },
  };
}

/** `LOG_LEVEL`, shared by every function. */
export const LOG_LEVEL_VAR: EnvVar<LogLevel> = oneOf('LOG_LEVEL', 'the lowest log level written', LOG_LEVELS, 'info');

export type ConfigOf<S extends Record<string, EnvVar<unknown>>> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

/**
 * Reads and checks every variable of `spec` from `env` (default `process.env`). Call it once per
 * cold start; it throws one ConfigError naming every missing or invalid variable, so a
 * misconfigured function fails its init with a message that says what to fix.
 */
export function loadConfig<S extends Record<string, EnvVar<unknown>>>(
  spec: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  const problems: { variable: string; problem: string }[] = [];
  for (const [key, variable] of Object.entries(spec)) {
    try {
      config[key] = variable.read(env[variable.name]);
    } catch (error) {
      problems.push({ variable: variable.name, problem: error instanceof Error ? error.message : String(error) });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as ConfigOf<S>;
}
