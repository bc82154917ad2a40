import { loadBackendModule } from "../backends/registry.js";
import type { Backend, OptionSpec, OptionValues } from "../backends/types.js";
import {
  type BackendSectionRef,
  findBackendSection,
  parseBackendOptions,
} from "../config/backend-section.js";
import type { ConfigFile } from "../config/ini.js";
import { BackendUnavailableError, LeaseholdError } from "./errors.js";

/** A configured backend instance with the settings it was made from. */
export interface OpenedBackend {
  readonly name: string;
  readonly type: string;
  readonly timeoutMs: number;
  readonly backend: Backend;
  /** Where it was configured and with what, for `doctor`. */
  readonly ref: BackendSectionRef;
  readonly specs: readonly OptionSpec[];
  readonly options: OptionValues;
}

/**
 * Opens backends by configured name, once each: `[backend.NAME]` gives the type and options;
 * the registry imports only that type's module.
 */
export class BackendPool {
  readonly #opening = new Map<string, Promise<OpenedBackend>>();

  constructor(
    private readonly file: ConfigFile,
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
  ) {}

  /** The backend named `name`, opened on first use. */
  get(name: string): Promise<OpenedBackend> {
    let opening = this.#opening.get(name);
    if (!opening) {
      opening = this.#open(name);
      this.#opening.set(name, opening);
      opening.catch(() => this.#opening.delete(name));
    }
    return opening;
  }

  async #open(name: string): Promise<OpenedBackend> {
    const ref = findBackendSection(this.file, name, this.cwd, this.env);
    const mod = await loadBackendModule(ref.type, ref.baseDir);
    const { options, timeoutMs } = parseBackendOptions(ref, mod.options, this.file, this.env);
    try {
      const backend = await mod.create({ name, options, timeoutMs, env: this.env });
      return { name, type: ref.type, timeoutMs, backend, ref, specs: mod.options, options };
    } catch (cause) {
      if (cause instanceof LeaseholdError) throw cause;
      throw new BackendUnavailableError(
        `backend ${name} (${ref.type}): ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  /** Closes every opened backend; errors on close are not worth failing a command for. */
  async close(): Promise<void> {
    const all = [...this.#opening.values()];
    this.#opening.clear();
    await Promise.all(
      all.map(async (p) => {
        try {
          await (await p).backend.close();
        } catch {
          // Closing is best effort: the command's outcome is already decided.
        }
      }),
    );
  }
}
