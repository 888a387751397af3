import openjpegFactory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import charlsFactory from '@cornerstonejs/codec-charls/decodewasmjs';
import libjpegTurboFactory from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';

/** A WASM codec module with the lines it printed since the last `takeMessages()`. */
export interface LoadedCodec<M> {
  module: M;
  /** The codec's own diagnostics (OpenJPEG prints "[ERROR] ..."), cleared on read; decoding is synchronous, so they belong to the last call. */
  takeMessages(): string[];
}

type Factory<M> = (options: { print: (text: string) => void; printErr: (text: string) => void }) => Promise<M>;

const MAX_MESSAGES = 20;

// Each module is instantiated once per process and reused: compiling the WASM costs 50-150 ms, and the
// decoders hold no state between frames. The cache holds a promise so that concurrent first calls share it.
const cache = new Map<Factory<unknown>, Promise<LoadedCodec<unknown>>>();

function load<M>(factory: Factory<M>): Promise<LoadedCodec<M>> {
  let loaded = cache.get(factory as Factory<unknown>);
  if (!loaded) {
    const messages: string[] = [];
    // Emscripten would print to stdout/stderr, around pino; the lines are kept for error messages instead.
    const keep = (text: string): void => {
      if (messages.length < MAX_MESSAGES) messages.push(text);
    };
    loaded = factory({ print: keep, printErr: keep }).then((module) => ({
      module,
      takeMessages: () => messages.splice(0, messages.length),
    }));
    loaded.catch(() => cache.delete(factory as Factory<unknown>)); // a failed load is retried next time
    cache.set(factory as Factory<unknown>, loaded);
  }
  return loaded as Promise<LoadedCodec<M>>;
}

export const loadOpenJpeg = () => load(openjpegFactory);
export const loadCharls = () => load(charlsFactory);
export const loadLibjpegTurbo = () => load(libjpegTurboFactory);
