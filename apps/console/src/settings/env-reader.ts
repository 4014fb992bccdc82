/** Reading one environment variable at a time, each bad value an error that names it. */

/** Typed reads of an environment; each throws an `Error` naming the variable it could not read. */
export interface EnvReader {
  /** The trimmed value; undefined when unset or blank. */
  readonly text: (name: string) => string | undefined;
  /** The trimmed value, or an error saying why it is needed. */
  readonly required: (name: string, why: string) => string;
  /** A port number (1 to 65535), or `fallback` when unset. */
  readonly port: (name: string, fallback: number) => number;
  /** `value`, checked to be a URL of one of `schemes` (`https:`, …). */
  readonly url: (name: string, value: string, schemes: readonly string[]) => string;
}

/** Reads from `env`, which is never changed. */
export function createEnvReader(env: Readonly<Record<string, string | undefined>>): EnvReader {
  const text = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  return {
    text,
    required: (name, why) => {
      const value = text(name);
      if (value === undefined) throw new Error(`${name} is required: ${why}`);
      return value;
    },
    port: (name, fallback) => {
      const raw = text(name);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1 || value > 65535) {
        throw new Error(`${name}="${raw}" must be a port number`);
      }
      return value;
    },
    url: (name, value, schemes) => {
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new Error(`${name}="${value}" is not a URL`);
      }
      if (!schemes.includes(parsed.protocol)) {
        throw new Error(`${name} must be a ${schemes.join(' or ')} URL`);
      }
      return value;
    },
  };
}
