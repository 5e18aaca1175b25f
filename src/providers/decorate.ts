import type { SmsProvider } from "../sms/ports/provider.js";

/** Every method of the `SmsProvider` port, required and optional. */
export const PROVIDER_METHODS = [
  "send",
  "listSenders",
  "listSenderPools",
  "senderPoolState",
  "verify",
  "prepare",
  "findSent",
  "messageStatus",
  "readStatusCallback",
] as const satisfies ReadonlyArray<keyof SmsProvider>;

export type ProviderMethod = (typeof PROVIDER_METHODS)[number];

/** The port's methods, each one present. */
export type ProviderMethods = Required<Omit<SmsProvider, "name">>;

/** What a method's promise resolves to. */
export type AnswerOf<M extends ProviderMethod> = Awaited<ReturnType<ProviderMethods[M]>>;

// A method added to the port but not to PROVIDER_METHODS would pass through no decorator (no
// deadline, no answer check): this line then fails to compile, naming the method.
const everyMethodListed: Exclude<keyof ProviderMethods, ProviderMethod> extends never
  ? true
  : Exclude<keyof ProviderMethods, ProviderMethod> = true;
void everyMethodListed;

/**
 * Runs one call of `method`: `run` makes the call with the caller's arguments; the result is
 * what the caller gets.
 */
export type AroundCall = <M extends ProviderMethod>(
  method: M,
  run: () => Promise<AnswerOf<M>>,
) => Promise<AnswerOf<M>>;

/**
 * `provider` with every method it has passed through `around`; a method it lacks stays absent.
 * The one place a provider is wrapped: the deadline, the answer checks and the error mapping
 * are each an `around`.
 */
export function aroundEveryCall(provider: SmsProvider, around: AroundCall): SmsProvider {
  const decorated: Partial<Record<ProviderMethod, unknown>> = {};
  for (const method of PROVIDER_METHODS) {
    const own = provider[method] as ((...args: never[]) => Promise<never>) | undefined;
    if (!own) continue;
    decorated[method] = (...args: never[]) => around(method, () => own.apply(provider, args));
  }
  return { ...(decorated as Partial<ProviderMethods>), name: provider.name } as SmsProvider;
}

/** One call of `method` with the caller's arguments. */
export type MethodCall = <M extends ProviderMethod>(
  method: M,
  args: Parameters<ProviderMethods[M]>,
) => Promise<AnswerOf<M>>;

/**
 * A provider that has every method of the port, each answered by `call`: for a provider whose
 * real methods are known only once it is loaded (see `lazyProvider`).
 */
export function providerOf(name: SmsProvider["name"], call: MethodCall): SmsProvider {
  const methods: Partial<Record<ProviderMethod, unknown>> = {};
  for (const method of PROVIDER_METHODS) {
    methods[method] = (...args: Parameters<ProviderMethods[typeof method]>) => call(method, args);
  }
  return { ...(methods as ProviderMethods), name };
}
