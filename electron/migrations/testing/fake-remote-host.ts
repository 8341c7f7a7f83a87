/**
 * A FAKE server for unit tests of step modules: it records every command it is sent and answers
 * from a script of rules (first matching pattern wins; unmatched commands succeed with no output).
 * It stands in for sshd + dockerd only where a step's commands, undo and cancel behaviour are
 * checked; the lab tests are the proof on real servers.
 */
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ExecResult, RemoteHost, RemoteProcess } from '../../servers/remote-host';

/** One scripted answer: a command matching `pattern` gets `result` (or what `answer` computes). */
export interface FakeRule {
  pattern: RegExp;
  result?: Partial<ExecResult>;
  answer?: (command: string) => Partial<ExecResult>;
}

/** A fake RemoteHost with a command log. */
export class FakeRemoteHost implements RemoteHost {
  readonly commands: string[] = [];
  /** Calls made through the fake Docker client (`create <name>`, `start <id>`, `connect <network>`). */
  readonly dockerCalls: string[] = [];
  private rules: FakeRule[] = [];
  /** When set, `docker().createContainer` rejects with this message. */
  createError: string | null = null;

  constructor(readonly label = 'fake-uat') {}

  /** Adds rules in front of the existing ones. */
  on(...rules: FakeRule[]): this {
    this.rules = [...rules, ...this.rules];
    return this;
  }

  async exec(command: string, options: { signal?: AbortSignal }): Promise<ExecResult> {
    if (options.signal?.aborted) throw new Error('aborted');
    this.commands.push(command);
    const rule = this.rules.find((each) => each.pattern.test(command));
    const answer = rule?.answer ? rule.answer(command) : (rule?.result ?? {});
    return { code: answer.code ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
  }

  async spawn(command: string): Promise<RemoteProcess> {
    this.commands.push(command);
    const stdout = new PassThrough();
    stdout.end();
    return { stdin: new PassThrough(), stdout, done: Promise.resolve({ code: 0, stderr: '' }), kill: () => undefined };
  }

  docker(): Dockerode {
    const calls = this.dockerCalls;
    const createError = () => this.createError;
    return {
      async createContainer(options: Dockerode.ContainerCreateOptions) {
        const refusal = createError();
        if (refusal) throw new Error(refusal);
        calls.push(`create ${options.name}`);
        const id = `id-${options.name}`;
        return { id, start: async () => void calls.push(`start ${id}`) };
      },
      getNetwork(name: string) {
        return { connect: async () => void calls.push(`connect ${name}`) };
      },
    } as unknown as Dockerode;
  }
}
